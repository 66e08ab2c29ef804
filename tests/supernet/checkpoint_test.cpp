// The checkpoint's format: its own versioned run description, old files that keep loading and
// newer ones that are refused with a clear message.
#include "supernet/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/synthetic.h"
#include "supernet/api.h"
#include "supernet/trainer.h"
#include "test_support.h"

namespace tinynas::supernet {
namespace {

using testing::TempDir;
using testing::tiny_space;

// Written by save_checkpoint of commit d75b777 (format 1, before checkpoints had a run
// description): a 1-stage "micro" space (kernels 3 and 5, expand 3 and 4), a teacher, and the
// settings JSON the CLI stored then (seed 7, synthetic data 40/20 images of 12x12 in 3 classes, 2
// phases, train_subset 30, eval calibration_images 16, predictor samples 9).
const std::string kFormat1 = std::string(TINYNAS_SUPERNET_FIXTURES) + "/checkpoint_format1.pt";

double abs_parameter_sum(const OFANetwork& net) {
  double sum = 0;
  for (const auto& p : net->parameters()) sum += p.detach().abs().sum().item<double>();
  return sum;
}

void expect_fixture_run(const RunDescription& run) {
  EXPECT_EQ(run.seed, 7u);
  EXPECT_EQ(run.data.kind, "synthetic");
  EXPECT_EQ(run.data.synthetic_train, 40);
  EXPECT_EQ(run.data.synthetic_size, 12);
  EXPECT_EQ(run.data.synthetic_classes, 3);
  EXPECT_EQ(run.train.batch_size, 8);
  EXPECT_EQ(run.train.resolutions, (std::vector<int>{8, 12}));
  EXPECT_EQ(run.train.train_subset, 30);
  ASSERT_EQ(run.train.phases.size(), 2u);
  EXPECT_EQ(run.train.phases[1].name, "kernel");
  EXPECT_EQ(run.train.phases[1].elastic, (std::vector<std::string>{"kernel"}));
  EXPECT_EQ(run.train.phases[1].subnets_per_step, 2);
  EXPECT_TRUE(run.train.phases[1].distill);
  EXPECT_EQ(run.eval.calibration_images, 16);
  EXPECT_EQ(run.eval.batch_size, 10);
}

TEST(CheckpointFormatTest, Format1CheckpointStillLoads) {
  torch::set_num_threads(1);
  const Checkpoint c = load_checkpoint(kFormat1);
  EXPECT_EQ(c.meta.format_version, 1);
  EXPECT_EQ(c.net->space().name, "micro");
  EXPECT_EQ(c.net->num_classes(), 3);
  EXPECT_DOUBLE_EQ(c.net->options().width_mult, 1.0);
  EXPECT_NEAR(abs_parameter_sum(c.net), 939.742266, 1e-4);  // printed when it was written
  ASSERT_TRUE(c.teacher);
  EXPECT_FALSE(c.optimizer.has_value());
  EXPECT_EQ(c.meta.state["phase"], 1);
  EXPECT_EQ(c.meta.state["global_step"], 6);
  EXPECT_EQ(norm_from_json(c.meta.network).mean[0], 0.5f);
  expect_fixture_run(c.meta.run);
  EXPECT_EQ(c.meta.settings["predictor"]["samples"], 9);  // kept beside, for information

  const CheckpointInfo info = describe_checkpoint(kFormat1);
  EXPECT_EQ(info.format_version, 1);
  expect_fixture_run(info.run);

  // Its sub-nets evaluate, on the run's own (synthetic) data.
  EvalRequest request;
  request.data = info.run.data;
  request.eval = info.run.eval;
  request.seed = info.run.seed;
  request.train_subset = info.run.train.train_subset;
  request.threads = 1;
  const SubnetEvaluation e = evaluate_subnet(kFormat1, c.net->smallest(12), request);
  EXPECT_EQ(e.test_images, 20);
  EXPECT_GE(e.top1, 0);
  EXPECT_LE(e.top1, 100);
}

// A checkpoint written before checkpoints inside an epoch (its state has no "step") resumes at
// the start of the epoch it stopped before, and continues to the end of the run.
TEST(CheckpointFormatTest, Format1CheckpointResumes) {
  TempDir tmp;
  std::filesystem::copy_file(kFormat1, tmp / "supernet.pt");
  const CheckpointInfo info = describe_checkpoint(kFormat1);
  ASSERT_FALSE(info.state.contains("step"));
  TrainJob job;
  job.space = info.space;
  job.supernet = info.supernet;
  job.train = info.run.train;
  job.train.checkpoint_minutes = 0;
  job.eval = info.run.eval;
  job.data = info.run.data;
  job.seed = info.run.seed;
  job.threads = 1;
  job.out_dir = tmp.str();
  job.resume = true;
  int64_t first_step = -1;
  TrainCallbacks watch;
  watch.on_step = [&](const StepInfo& s) {
    if (first_step < 0) first_step = s.global_step;
  };
  const TrainResult r = train_supernet(job, watch);
  EXPECT_EQ(first_step, info.state["global_step"].get<int64_t>() + 1);
  EXPECT_GT(r.steps, 0);
  const Checkpoint c = load_checkpoint(tmp / "supernet.pt");
  EXPECT_EQ(c.meta.format_version, kCheckpointFormatVersion);
  EXPECT_EQ(c.meta.state["phase"], 2);  // finished
  EXPECT_EQ(c.meta.state["step"], 0);
  EXPECT_EQ(c.meta.state["global_step"], info.state["global_step"].get<int64_t>() + r.steps);
}

TEST(CheckpointFormatTest, Format1CheckpointIsRewrittenInTheCurrentFormat) {
  TempDir tmp;
  const Checkpoint old = load_checkpoint(kFormat1);
  save_checkpoint(tmp / "new.pt", old.meta, old.net, old.teacher, nullptr);
  const Checkpoint c = load_checkpoint(tmp / "new.pt");
  EXPECT_EQ(c.meta.format_version, kCheckpointFormatVersion);
  expect_fixture_run(c.meta.run);
  EXPECT_EQ(run_to_json(c.meta.run), run_to_json(old.meta.run));
  EXPECT_NEAR(abs_parameter_sum(c.net), abs_parameter_sum(old.net), 1e-9);
}

TEST(CheckpointFormatTest, NewerFormatIsRefusedWithAClearMessage) {
  TempDir tmp;
  torch::serialize::OutputArchive root;
  root.write("format", c10::IValue(std::string("tinynas-supernet-checkpoint-3")));
  root.write("network", c10::IValue(std::string("{}")));
  root.save_to(tmp / "v3.pt");
  try {
    load_checkpoint(tmp / "v3.pt");
    ADD_FAILURE() << "a format 3 checkpoint loaded";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(tmp / "v3.pt"), std::string::npos) << what;
    EXPECT_NE(what.find("format version 3, newer than this tinynas reads (1 to 2)"),
              std::string::npos)
        << what;
  }
  torch::serialize::OutputArchive other;
  other.write("format", c10::IValue(std::string("tinynas-supernet-checkpoint-x")));
  other.save_to(tmp / "x.pt");
  EXPECT_THROW(load_checkpoint(tmp / "x.pt"), std::invalid_argument);
}

// The run description is the checkpoint's own: the CLI settings stored beside it are never read,
// so a renamed or dropped CLI key changes nothing.
TEST(CheckpointFormatTest, RunDescriptionDoesNotDependOnTheStoredSettings) {
  TempDir tmp;
  OFANetwork net(tiny_space(), SupernetOptions{1.0, 0.1, 0.1, 1e-5}, 4);
  CheckpointMeta meta;
  meta.network = network_json(net, {{0.f, 0.f, 0.f}, {1.f, 1.f, 1.f}});
  meta.run.seed = 11;
  meta.run.data.kind = "mnist";
  meta.run.train.phases = {{"only", {"depth"}, 3, 0.5, 1, 2, "sandwich", true}};
  meta.run.train.augment.flip = false;
  meta.run.eval.epoch_test_subset = 5;
  meta.settings = {{"seed", 99}, {"training", {{"batch", 1}}}};  // a CLI of other key names
  save_checkpoint(tmp / "c.pt", meta, net, nullptr, nullptr);
  const Checkpoint c = load_checkpoint(tmp / "c.pt");
  EXPECT_EQ(run_to_json(c.meta.run), run_to_json(meta.run));
  EXPECT_EQ(c.meta.run.seed, 11u);
  EXPECT_EQ(c.meta.settings, meta.settings);
}

// The trainer records the job's options as given (resolutions not replaced by the data's size).
TEST(CheckpointFormatTest, TrainerRecordsTheRun) {
  TempDir tmp;
  TrainJob job;
  job.space = tiny_space();
  job.supernet.width_mult = 1.0;
  job.train.batch_size = 16;
  job.train.workers = 1;
  job.train.eval_each_epoch = false;
  job.train.phases = {{"full", {}, 1, 0.05, 0, 1, "random", false}};
  job.seed = 5;
  job.threads = 1;
  job.out_dir = tmp.str();
  job.settings = {{"note", "for information"}};
  Trainer(job, data::synthetic_images(16, 12, 12, 3, 4, 1),
          data::synthetic_images(8, 12, 12, 3, 4, 2), {})
      .run();
  const Checkpoint c = load_checkpoint(tmp / "supernet.pt");
  EXPECT_EQ(run_to_json(c.meta.run), run_to_json(RunDescription{job.data, job.train, job.eval, 5}));
  EXPECT_TRUE(c.meta.run.train.resolutions.empty());
  EXPECT_EQ(c.meta.settings, job.settings);
}

// One place for the phase rules: the trainer refuses what the experiment reader refuses.
TEST(CheckpointFormatTest, TrainerAppliesThePhaseRules) {
  TempDir tmp;
  TrainJob job;
  job.space = tiny_space();
  job.out_dir = tmp.str();
  job.train.phases = {{"a", {}, 1, 0.05, -1, 1, "random", false}};
  ASSERT_TRUE(phase_problem(job.train.phases[0]));
  try {
    Trainer(job, data::synthetic_images(16, 12, 12, 3, 4, 1),
            data::synthetic_images(8, 12, 12, 3, 4, 2), {});
    ADD_FAILURE() << "a negative warm-up was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "train: phase 'a': 'warmup_epochs' must be >= 0");
  }
}

}  // namespace
}  // namespace tinynas::supernet
