// `tinynas run` end to end through the executable, on a small PNG image folder and a tiny space:
// every stage runs and the report is written; a run killed with SIGKILL while the supernet trains
// finishes with --resume on the plan it had made; bad inputs exit 2 naming the problem.
// Built only with the supernet (the run trains one).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/png_images.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace tinynas::cli {
namespace {

namespace fs = std::filesystem;
using tinynas::testing::expect_bad_input;
using tinynas::testing::read_text;
using tinynas::testing::run_tinynas;
using tinynas::testing::TempDir;

const char* kTinySpace = R"({
  "name": "tiny", "input_channels": 3, "num_classes": 3,
  "stem": {"channels": 16, "kernel": 3, "stride": 1},
  "first_block": {"channels": 8, "kernel": 3},
  "stages": [{"channels": 16, "stride": 2, "depth": [1, 2]},
             {"channels": 24, "stride": 2, "depth": [1, 2]}],
  "kernels": [3, 5], "expands": [3, 4], "resolutions": [8, 12],
  "width_mults": {"min": 0.5, "max": 1.0, "step": 0.5}
})";

// DATA/{train,test}/c<k>/<i>.png: three learnable classes of 12x12 images.
std::string write_image_folder(const TempDir& dir, int train_per_class, int test_per_class) {
  const fs::path root = dir.path() / "data";
  for (const auto& [split, count] : std::vector<std::pair<std::string, int>>{
           {"train", train_per_class}, {"test", test_per_class}})
    for (int k = 0; k < 3; ++k) {
      const fs::path folder = root / split / ("c" + std::to_string(k));
      fs::create_directories(folder);
      for (int i = 0; i < count; ++i)
        EXPECT_TRUE(tinynas::testing::write_rgb_png(
            (folder / (std::to_string(i) + ".png")).string(),
            tinynas::testing::class_pattern(k, i + (split == "test" ? 1000 : 0), 12), 12));
    }
  return root.string();
}

// Small everything, so the run's stages take seconds; the budget decides the epochs.
std::string write_experiment(const TempDir& dir) {
  const std::string space = dir.file("tiny.json", kTinySpace);
  const nlohmann::json experiment = {
      {"space", space},
      {"threads", 1},
      {"seed", 3},
      {"evolution", {{"population", 16}, {"generations", 4}}},
      {"space_optimizer", {{"samples", 50}}},
      {"train",
       {{"batch_size", 16},
        {"eval_each_epoch", false},
        {"checkpoint_minutes", 0.02},
        {"phases",
         {{{"name", "full"}, {"epochs", 2}, {"lr", 0.05}},
          {{"name", "elastic"},
           {"elastic", {"kernel", "depth", "expand"}},
           {"epochs", 1},
           {"lr", 0.02},
           {"subnets_per_step", 2},
           {"distill", true}}}}}},
      {"eval", {{"calibration_images", 32}, {"calibration_batch", 16}, {"batch_size", 32}}},
      {"predictor", {{"epochs", 50}, {"hidden", {16, 16}}}},
      {"search", {{"validation_images", 30}}}};
  return dir.file("experiment.json", experiment.dump(2));
}

nlohmann::json read_json(const fs::path& path) {
  return nlohmann::json::parse(read_text(path));
}

TEST(RunCliTest, EveryStageRunsAndTheReportSaysWhatCameOut) {
  TempDir dir;
  const std::string data = write_image_folder(dir, 60, 10);
  const std::string out = (dir.path() / "run").string();
  const util::ProcessResult r =
      run_tinynas({"run", "--config", write_experiment(dir), "--data", data, "--sram", "64K",
                   "--flash", "256K", "--budget", "40s", "--out", out, "--quiet"},
                  900);
  ASSERT_EQ(r.exit_code, 0) << r.err << read_text(fs::path(out) / "run.json");
  const nlohmann::json record = read_json(fs::path(out) / "run.json");
  for (const nlohmann::json& stage : record.at("stages"))
    EXPECT_EQ(stage.at("status"), "done") << stage.at("name");
  // 180 training images, 18 of them held out to choose among sub-nets.
  // The supernet's space, cut to what fits (here all of it fits), is every later stage's space.
  const nlohmann::json& trim = record.at("stages").at(0).at("result").at("trim");
  EXPECT_EQ(trim.at("space"), out + "/space/space.json");
  EXPECT_EQ(read_json(trim.at("space").get<std::string>()).at("name"), "tiny");
  EXPECT_EQ(read_json(fs::path(out) / "experiment.json").at("space"), trim.at("space"));
  EXPECT_GT(trim.at("fitting_after").get<double>(), 0);
  EXPECT_TRUE(trim.at("removed").is_array());
  EXPECT_EQ(record.at("measured").at("train_images"), 162);
  EXPECT_EQ(record.at("measured").at("held_out_images"), 18);
  EXPECT_GT(record.at("measured").at("training_rate").at("images_per_s").get<double>(), 0);
  EXPECT_EQ(record.at("stages").at(5).at("name"), "scratch");
  EXPECT_EQ(record.at("stages").at(5).at("plan").at("epochs"),
            record.at("stages").at(4).at("plan").at("epochs"));
  // The default baseline, ResNet-8, at the data's 12x12 images (its own 32x32 would be upsampled).
  const nlohmann::json& baselines = record.at("stages").at(6);
  EXPECT_EQ(baselines.at("name"), "baselines");
  const nlohmann::json& resnet8 = baselines.at("plan").at("networks").at(0);
  EXPECT_EQ(resnet8.at("name"), "resnet8");
  EXPECT_EQ(resnet8.at("arch"), "R12 W1 | k3e1 | k3e1 | k3e1");
  EXPECT_GE(resnet8.at("epochs").get<int>(), 1);
  EXPECT_GT(resnet8.at("measured_images_per_s").get<double>(), 0);
  EXPECT_EQ(read_json(fs::path(out) / "baselines/resnet8/arch.json").at("num_classes"), 3);
  EXPECT_EQ(baselines.at("result").at("networks").at(0).at("int8").at("images"), 30);
  for (const char* file :
       {"supernet/supernet.pt", "predictor.json", "search/arch.json", "finetune/finetune.json",
        "scratch/finetune.json", "model/model.c", "accuracy.json", "profile/profile.csv",
        "report.md", "baselines/resnet8/train/finetune.json", "baselines/resnet8/model/model.c",
        "baselines/resnet8/accuracy.json", "baselines/resnet8/profile/profile.csv"})
    EXPECT_TRUE(fs::exists(fs::path(out) / file)) << file;
  const nlohmann::json accuracy = read_json(fs::path(out) / "accuracy.json");
  EXPECT_EQ(accuracy.at("images"), 30);
  const std::string report = read_text(fs::path(out) / "report.md");
  for (const char* section :
       {"## Stages", "## Sub-space", "## Predictor and search", "## The winner trained on its own",
        "## int8", "On QEMU:", "## The winner against hand-designed baselines",
        "The supernet trains that space cut to the options",
        "| resnet8 | R12 W1 \\| k3e1 \\| k3e1 \\| k3e1 |",
        "\"arch\":\"R12 W1 \\| k3e1"})  // the stages table's plans escape '|' too
    EXPECT_NE(report.find(section), std::string::npos) << section << "\n" << report;

  // A finished run resumed has nothing left to do.
  const util::ProcessResult again = run_tinynas({"run", "--resume", "--out", out, "--quiet"}, 300);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_json(fs::path(out) / "run.json").at("stages"), record.at("stages"));
}

bool supernet_checkpointed(const fs::path& run) {
  return fs::exists(run / "supernet" / "supernet.pt");
}

TEST(RunCliTest, AKilledRunResumesOnItsOwnPlan) {
  TempDir dir;
  const std::string data = write_image_folder(dir, 60, 10);
  const fs::path out = dir.path() / "run";
  std::vector<std::string> args = {TINYNAS_EXECUTABLE, "run",   "--config",   write_experiment(dir),
                                   "--data",           data,    "--sram",     "64K",
                                   "--flash",          "256K",  "--budget",   "60s",
                                   "--no-scratch",     "--out", out.string(), "--quiet"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  // Killed once the supernet has saved a checkpoint (every 0.02 minutes), before it finishes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  int status = 0;
  bool exited = false;
  while (!supernet_checkpointed(out) && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(exited) << "the run ended before it could be killed";
  ASSERT_TRUE(supernet_checkpointed(out));
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  const nlohmann::json killed = read_json(out / "run.json");
  ASSERT_EQ(killed.at("stages").at(1).at("status"), "running");

  const util::ProcessResult r = run_tinynas({"run", "--resume", "--out", out.string()}, 900);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("supernet (resumed)"), std::string::npos) << r.err;
  const nlohmann::json resumed = read_json(out / "run.json");
  // The whole plan was made before the kill, and the resumed run kept to it.
  EXPECT_EQ(resumed.at("measured"), killed.at("measured"));
  for (size_t i = 1; i < killed.at("stages").size(); ++i) {
    const nlohmann::json& before = killed.at("stages").at(i);
    EXPECT_FALSE(before.at("plan").empty() && i <= 4) << before;  // supernet .. finetune
    EXPECT_EQ(resumed.at("stages").at(i).at("plan"), before.at("plan")) << before.at("name");
    EXPECT_EQ(resumed.at("stages").at(i).at("allowance_s"), before.at("allowance_s"));
  }
  for (const nlohmann::json& stage : resumed.at("stages"))
    EXPECT_EQ(stage.at("status"), "done") << stage.at("name");
  EXPECT_TRUE(fs::exists(out / "report.md"));
}

TEST(RunCliTest, BadInputsAreNamed) {
  TempDir dir;
  const std::string data = write_image_folder(dir, 4, 2);
  const std::string experiment = write_experiment(dir);
  const std::string out = (dir.path() / "run").string();
  expect_bad_input({"run", "--data", data, "--out", out}, "needs --budget");
  expect_bad_input({"run", "--data", data, "--budget", "0", "--out", out}, "not a duration");
  expect_bad_input({"run", "--data", data, "--budget", "2x", "--out", out}, "not a duration");
  expect_bad_input({"run", "--budget", "1m", "--out", out}, "needs --data");
  expect_bad_input({"run", "--config", experiment, "--data", data, "--budget", "1m", "--sram", "1K",
                    "--out", out},
                   "SRAM");
  expect_bad_input({"run", "--config", experiment, "--data", data, "--budget", "1m", "--out", out},
                   "too few for batches");
  expect_bad_input({"run", "--config", experiment, "--data", data, "--budget", "1m", "--baselines",
                    "resnet8,,mbv2", "--out", out},
                   "--baselines: expected names or files");
  expect_bad_input({"run", "--config", experiment, "--data", data, "--budget", "1m", "--baselines",
                    "resnet8", "--no-baselines", "--out", out},
                   "at most one of --baselines and --no-baselines");
  expect_bad_input({"run", "--resume"}, "--resume needs --out");
  expect_bad_input({"run", "--resume", "--out", out, "--no-baselines"}, "drop --no-baselines");
  expect_bad_input({"run", "--resume", "--out", out, "--budget", "1m"}, "drop --budget");
  expect_bad_input({"run", "--resume", "--out", (dir.path() / "none").string()}, "does not exist");
  fs::create_directories(dir.path() / "broken");
  dir.file("broken/run.json", "{\"format\": 1, \"settings\": {}");
  expect_bad_input({"run", "--resume", "--out", (dir.path() / "broken").string()}, "corrupt");
}

}  // namespace
}  // namespace tinynas::cli
