// The tinynas executable end to end: good runs write the contract's files and are deterministic
// for a seed. The bad inputs are one table in bad_input_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"
#include "util/json_reader.h"
#include "util/process.h"

namespace tinynas::cli {
namespace {

using tinynas::testing::read_text;
using tinynas::testing::run_tinynas;
using tinynas::testing::TempDir;
namespace fs = std::filesystem;
using util::ProcessResult;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

ProcessResult tinynas(std::vector<std::string> args) {
  return run_tinynas(std::move(args));
}

TEST(CliBadInputTest, ImpossibleBudgetNamesTheSmallestSubNet) {
  const ProcessResult r = tinynas({"search", "--sram", "24K", "--flash", "1M"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("even the smallest one (R48 W0.2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needs SRAM"), std::string::npos) << r.err;
}

// The commands `tinynas --help` lists: the first word of each line under "commands:".
std::vector<std::string> listed_commands() {
  const ProcessResult r = tinynas({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  std::istringstream text(r.out);
  std::vector<std::string> commands;
  bool in_list = false;
  for (std::string line; std::getline(text, line);) {
    if (line == "commands:") {
      in_list = true;
    } else if (in_list && line.rfind("  ", 0) == 0) {
      commands.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in_list) {
      break;
    }
  }
  return commands;
}

// --help of every command the usage lists (and of the actions with options of their own): exit 0,
// the command's usage on stdout, nothing on stderr.
TEST(CliTest, HelpOnEveryCommand) {
  std::vector<std::string> commands = listed_commands();
  EXPECT_EQ(commands.size(), 16u) << "a command was added or dropped: check this test";
  std::vector<std::vector<std::string>> invocations;
  for (const std::string& c : commands) invocations.push_back({c, "--help"});
  invocations.push_back({"predictor", "build", "--help"});
  invocations.push_back({"latency", "build", "--help"});
  invocations.push_back({"latency", "eval", "--help"});
  invocations.push_back({"latency", "calibrate", "--help"});
  for (const std::vector<std::string>& args : invocations) {
    const std::string name = args.size() == 3 ? args[0] + " " + args[1] : args[0];
    const ProcessResult r = tinynas(args);
#ifndef TINYNAS_WITH_TORCH
    if (name == "train" || name == "eval" || name == "extract" || name == "finetune" ||
        name == "run" || name.rfind("predictor", 0) == 0) {
      EXPECT_EQ(r.exit_code, 1) << name;  // this build has no supernet, and says so
      EXPECT_NE(r.err.find("without LibTorch"), std::string::npos) << name << ": " << r.err;
      continue;
    }
#endif
    EXPECT_EQ(r.exit_code, 0) << name << "\nstderr: " << r.err;
    EXPECT_NE(r.out.find("tinynas " + name), std::string::npos) << name << ": " << r.out;
    EXPECT_NE(r.out.find("sage:"), std::string::npos) << name << ": " << r.out;  // [Uu]sage:
    EXPECT_EQ(r.err, "") << name;
  }
  EXPECT_EQ(tinynas({"help"}).exit_code, 0);
  EXPECT_EQ(tinynas({}).exit_code, 2);
}

// tinynas config defaults prints a file that reads back, strictly, to the same settings; keys
// describes them; show reads a file the way --config does.
TEST(CliTest, ConfigPrintsTheSchema) {
  const ProcessResult defaults = tinynas({"config", "defaults"});
  ASSERT_EQ(defaults.exit_code, 0) << defaults.err;
  const nlohmann::json j = nlohmann::json::parse(defaults.out);
  EXPECT_EQ(j.at("evolution").at("population"), 100);
  EXPECT_EQ(j.at("train").at("phases").size(), 4u);
  TempDir tmp;
  const ProcessResult shown = tinynas({"config", "show", tmp.file("defaults.json", defaults.out)});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(nlohmann::json::parse(shown.out), j);

  const ProcessResult keys = tinynas({"config", "keys"});
  EXPECT_EQ(keys.exit_code, 0);
  EXPECT_NE(keys.out.find("evolution.population (integer, default 100)"), std::string::npos);
}

#ifdef TINYNAS_WITH_TORCH
// A checkpoint of format 1 (written before checkpoints described their run themselves) still
// evaluates: its data set, seed and training subset come from the settings it stored then.
TEST(CliTest, EvaluatesAFormat1Checkpoint) {
  const std::string checkpoint = kConfigs + "/../tests/supernet/fixtures/checkpoint_format1.pt";
  TempDir tmp;
  const std::string copy = (tmp.path() / "supernet.pt").string();
  fs::copy_file(checkpoint, copy);  // the data cache goes beside it
  const ProcessResult r =
      tinynas({"eval", "--supernet", copy, "largest", "--threads", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("test_images"), 20);            // synthetic test split of the stored settings
  EXPECT_EQ(j.at("calibration_images"), 16);     // their eval.calibration_images
  EXPECT_EQ(j.at("arch").at("resolution"), 12);  // the largest training resolution
}
#endif

// A training-free proxy as the search's fitness: result.json names it; a build without LibTorch
// says it cannot run networks.
TEST(CliTest, SearchesWithATrainingFreeProxy) {
  TempDir tmp;
  const ProcessResult r = tinynas(
      {"search", "--space",      "resnet", "--sram",        "64K", "--flash",   "256K", "--fitness",
       "zen",    "--population", "8",      "--generations", "2",   "--samples", "200",  "--threads",
       "1",      "--quiet",      "--out",  tmp.str()});
#ifdef TINYNAS_WITH_TORCH
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = util::read_json_file(tmp.str() + "/result.json");
  EXPECT_EQ(j.at("fitness_kind"), "zen");
  EXPECT_EQ(j.at("settings").at("search").at("fitness"), "zen");
  EXPECT_TRUE(std::isfinite(j.at("fitness").get<double>()));
#else
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("without LibTorch"), std::string::npos) << r.err;
#endif
}

TEST(CliTest, CostJsonFollowsTheContract) {
  const ProcessResult r =
      tinynas({"cost", kConfigs + "/archs/mcunet-in2.json", "--json", "--board", "stm32f746"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["macs"], 67287200);
  EXPECT_EQ(j["sram_bytes_naive"], 332800);
  for (const char* key : {"params", "flash_bytes", "sram_bytes", "layers", "blocks", "fits"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_LE(j["sram_lower_bound"].get<int64_t>(), j["sram_bytes"].get<int64_t>());
  const nlohmann::json& layer = j["layers"][0];
  for (const char* key : {"name", "type", "in_shape", "out_shape", "macs", "params", "sram_bytes"})
    EXPECT_TRUE(layer.contains(key)) << key;
  EXPECT_EQ(layer["name"], "stem");
  EXPECT_EQ(layer["in_shape"], nlohmann::json({160, 160, 3}));
}

class CliSearchTest : public ::testing::Test {
 protected:
  ProcessResult search(const std::string& out, const std::string& seed) {
    return tinynas({"search", "--sram", "256K", "--flash", "1M", "--samples", "60", "--generations",
                    "8", "--population", "30", "--seed", seed, "--quiet", "--out",
                    (dir_.path() / out).string()});
  }
  nlohmann::json result(const std::string& out) {
    return nlohmann::json::parse(read_text(dir_.path() / out / "result.json"));
  }
  TempDir dir_;
};

TEST_F(CliSearchTest, WritesTheContractFiles) {
  const ProcessResult r = search("a", "1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = result("a");
  EXPECT_EQ(j["fitness_kind"], "flops_proxy");
  EXPECT_TRUE(j["space"].contains("resolution"));
  EXPECT_TRUE(j["space"].contains("width_mult"));
  EXPECT_EQ(j["arch"]["resolution"], j["space"]["resolution"]);
  EXPECT_TRUE(j["cost"]["fits"].get<bool>());
  EXPECT_LE(j["cost"]["sram_total_bytes"].get<int64_t>(), 256 * 1024);
  EXPECT_DOUBLE_EQ(j["fitness"].get<double>(), j["cost"]["macs"].get<double>() / 1e6);
  const std::string ranking = read_text(dir_.path() / "a" / "space_ranking.csv");
  EXPECT_EQ(ranking.rfind("rank,resolution,width_mult,sampled,satisfying", 0), 0u);
  EXPECT_EQ(std::count(ranking.begin(), ranking.end(), '\n'), 1 + 108);
  const std::string evolution = read_text(dir_.path() / "a" / "evolution.csv");
  EXPECT_EQ(std::count(evolution.begin(), evolution.end(), '\n'), 1 + 8);
  EXPECT_TRUE(fs::exists(dir_.path() / "a" / "flops_cdf.csv"));
  EXPECT_TRUE(fs::exists(dir_.path() / "a" / "arch.json"));
  // The winner's arch file is accepted by tinynas cost and prices the same.
  const ProcessResult cost =
      tinynas({"cost", (dir_.path() / "a" / "arch.json").string(), "--json"});
  ASSERT_EQ(cost.exit_code, 0) << cost.err;
  EXPECT_EQ(nlohmann::json::parse(cost.out)["sram_bytes"], j["cost"]["sram_bytes"]);
}

TEST_F(CliSearchTest, DeterministicForASeed) {
  ASSERT_EQ(search("a", "7").exit_code, 0);
  ASSERT_EQ(search("b", "7").exit_code, 0);
  ASSERT_EQ(search("c", "8").exit_code, 0);
  EXPECT_EQ(result("a"), result("b"));
  EXPECT_EQ(read_text(dir_.path() / "a" / "evolution.csv"),
            read_text(dir_.path() / "b" / "evolution.csv"));
  EXPECT_NE(read_text(dir_.path() / "a" / "space_ranking.csv"),
            read_text(dir_.path() / "c" / "space_ranking.csv"));
}

TEST_F(CliSearchTest, ConfigFileAndFlagOverride) {
  const std::string config = dir_.file(
      "exp.json", R"({"space": "cifar", "board": "stm32f412", "sram": "64K", "flash": "256K",
                      "space_optimizer": {"samples": 40}, "evolution": {"generations": 3}})");
  const ProcessResult r = tinynas({"space", "--config", config, "--flash", "512K", "--quiet",
                                   "--out", (dir_.path() / "s").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = result("s");
  EXPECT_EQ(j["space"]["name"], "cifar");
  EXPECT_EQ(j["constraints"]["sram_bytes"], 64 * 1024);
  EXPECT_EQ(j["constraints"]["flash_bytes"], 512 * 1024);  // the flag wins over the file
  EXPECT_EQ(j["space"]["sampled"], 40);
  EXPECT_FALSE(j.contains("arch"));  // tinynas space does not evolve
}

TEST_F(CliSearchTest, EvolvesInTheGivenSubSpace) {
  const ProcessResult r =
      tinynas({"evolve", "--resolution", "160", "--width", "0.5", "--generations", "3", "--quiet",
               "--out", (dir_.path() / "e").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(result("e")["arch"]["resolution"], 160);
}

}  // namespace
}  // namespace tinynas::cli
