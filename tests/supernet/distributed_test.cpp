// Data-parallel training over real processes: each test forks the ranks other than 0 (rank 0 runs
// in the test process), and they meet over a real c10d TCPStore and Gloo on 127.0.0.1. Children
// report through their exit code and files; they end with _exit so that nothing of the test
// process (gtest, static destructors) runs twice.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "data/synthetic.h"
#include "nas/arch.h"
#include "supernet/checkpoint.h"
#include "supernet/gradient_averager.h"
#include "supernet/rendezvous.h"
#include "supernet/trainer.h"
#include "supernet/worker_group.h"
#include "test_support.h"
#include "tests/support/free_port.h"

namespace tinynas::supernet {
namespace {

using testing::TempDir;
using testing::tiny_space;

using tinynas::testing::free_port;

// Runs body(rank) for ranks[1..] in forked children and ranks[0] here; returns each one's
// result (a child's exit code; an exception escaping a child's body gives 101).
std::vector<int> run_ranks(const std::vector<int>& ranks, const std::function<int(int)>& body) {
  std::vector<pid_t> children;
  for (size_t i = 1; i < ranks.size(); ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int code = 101;
      try {
        code = body(ranks[i]);
      } catch (...) {
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    children.push_back(pid);
  }
  std::vector<int> codes{body(ranks[0])};
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  return codes;
}

DistributedOptions rank_options(int world, int rank, int port, double timeout_s = 60) {
  DistributedOptions d;
  d.world_size = world;
  d.rank = rank;
  d.master_port = port;
  d.timeout_s = timeout_s;
  return d;
}

// 2: the expected std::invalid_argument (its message contains `part`), 1: another one, 0: none.
int bad_input_code(const std::function<void()>& f, const std::string& part, std::string* what) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    if (what) *what = e.what();
    return std::string(e.what()).find(part) != std::string::npos ? 2 : 1;
  }
  return 0;
}

TrainJob tiny_job(const std::string& out) {
  TrainJob job;
  job.space = tiny_space();
  job.supernet.width_mult = 1.0;
  job.train.batch_size = 16;
  job.train.resolutions = {8, 12};
  job.train.phases = {{"full", {}, 1, 0.05, 0.5, 1, "random", false},
                      {"kernel", {"kernel"}, 1, 0.02, 0, 2, "random", true},
                      {"all", {"kernel", "depth", "expand"}, 1, 0.01, 0, 3, "sandwich", true}};
  job.eval.calibration_images = 32;
  job.eval.calibration_batch = 16;
  job.eval.epoch_test_subset = 32;
  job.seed = 3;
  job.threads = 1;
  job.out_dir = out;
  return job;
}

data::ImageSet tiny_data(int64_t n, uint64_t seed) {
  return data::synthetic_images(n, 12, 12, 3, 4, seed);
}

torch::Tensor flat_parameters(const OFANetwork& net) {
  std::vector<torch::Tensor> all;
  for (const auto& p : net->parameters()) all.push_back(p.detach().flatten());
  return torch::cat(all);
}

// The sub-nets of every step, one JSON line each.
TrainCallbacks record_subnets(std::string& log) {
  TrainCallbacks c;
  c.on_subnets = [&log](int64_t step, const std::vector<nas::Arch>& archs) {
    nlohmann::json line = {{"step", step}, {"archs", nlohmann::json::array()}};
    for (const nas::Arch& a : archs) line["archs"].push_back(nas::arch_to_json(a));
    log += line.dump() + "\n";
  };
  return c;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct SingleRun {
  torch::Tensor parameters;
  std::string subnets;
  std::vector<EpochInfo> history;
};

SingleRun train_alone(const std::string& out, int micro_batches) {
  SingleRun r;
  TrainJob job = tiny_job(out);
  job.micro_batches = micro_batches;
  Trainer t(job, tiny_data(64, 1), tiny_data(32, 2), record_subnets(r.subnets));
  r.history = t.run().history;
  r.parameters = flat_parameters(t.network());
  return r;
}

// The equivalence: with BN statistics per rank (as Once-for-All), 2 ranks with 8 rows
// each compute what one process computes when it splits every batch of 16 into the same two
// micro-batches (dropout included: its masks are seeded per step, sub-net and shard).
TEST(DistributedTrainingTest, TwoRanksTrainTheWeightsOfOneProcessWithTwoMicroBatches) {
  TempDir dist, single, plain;
  const int port = free_port();
  const std::vector<int> codes = run_ranks({0, 1}, [&](int rank) {
    TrainJob job = tiny_job(dist.str());
    job.distributed = rank_options(2, rank, port);
    std::string subnets;
    Trainer t(job, tiny_data(64, 1), tiny_data(32, 2), record_subnets(subnets));
    const TrainResult r = t.run();
    torch::save(flat_parameters(t.network()), dist / ("rank" + std::to_string(rank) + ".pt"));
    std::ofstream(dist / ("subnets" + std::to_string(rank) + ".jsonl")) << subnets;
    return r.steps == 12 ? 0 : 3;
  });
  ASSERT_EQ(codes, (std::vector<int>{0, 0}));

  torch::Tensor rank0, rank1;
  torch::load(rank0, dist / "rank0.pt");
  torch::load(rank1, dist / "rank1.pt");
  const SingleRun two = train_alone(single.str(), 2);
  const SingleRun one = train_alone(plain.str(), 1);
  EXPECT_TRUE(torch::equal(rank0, rank1)) << "the ranks' weights drifted apart";
  const double diff = (rank0 - two.parameters).abs().max().item<double>();
  EXPECT_LE(diff, 1e-5);
  // The comparison has teeth: BN statistics over 16 rows instead of 8 train other weights.
  EXPECT_GT((rank0 - one.parameters).abs().max().item<double>(), 1e-3);
  // Every rank trained the sub-nets the single process trained, step by step, and they vary.
  const std::string subnets0 = read_text(dist / "subnets0.jsonl");
  EXPECT_EQ(subnets0, read_text(dist / "subnets1.jsonl"));
  EXPECT_EQ(subnets0, two.subnets);
  EXPECT_NE(subnets0.find("\"step\":11"), std::string::npos);
  // Only rank 0 wrote: one checkpoint and one log, with the loss averaged over both ranks.
  EXPECT_TRUE(std::filesystem::exists(dist / "supernet.pt"));
  const Checkpoint c = load_checkpoint(dist / "supernet.pt");
  EXPECT_EQ(c.meta.state["world_size"], 2);
  EXPECT_NEAR(c.meta.state["history"][2]["loss"].get<double>(), two.history[2].loss, 1e-4);
}

TEST(DistributedTrainingTest, ResumesWithTheSameShardsAndRefusesOthers) {
  TempDir dist, single;
  const int port = free_port(), port2 = free_port();
  struct Killed {};
  // Both ranks stop after step 10 (the checkpoint holds epochs 1 and 2, 8 steps), then resume.
  const std::vector<int> codes = run_ranks({0, 1}, [&](int rank) {
    TrainJob job = tiny_job(dist.str());
    job.distributed = rank_options(2, rank, port);
    TrainCallbacks kill;
    kill.on_step = [](const StepInfo& s) {
      if (s.global_step == 10) throw Killed{};
    };
    try {
      Trainer(job, tiny_data(64, 1), tiny_data(32, 2), kill).run();
      return 3;
    } catch (const Killed&) {
    }
    job.resume = true;
    job.distributed.master_port = port2;
    Trainer t(job, tiny_data(64, 1), tiny_data(32, 2), {});
    const TrainResult r = t.run();
    torch::save(flat_parameters(t.network()), dist / ("rank" + std::to_string(rank) + ".pt"));
    return r.steps == 4 ? 0 : 4;
  });
  ASSERT_EQ(codes, (std::vector<int>{0, 0}));
  torch::Tensor resumed;
  torch::load(resumed, dist / "rank0.pt");
  const SingleRun two = train_alone(single.str(), 2);
  EXPECT_LE((resumed - two.parameters).abs().max().item<double>(), 1e-5);

  // One process can continue it with 2 micro-batches (the same computation) but not alone.
  TrainJob alone = tiny_job(dist.str());
  alone.resume = true;
  std::string what;
  EXPECT_EQ(bad_input_code([&] { Trainer(alone, tiny_data(64, 1), tiny_data(32, 2), {}); },
                           "world size 2", &what),
            2)
      << what;
  alone.micro_batches = 2;
  EXPECT_TRUE(Trainer(alone, tiny_data(64, 1), tiny_data(32, 2), {}).run().already_finished);
}

TEST(DistributedTrainingTest, ADyingRankStopsTheOthersAndLeavesTheLastCheckpoint) {
  TempDir dist;
  const int port = free_port();
  std::string error;
  const std::vector<int> codes = run_ranks({0, 1}, [&](int rank) {
    TrainJob job = tiny_job(dist.str());
    job.distributed = rank_options(2, rank, port, /*timeout_s=*/30);
    TrainCallbacks die;
    if (rank == 1)
      die.on_step = [](const StepInfo& s) {
        if (s.global_step == 6) ::_exit(7);  // no clean-up: as if killed
      };
    try {
      Trainer(job, tiny_data(64, 1), tiny_data(32, 2), die).run();
    } catch (const std::runtime_error& e) {
      error = e.what();
      return 1;
    }
    return 0;
  });
  EXPECT_EQ(codes, (std::vector<int>{1, 7}));
  EXPECT_NE(error.find("rank 0 of 2"), std::string::npos) << error;
  EXPECT_NE(error.find("failed"), std::string::npos) << error;
  const Checkpoint c = load_checkpoint(dist / "supernet.pt");
  EXPECT_EQ(c.meta.state["global_step"], 4);  // the end of the first epoch
  // Nothing else: no half-written file, and rank 1 never wrote.
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dist.str()))
    files.insert(e.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{"supernet.pt", "train_log.csv"}));
}

TEST(DistributedTrainingTest, BatchMustSplitEvenlyOverTheShards) {
  TempDir tmp;
  TrainJob job = tiny_job(tmp.str());
  job.distributed = rank_options(3, 0, free_port());
  std::string what;
  EXPECT_EQ(bad_input_code([&] { Trainer(job, tiny_data(64, 1), tiny_data(32, 2), {}); },
                           "not divisible by world size 3", &what),
            2)
      << what;
}

TEST(RendezvousTest, UnreachableMasterIsBadInputNamingIt) {
  const int port = free_port();
  std::string what;
  EXPECT_EQ(bad_input_code([&] { rendezvous(rank_options(2, 1, port, 1.5), {}); },
                           "cannot reach the master at 127.0.0.1:" + std::to_string(port), &what),
            2)
      << what;
}

TEST(RendezvousTest, RankOutOfRangeIsBadInput) {
  std::string what;
  EXPECT_EQ(bad_input_code([&] { rendezvous(rank_options(2, 2, free_port()), {}); },
                           "--rank 2 is out of range", &what),
            2)
      << what;
}

TEST(RendezvousTest, DifferentConfigurationsStopEveryRankNamingTheKey) {
  const int port = free_port();
  std::string what0;
  const std::vector<int> codes = run_ranks({0, 1}, [&](int rank) {
    const nlohmann::json fingerprint = {{"seed", 3},
                                        {"train", {{"batch_size", rank == 0 ? 16 : 32}}}};
    return bad_input_code([&] { rendezvous(rank_options(2, rank, port, 20), fingerprint); },
                          "at '/train/batch_size': ", rank == 0 ? &what0 : nullptr);
  });
  EXPECT_EQ(codes, (std::vector<int>{2, 2}));
  EXPECT_NE(what0.find("32 there, 16 here"), std::string::npos) << what0;
}

TEST(RendezvousTest, ARankClaimedTwiceStopsEveryRank) {
  const int port = free_port();
  const std::vector<int> codes = run_ranks({0, 1, 1}, [&](int rank) {
    return bad_input_code([&] { rendezvous(rank_options(3, rank, port, 20), {}); },
                          "rank 1 was claimed by 2 processes", nullptr);
  });
  EXPECT_EQ(codes, (std::vector<int>{2, 2, 2}));
}

// Gradients: averaged where defined, left undefined where not; ranks whose defined sets differ
// stop with an error instead of adding up unrelated numbers.
TEST(GradientAveragerTest, AveragesDefinedGradientsAndRejectsDifferentLayouts) {
  const int port = free_port();
  const std::vector<int> codes = run_ranks({0, 1}, [&](int rank) {
    WorkerGroup group(rank_options(2, rank, port, 20), {});
    std::vector<torch::Tensor> params;
    for (int i = 0; i < 3; ++i) params.push_back(torch::zeros({5}, torch::requires_grad()));
    GradientAverager averager(group, params, /*bucket_bytes=*/8);  // several buckets
    params[0].mutable_grad() = torch::full({5}, rank + 1.0);
    params[2].mutable_grad() = torch::full({5}, 10.0 * (rank + 1));
    const double loss = averager.average(rank == 0 ? 1.0 : 3.0);
    if (loss != 2.0 || !torch::allclose(params[0].grad(), torch::full({5}, 1.5)) ||
        params[1].grad().defined() || !torch::allclose(params[2].grad(), torch::full({5}, 15.0)))
      return 3;
    if (rank == 1) params[1].mutable_grad() = torch::ones({5});  // rank 1 alone has more
    try {
      averager.average(0);
    } catch (const std::runtime_error& e) {
      return std::string(e.what()).find("different parameters") != std::string::npos ? 0 : 4;
    }
    return 5;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

}  // namespace
}  // namespace tinynas::supernet
