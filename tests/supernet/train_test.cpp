// Training, checkpoints and BN re-calibration on a tiny supernet and synthetic data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/synthetic.h"
#include "supernet/api.h"
#include "supernet/checkpoint.h"
#include "supernet/evaluation.h"
#include "supernet/trainer.h"
#include "test_support.h"
#include "tests/supernet/identical_networks.h"

namespace tinynas::supernet {
namespace {

using testing::expect_identical;
using testing::TempDir;
using testing::tiny_space;

TrainJob tiny_job(const std::string& out) {
  TrainJob job;
  job.space = tiny_space();
  job.supernet.width_mult = 1.0;
  job.train.batch_size = 16;
  job.train.resolutions = {8, 12};
  job.train.workers = 1;
  job.train.phases = {{"full", {}, 1, 0.05, 0.5, 1, "random", false},
                      {"kernel", {"kernel"}, 2, 0.02, 0, 2, "random", true},
                      {"all", {"kernel", "depth", "expand"}, 1, 0.01, 0, 3, "sandwich", true}};
  job.eval.calibration_images = 32;
  job.eval.calibration_batch = 16;
  job.eval.epoch_test_subset = 32;
  job.seed = 3;
  job.threads = 1;
  job.out_dir = out;
  job.train.checkpoint_minutes = 0;  // at epoch ends only, unless a test says otherwise
  return job;
}

data::ImageSet tiny_data(int64_t n, uint64_t seed) {
  return data::synthetic_images(n, 12, 12, 3, 4, seed);
}

struct Killed {};

torch::Tensor flat_parameters(const OFANetwork& net) {
  std::vector<torch::Tensor> all;
  for (const auto& p : net->parameters()) all.push_back(p.detach().flatten());
  return torch::cat(all);
}

// The per-epoch rows without their timings (which differ from run to run).
std::vector<nlohmann::json> history_without_timing(const nlohmann::json& history) {
  std::vector<nlohmann::json> rows;
  for (nlohmann::json row : history) {
    row.erase("seconds");
    row.erase("images_per_s");
    rows.push_back(row);
  }
  return rows;
}

TEST(TrainerTest, TrainsAllPhasesAndLogsEveryEpoch) {
  TempDir tmp;
  Trainer trainer(tiny_job(tmp.str()), tiny_data(64, 1), tiny_data(32, 2), {});
  const TrainResult r = trainer.run();
  ASSERT_EQ(r.history.size(), 4u);
  EXPECT_EQ(r.steps, 4 * 4);
  EXPECT_TRUE(std::filesystem::exists(tmp / "supernet.pt"));
  std::ifstream csv(tmp / "train_log.csv");
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, 5);
  // A finished run resumed does nothing.
  TrainJob again = tiny_job(tmp.str());
  again.resume = true;
  EXPECT_TRUE(Trainer(again, tiny_data(64, 1), tiny_data(32, 2), {}).run().already_finished);
}

// A trainer that does not learn fails here. The synthetic set is learnable (each of 4 classes is
// a fixed random pattern plus noise); after one epoch of the full network and one of all elastic
// dimensions (sandwich rule), the largest sub-net and the smallest (kernel 3, expansion 1
// everywhere: no expansion layers) classify held-out images well above chance (25 %).
// Measured with job seeds 1-5: 100 % for both every time; without optimizer steps 21-38 %
// (largest) and 4-41 % (smallest).
TEST(TrainerTest, LearnsASyntheticSetWellAboveChance) {
  TempDir tmp;
  TrainJob job = tiny_job(tmp.str());
  job.space.expands = {1, 3, 6};
  job.train.resolutions = {12};
  job.train.augment = {0, false};  // the classes are pixel patterns: keep them in place
  job.train.phases = {{"full", {}, 1, 0.05, 0, 1, "random", false},
                      {"all", {"kernel", "depth", "expand"}, 1, 0.02, 0, 2, "sandwich", true}};
  job.eval.epoch_test_subset = 128;
  Trainer trainer(job, tiny_data(256, 1), tiny_data(128, 2), {});
  const EpochInfo last = trainer.run().history.back();
  EXPECT_GE(last.top1_largest, 75);
  EXPECT_GE(last.top1_smallest, 75);
}

TEST(TrainerTest, ResumeAfterAKillContinuesExactlyFromTheSavedEpoch) {
  TempDir straight, killed;
  Trainer a(tiny_job(straight.str()), tiny_data(64, 1), tiny_data(32, 2), {});
  a.run();

  // Killed in the middle of the third epoch (kernel phase, second epoch): epoch 2 is saved.
  TrainCallbacks kill;
  kill.on_step = [](const StepInfo& s) {
    if (s.global_step == 10) throw Killed{};
  };
  {
    Trainer b(tiny_job(killed.str()), tiny_data(64, 1), tiny_data(32, 2), kill);
    EXPECT_THROW(b.run(), Killed);
  }
  const Checkpoint saved = load_checkpoint(killed / "supernet.pt");
  EXPECT_EQ(saved.meta.state["global_step"], 8);
  EXPECT_EQ(saved.meta.state["phase"], 1);
  EXPECT_EQ(saved.meta.state["epoch"], 1);

  TrainJob resume = tiny_job(killed.str());
  resume.resume = true;
  int64_t first_step = -1;
  TrainCallbacks watch;
  watch.on_step = [&](const StepInfo& s) {
    if (first_step < 0) first_step = s.global_step;
  };
  Trainer c(resume, tiny_data(64, 1), tiny_data(32, 2), watch);
  const TrainResult r = c.run();
  EXPECT_EQ(first_step, 9);
  EXPECT_EQ(r.steps, 8);
  EXPECT_TRUE(torch::equal(flat_parameters(a.network()), flat_parameters(c.network())));
}

// Checkpoints every step (an interval far below a step's time), killed twice inside an epoch:
// in the first epoch of the kernel phase (after the teacher snapshot) and in the first epoch of
// the last phase (after the channel sort that starts an "expand" phase, which a resume must not
// repeat). Each resume continues at the step after the one saved; the final network, teacher,
// BN statistics, per-epoch losses and CSV log are those of the uninterrupted run.
TEST(TrainerTest, ResumeFromAMidEpochCheckpointIsBitForBitTheUninterruptedRun) {
  TempDir straight, killed;
  Trainer a(tiny_job(straight.str()), tiny_data(64, 1), tiny_data(32, 2), {});
  a.run();

  TrainJob job = tiny_job(killed.str());
  job.train.checkpoint_minutes = 1e-9;
  const auto kill_at = [](int64_t global_step) {
    TrainCallbacks c;
    c.on_step = [global_step](const StepInfo& s) {
      if (s.global_step == global_step) throw Killed{};
    };
    return c;
  };
  int64_t first_step = -1, checkpoints = 0;
  const auto watch = [&](TrainCallbacks c) {
    first_step = -1;
    const auto kill = c.on_step;
    c.on_step = [&first_step, kill](const StepInfo& s) {
      if (first_step < 0) first_step = s.global_step;
      if (kill) kill(s);
    };
    c.on_checkpoint = [&checkpoints](const StepInfo& s) {
      EXPECT_LT(s.step, s.steps_per_epoch);  // the epoch's last step is end_epoch's save
      ++checkpoints;
    };
    return c;
  };
  {
    Trainer b(job, tiny_data(64, 1), tiny_data(32, 2), watch(kill_at(6)));
    EXPECT_THROW(b.run(), Killed);
  }
  // Steps 1-3 of the first epoch (4 ends it), then 5 and 6 (saved before on_step throws).
  EXPECT_EQ(checkpoints, 5);
  nlohmann::json state = load_checkpoint(killed / "supernet.pt").meta.state;
  EXPECT_EQ(state["global_step"], 6);
  EXPECT_EQ(state["phase"], 1);
  EXPECT_EQ(state["epoch"], 0);
  EXPECT_EQ(state["step"], 2);
  EXPECT_GT(state["epoch_loss_sum"].get<double>(), 0);
  EXPECT_EQ(state["history"].size(), 1u);

  job.resume = true;
  {
    Trainer c(job, tiny_data(64, 1), tiny_data(32, 2), watch(kill_at(14)));
    EXPECT_THROW(c.run(), Killed);
  }
  EXPECT_EQ(first_step, 7);
  state = load_checkpoint(killed / "supernet.pt").meta.state;
  EXPECT_EQ(state["global_step"], 14);
  EXPECT_EQ(state["phase"], 2);
  EXPECT_EQ(state["epoch"], 0);
  EXPECT_EQ(state["step"], 2);

  Trainer d(job, tiny_data(64, 1), tiny_data(32, 2), watch({}));
  const TrainResult r = d.run();
  EXPECT_EQ(first_step, 15);
  EXPECT_EQ(r.steps, 2);
  ASSERT_EQ(r.history.size(), 1u);
  EXPECT_GT(r.history[0].images_per_s, 0);

  expect_identical(a.network(), d.network(), "network in memory");
  const Checkpoint x = load_checkpoint(straight / "supernet.pt");
  const Checkpoint y = load_checkpoint(killed / "supernet.pt");
  expect_identical(x.net, y.net, "saved network");
  expect_identical(x.teacher, y.teacher, "saved teacher");
  EXPECT_EQ(history_without_timing(x.meta.state["history"]),
            history_without_timing(y.meta.state["history"]));
  EXPECT_EQ(y.meta.state["step"], 0);
  // The CSV log: the same rows, up to the timing columns.
  const auto log_without_timing = [](const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> rows;
    for (std::string line; std::getline(in, line);) {
      size_t comma = line.size();
      for (int i = 0; i < 2; ++i) comma = line.rfind(',', comma - 1);
      rows.push_back(line.substr(0, comma));
    }
    return rows;
  };
  const std::vector<std::string> rows = log_without_timing(straight / "train_log.csv");
  EXPECT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows, log_without_timing(killed / "train_log.csv"));
}

TEST(TrainerTest, RefusesToOverwriteAndToResumeNothing) {
  TempDir tmp;
  TrainJob job = tiny_job(tmp.str());
  job.resume = true;
  EXPECT_THROW(Trainer(job, tiny_data(64, 1), tiny_data(32, 2), {}), std::invalid_argument);
  job.train.phases[1].sampling = "zigzag";
  job.resume = false;
  EXPECT_THROW(Trainer(job, tiny_data(64, 1), tiny_data(32, 2), {}), std::invalid_argument);
}

TEST(TrainerTest, ARunOfNoEpochsStillWritesItsCheckpoint) {
  // The initialised supernet is a real starting point: the data and teacher of a fine-tuning
  // from scratch, or a baseline.
  TempDir tmp;
  TrainJob job = tiny_job(tmp.str());
  for (PhaseOptions& p : job.train.phases) p.epochs = 0;
  const TrainResult r = Trainer(job, tiny_data(64, 1), tiny_data(32, 2), {}).run();
  EXPECT_EQ(r.steps, 0);
  ASSERT_TRUE(std::filesystem::exists(tmp / "supernet.pt"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "train_log.csv"));
  EXPECT_EQ(load_checkpoint(tmp / "supernet.pt").meta.state["phase"], 3);
  job.resume = true;
  EXPECT_TRUE(Trainer(job, tiny_data(64, 1), tiny_data(32, 2), {}).run().already_finished);
}

TEST(CheckpointTest, RoundTripKeepsWeightsStatisticsAndState) {
  TempDir tmp;
  torch::manual_seed(1);
  OFANetwork net(tiny_space(), SupernetOptions{1.0, 0.1, 0.1, 1e-5}, 4);
  {
    torch::NoGradGuard g;
    net->stages[1][0]->mbconv.dw_bn->running_var.fill_(3);
  }
  CheckpointMeta meta;
  meta.network = network_json(net, {{0.1f, 0.2f, 0.3f}, {1.f, 2.f, 3.f}});
  meta.settings = {{"seed", 4}};
  meta.state = {{"phase", 2}};
  save_checkpoint(tmp / "c.pt", meta, net, nullptr, nullptr);
  const Checkpoint c = load_checkpoint(tmp / "c.pt");
  EXPECT_TRUE(torch::equal(flat_parameters(net), flat_parameters(c.net)));
  EXPECT_FLOAT_EQ(c.net->stages[1][0]->mbconv.dw_bn->running_var[0].item<float>(), 3.f);
  EXPECT_EQ(c.meta.settings["seed"], 4);
  EXPECT_EQ(c.meta.state["phase"], 2);
  EXPECT_EQ(norm_from_json(c.meta.network).std[2], 3.f);
  EXPECT_FALSE(c.teacher);
}

TEST(CheckpointTest, CorruptOrMissingCheckpointIsAClearError) {
  TempDir tmp;
  OFANetwork net(tiny_space(), SupernetOptions{1.0, 0.1, 0.1, 1e-5}, 4);
  CheckpointMeta meta{network_json(net, {{0.f, 0.f, 0.f}, {1.f, 1.f, 1.f}}), {}, {}};
  save_checkpoint(tmp / "c.pt", meta, net, nullptr, nullptr);
  std::filesystem::resize_file(tmp / "c.pt", std::filesystem::file_size(tmp / "c.pt") / 2);
  for (const std::string& path : {tmp / "c.pt", tmp / "missing.pt"}) {
    try {
      load_checkpoint(path);
      ADD_FAILURE() << path;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  std::ofstream(tmp / "text.pt") << "not a checkpoint";
  EXPECT_THROW(load_checkpoint(tmp / "text.pt"), std::invalid_argument);
}

TEST(BnCalibrationTest, ChangesRunningStatisticsDeterministicallyBySeed) {
  torch::set_num_threads(1);
  torch::manual_seed(2);
  OFANetwork net(tiny_space(), SupernetOptions{1.0, 0.1, 0.1, 1e-5}, 4);
  const data::ImageSet train = tiny_data(96, 5);
  const Normalization norm{{0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}};
  const AugmentOptions augment{2, true};
  net->set_active(net->smallest(12));
  const auto stats = [&](uint64_t seed, const AugmentOptions& how) {
    recalibrate_bn(net, data::subset(train, 40, seed), norm, how, 16, torch::kCPU);
    return torch::cat(save_bn_stats(net));
  };
  const torch::Tensor initial = torch::cat(save_bn_stats(net));
  const torch::Tensor a = stats(1, augment), b = stats(1, augment), c = stats(2, augment);
  EXPECT_FALSE(torch::allclose(a, initial));
  EXPECT_TRUE(torch::equal(a, b));  // the crops and flips come from a fixed seed
  EXPECT_FALSE(torch::equal(a, c));
  EXPECT_FALSE(torch::equal(a, stats(1, AugmentOptions::none())));
  EXPECT_FALSE(net->is_training());
  // The statistics are the average over the batches: with one batch holding every image, the
  // stem BN's running mean is the mean of the stem output of that batch, augmented as training
  // augments it.
  for (const AugmentOptions& how : {augment, AugmentOptions::none()}) {
    recalibrate_bn(net, data::subset(train, 16, 1), norm, how, 16, torch::kCPU);
    LoaderOptions lo;
    lo.shuffle = false;
    lo.augment = how;
    lo.batch_size = 16;
    lo.norm = norm;
    lo.workers = 0;
    const data::ImageSet sixteen = data::subset(train, 16, 1);
    BatchLoader loader(sixteen, lo);
    loader.start_epoch(0);
    torch::NoGradGuard g;
    const torch::Tensor stem = net->stem->forward(resize(loader.next()->images, 12), 16);
    EXPECT_TRUE(torch::allclose(net->stem_bn->running_mean, stem.mean({0, 2, 3}), 1e-4, 1e-5));
  }
}

}  // namespace
}  // namespace tinynas::supernet
