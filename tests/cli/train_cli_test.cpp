// `tinynas train` end to end through the executable: killed with SIGKILL inside an epoch and
// resumed with --resume, it ends with the same supernet, bit for bit, as a run never interrupted;
// a bad checkpoint interval exits 2 naming it. The test loads the checkpoints itself (LibTorch),
// so it is built only with the supernet.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "supernet/checkpoint.h"
#include "tests/supernet/identical_networks.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace tinynas::cli {
namespace {

using tinynas::supernet::testing::expect_identical;
using tinynas::testing::expect_bad_input;
using tinynas::testing::read_text;
using tinynas::testing::run_tinynas;
using tinynas::testing::TempDir;
using util::ProcessResult;

// A tiny space, synthetic data and three phases of 40 steps each: the kernel phase (after the
// teacher snapshot) is where the run is killed; the last one sorts channels when it starts.
nlohmann::json tiny_experiment(const std::string& space_path) {
  return {{"space", space_path},
          {"seed", 5},
          {"threads", 1},
          {"data",
           {{"kind", "synthetic"},
            {"synthetic", {{"train", 320}, {"test", 16}, {"size", 12}, {"classes", 4}}}}},
          {"supernet", {{"width_mult", 1.0}}},
          {"train",
           {{"batch_size", 8},
            {"resolutions", {8, 12}},
            {"checkpoint_minutes", 0},
            {"phases",
             {{{"name", "full"}, {"epochs", 1}, {"lr", 0.05}, {"warmup_epochs", 0.5}},
              {{"name", "kernel"},
               {"elastic", {"kernel"}},
               {"epochs", 1},
               {"lr", 0.02},
               {"subnets_per_step", 2},
               {"distill", true}},
              {{"name", "all"},
               {"elastic", {"kernel", "depth", "expand"}},
               {"epochs", 1},
               {"lr", 0.01},
               {"subnets_per_step", 3},
               {"sampling", "sandwich"},
               {"distill", true}}}}}},
          {"eval",
           {{"calibration_images", 16},
            {"calibration_batch", 16},
            {"batch_size", 16},
            {"epoch_test_subset", 16}}}};
}

const char* kTinySpace = R"({
  "name": "tiny", "input_channels": 3, "num_classes": 4,
  "stem": {"channels": 16, "kernel": 3, "stride": 1},
  "first_block": {"channels": 8, "kernel": 3},
  "stages": [{"channels": 16, "stride": 2, "depth": [1, 2]},
             {"channels": 16, "stride": 1, "depth": [1, 2]}],
  "kernels": [3, 5, 7], "expands": [3, 4, 6], "resolutions": [8, 12], "width_mults": [1.0]
})";

// `tinynas ARGS` started in the background, stdout and stderr into files; killed (SIGKILL) and
// reaped when it goes out of scope still running.
class BackgroundTinynas {
 public:
  BackgroundTinynas(std::vector<std::string> args, const std::string& err_path) {
    args.insert(args.begin(), TINYNAS_EXECUTABLE);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    if (posix_spawn(&pid_, argv[0], &files, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&files);
  }
  ~BackgroundTinynas() { kill(); }
  BackgroundTinynas(const BackgroundTinynas&) = delete;
  BackgroundTinynas& operator=(const BackgroundTinynas&) = delete;

  bool started() const { return pid_ > 0; }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;
    return false;
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

nlohmann::json losses(const nlohmann::json& history) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : history) out.push_back({row["phase"], row["loss"], row["lr"]});
  return out;
}

TEST(TrainCliTest, KilledInsideAnEpochAndResumedEndsBitForBitAsAnUninterruptedRun) {
  TempDir tmp;
  const std::string config =
      tmp.file("experiment.json", tiny_experiment(tmp.file("tiny.json", kTinySpace)).dump());
  const std::string straight = tmp / "straight", killed = tmp / "killed";

  const ProcessResult a = run_tinynas({"train", "--config", config, "--out", straight, "--quiet"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.err.find(": checkpoint saved"), std::string::npos)  // checkpoint_minutes 0
      << a.err;

  // A checkpoint after every step; SIGKILL once one inside the kernel phase's epoch is reported.
  const std::string err_path = tmp / "killed.err";
  BackgroundTinynas b(
      {"train", "--config", config, "--out", killed, "--quiet", "--checkpoint-minutes", "0.000001"},
      err_path);
  ASSERT_TRUE(b.started());
  bool seen = false;
  while (!seen && b.running()) {
    seen =
        read_text(err_path).find("kernel epoch 1 step 3/40: checkpoint saved") != std::string::npos;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(seen) << "the run ended before its kernel phase saved step 3:\n"
                    << read_text(err_path);
  b.kill();
  const supernet::Checkpoint at_kill = supernet::load_checkpoint(killed + "/supernet.pt");
  EXPECT_EQ(at_kill.meta.state["phase"], 1);
  EXPECT_GE(at_kill.meta.state["step"].get<int64_t>(), 3);  // inside the epoch

  const ProcessResult c = run_tinynas({"train", "--config", config, "--out", killed, "--resume",
                                       "--quiet", "--checkpoint-minutes", "0.000001"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.err.find("resuming at phase 'kernel' epoch 1 step " +
                       std::to_string(at_kill.meta.state["step"].get<int64_t>()) + "/40"),
            std::string::npos)
      << c.err;

  const supernet::Checkpoint x = supernet::load_checkpoint(straight + "/supernet.pt");
  const supernet::Checkpoint y = supernet::load_checkpoint(killed + "/supernet.pt");
  EXPECT_EQ(y.meta.state["phase"], 3);
  expect_identical(x.net, y.net, "network");
  expect_identical(x.teacher, y.teacher, "teacher");
  EXPECT_EQ(losses(x.meta.state["history"]), losses(y.meta.state["history"]));
}

TEST(TrainCliTest, ANegativeCheckpointIntervalIsBadInput) {
  TempDir tmp;
  const nlohmann::json experiment = tiny_experiment(tmp.file("tiny.json", kTinySpace));
  const std::string config = tmp.file("experiment.json", experiment.dump());
  expect_bad_input({"train", "--config", config, "--out", tmp / "a", "--checkpoint-minutes", "-1"},
                   "--checkpoint-minutes (train.checkpoint_minutes) must be >= 0");
  nlohmann::json bad = experiment;
  bad["train"]["checkpoint_minutes"] = -0.5;
  expect_bad_input({"train", "--config", tmp.file("bad.json", bad.dump()), "--out", tmp / "b"},
                   "'checkpoint_minutes' must be >= 0");
  EXPECT_FALSE(std::filesystem::exists(tmp / "a"));
}

TEST(FinetuneCliTest, FineTunesASubnetOfATrainedSupernetAndExtractsIt) {
  TempDir tmp;
  nlohmann::json experiment = tiny_experiment(tmp.file("tiny.json", kTinySpace));
  experiment["train"]["train_subset"] = 256;  // 64 held-out images to measure on
  experiment["train"]["phases"] = {{{"name", "full"}, {"epochs", 1}, {"lr", 0.05}}};
  experiment["finetune"] = {{"epochs", 1}, {"lr", 0.02}};
  const std::string config = tmp.file("experiment.json", experiment.dump());
  const ProcessResult trained =
      run_tinynas({"train", "--config", config, "--out", tmp / "supernet", "--quiet"});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const std::string checkpoint = tmp / "supernet/supernet.pt";

  const ProcessResult r = run_tinynas({"finetune", "--supernet", checkpoint, "smallest",
                                       "--resolution", "12", "--quiet", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::filesystem::path out = tmp / "supernet/finetune";  // the default folder
  const nlohmann::json result = nlohmann::json::parse(read_text(out / "finetune.json"));
  EXPECT_EQ(result["init"], "supernet");
  EXPECT_EQ(result["epochs"], 1);
  EXPECT_EQ(result["inherited"]["validation"]["images"], 64);
  EXPECT_EQ(result["finetuned"]["test"]["images"], 16);
  EXPECT_TRUE(std::filesystem::exists(out / "subnet" / "weights.json"));
  EXPECT_TRUE(std::filesystem::exists(out / "subnet" / "arch.json"));
  EXPECT_NE(r.out.find("after fine-tuning"), std::string::npos) << r.out;

  // The same folder again without --resume is refused; with it, nothing is left to train.
  expect_bad_input({"finetune", "--supernet", checkpoint, "smallest", "--resolution", "12"},
                   "pass --resume");
  const ProcessResult again = run_tinynas({"finetune", "--supernet", checkpoint, "smallest",
                                           "--resolution", "12", "--resume", "--quiet"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(read_text(out / "finetune.json"))["finetuned"],
            result["finetuned"]);

  expect_bad_input(
      {"finetune", "--supernet", checkpoint, "smallest", "--init", "random", "--out", tmp / "x"},
      "'finetune.init' must be \"supernet\" or \"scratch\"");
  expect_bad_input(
      {"finetune", "--supernet", checkpoint, "smallest", "--epochs", "0", "--out", tmp / "x"},
      "'finetune.epochs' must be at least 1");
  expect_bad_input(
      {"finetune", "--supernet", checkpoint, "smallest", "--resume", "--out", tmp / "nothing"},
      "--resume: there is no run folder");
  EXPECT_FALSE(std::filesystem::exists(tmp / "x"));
}

// A hand-designed network of a residual space (no first block, a projected skip), trained from a
// random initialisation without any supernet, measured on held-out and test images, extracted.
TEST(FinetuneCliTest, TrainsAnArchFromScratchWithoutASupernet) {
  TempDir tmp;
  const std::string space = tmp.file("res.json", R"({
    "name": "res", "num_classes": 4,
    "stem": {"channels": 8, "kernel": 3, "stride": 1},
    "stages": [{"channels": 8, "stride": 1, "depth": [1], "block": "residual"},
               {"channels": 16, "stride": 2, "depth": [1, 2], "block": "residual"}],
    "kernels": [3], "expands": [1], "resolutions": [12], "width_mults": [1.0]
  })");
  const std::string arch = tmp.file("arch.json", R"({
    "space": "res", "resolution": 12, "width_mult": 1.0, "num_classes": 4,
    "stages": [{"kernel": [3], "expand": [1]}, {"kernel": [3, 3], "expand": [1, 1]}]
  })");
  nlohmann::json experiment = tiny_experiment(space);
  experiment["train"]["train_subset"] = 256;  // 64 held-out images to measure on
  experiment["finetune"] = {{"epochs", 1}, {"lr", 0.05}};
  const std::string config = tmp.file("experiment.json", experiment.dump());
  const ProcessResult r = run_tinynas({"finetune", "--init", "scratch", arch, "--space", space,
                                       "--config", config, "--out", tmp / "r", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json result = nlohmann::json::parse(read_text(tmp / "r/finetune.json"));
  EXPECT_EQ(result["init"], "scratch");
  EXPECT_TRUE(result["supernet"].is_null());
  EXPECT_FALSE(result["distill"].get<bool>());
  EXPECT_TRUE(result["inherited"]["test"].is_null());
  EXPECT_EQ(result["finetuned"]["validation"]["images"], 64);
  EXPECT_EQ(result["finetuned"]["test"]["images"], 16);
  EXPECT_NE(r.out.find("trained from scratch"), std::string::npos) << r.out;
  // The extracted weights name the residual layers (stem 8 -> 8: identity; 8 -> 16: projected).
  const std::string weights = read_text(tmp / "r/subnet/weights.json");
  EXPECT_NE(weights.find("b2.shortcut"), std::string::npos);
  EXPECT_EQ(weights.find("b1.shortcut"), std::string::npos);
  EXPECT_NE(weights.find("b3.conv2"), std::string::npos);

  expect_bad_input({"finetune", arch, "--space", space, "--config", config, "--out", tmp / "y"},
                   "tinynas finetune needs --supernet CKPT");
}

}  // namespace
}  // namespace tinynas::cli
