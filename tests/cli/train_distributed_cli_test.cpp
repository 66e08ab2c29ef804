// tinynas train data-parallel, end to end: --nproc 2 on this machine, and the bad inputs of
// --world-size / --rank / --master (exit 2 with the reason), with real processes meeting over a
// real TCP rendezvous on 127.0.0.1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/free_port.h"
#include "tests/support/temp_dir.h"
#include "util/process.h"

#ifdef TINYNAS_WITH_TORCH
namespace tinynas::cli {
namespace {

using tinynas::testing::expect_bad_input;
using tinynas::testing::run_tinynas;
using tinynas::testing::TempDir;
namespace fs = std::filesystem;
using util::ProcessResult;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

using tinynas::testing::free_port;

// A few seconds of training: synthetic 16x16 images, one epoch of 4 steps of the cifar space.
std::string tiny_config(const TempDir& tmp) {
  const std::string path = (tmp.path() / "tiny.json").string();
  std::ofstream(path) << R"({
    "space": "cifar", "seed": 1,
    "data": {"kind": "synthetic", "synthetic": {"train": 64, "test": 16, "size": 16, "classes": 4}},
    "supernet": {"width_mult": 0.35},
    "train": {"batch_size": 16, "resolutions": [16],
              "phases": [{"name": "full", "epochs": 1, "lr": 0.05}]},
    "eval": {"calibration_images": 16, "calibration_batch": 16, "epoch_test_subset": 16}
  })";
  return path;
}

std::vector<std::string> rank_args(const std::string& config, const std::string& out, int rank,
                                   int port) {
  return {"train",
          "--config",
          config,
          "--out",
          out,
          "--threads",
          "1",
          "--world-size",
          "2",
          "--rank",
          std::to_string(rank),
          "--master",
          "127.0.0.1:" + std::to_string(port),
          "--dist-timeout",
          "30",
          "--quiet"};
}

TEST(TrainDistributedCliTest, NprocTwoTrainsAndOnlyRankZeroWrites) {
  TempDir tmp;
  const std::string out = (tmp.path() / "run").string();
  const ProcessResult r = run_tinynas(
      {"train", "--config", tiny_config(tmp), "--out", out, "--nproc", "2", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("data-parallel: 2 ranks"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("trained 4 steps"), std::string::npos) << r.out;
  // What rank 0 writes, and nothing from rank 1.
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(out)) files.insert(e.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{"config.json", "supernet.pt", "train_log.csv"}));
  // --resume of the finished run with the same world size has nothing to do.
  const ProcessResult again = run_tinynas({"train", "--config", tiny_config(tmp), "--out", out,
                                           "--nproc", "2", "--threads", "1", "--resume"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already finished"), std::string::npos) << again.out;
}

// Two ranks started with different seeds: both stop with exit 2 naming the key.
TEST(TrainDistributedCliTest, MismatchedConfigsBetweenRanksAreBadInput) {
  TempDir tmp;
  const std::string config = tiny_config(tmp);
  const int port = free_port();
  std::vector<std::future<ProcessResult>> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    std::vector<std::string> args = rank_args(config, (tmp.path() / "run").string(), rank, port);
    args.insert(args.end(), {"--seed", std::to_string(10 + rank)});
    ranks.push_back(std::async(std::launch::async, [args] { return run_tinynas(args); }));
  }
  for (auto& f : ranks) {
    const ProcessResult r = f.get();
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("configuration differs"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("/run/seed"), std::string::npos) << r.err;
  }
}

TEST(TrainDistributedCliTest, UnreachableMasterWrongRankAndBadFlagsAreBadInput) {
  TempDir tmp;
  const std::string config = tiny_config(tmp);
  const std::string out = (tmp.path() / "run").string();
  const int port = free_port();
  std::vector<std::string> unreachable = rank_args(config, out, 1, port);
  unreachable[unreachable.size() - 2] = "2";  // --dist-timeout 2
  expect_bad_input(unreachable, "cannot reach the master at 127.0.0.1:" + std::to_string(port));
  expect_bad_input(rank_args(config, out, 2, port), "--rank 2 is out of range");
  expect_bad_input({"train", "--config", config, "--world-size", "2", "--rank", "1"},
                   "needs --master HOST:PORT");
  expect_bad_input({"train", "--config", config, "--world-size", "2", "--rank", "0", "--master",
                    "127.0.0.1:99999"},
                   "--master must be HOST:PORT");
  expect_bad_input({"train", "--config", config, "--nproc", "2", "--rank", "0"},
                   "do not combine it with");
  // Batches of 16 do not split over 3 ranks: every rank says so, and --nproc reports it.
  expect_bad_input({"train", "--config", config, "--out", out, "--nproc", "3", "--threads", "1"},
                   "not divisible by world size 3");
}

}  // namespace
}  // namespace tinynas::cli
#endif
