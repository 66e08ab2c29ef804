// Latency through the executable (issue 10, parts 5 and 6): `tinynas latency build` and `eval`
// on a few networks, and the search under three latency limits with the shipped model, each
// winner within its limit as predicted and, with --bench, as measured on QEMU.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"
#include "util/json_reader.h"
#include "util/process.h"

namespace tinynas::cli {
namespace {

namespace fs = std::filesystem;
using tinynas::testing::run_tinynas;
using tinynas::testing::TempDir;

// Why the QEMU side cannot run here, or "".
std::string missing_tools() {
  for (const char* tool : {"arm-none-eabi-gcc", "qemu-system-arm"})
    if (!util::program_available(tool)) return std::string(tool) + " is not installed";
  return "";
}

TEST(LatencyCliTest, BuildsAModelAndEvaluatesItOnHeldOutNetworks) {
  if (const std::string why = missing_tools(); !why.empty()) GTEST_SKIP() << why;
  TempDir tmp;
  const std::string model = tmp / "m.json";
  const util::ProcessResult built =
      run_tinynas({"latency", "build", "--board", "qemu-m4", "--spaces", "resnet", "--networks",
                   "3", "--measure", "instructions", "--out", model, "--quiet"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_NE(built.out.find("3 networks"), std::string::npos) << built.out;
  const nlohmann::json j = util::read_json_file(model);
  EXPECT_EQ(j.at("target"), "qemu-m4");
  EXPECT_EQ(j.at("measure"), "instructions");
  EXPECT_EQ(j.at("samples").size(), 3u);

  const util::ProcessResult eval =
      run_tinynas({"latency", "eval", "--model", model, "--board", "qemu-m4", "--spaces", "resnet",
                   "--networks", "2", "--work", tmp / "eval", "--quiet"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_NE(eval.out.find("median |err|"), std::string::npos) << eval.out;
  const nlohmann::json e = util::read_json_file(tmp / "eval/latency_eval.json");
  EXPECT_EQ(e.at("all").at("networks"), 2);
  for (const nlohmann::json& n : e.at("networks")) {
    EXPECT_GT(n.at("measured").get<double>(), 0);
    // Even a model of three networks predicts a fourth of its space within a fifth.
    EXPECT_LT(std::abs(n.at("error").get<double>()), 0.2) << n.dump();
  }
  if (util::program_available("gnuplot")) {
    EXPECT_TRUE(fs::exists(tmp / "eval/latency.png"));
  }
}

// Two models benched on qemu-m4 scale the shipped model by about 1 (the plugin's estimate is what
// it was fitted on); on a board the same command takes DWT cycles.
TEST(LatencyCliTest, CalibratesTheModelFromBenchedModels) {
  if (const std::string why = missing_tools(); !why.empty()) GTEST_SKIP() << why;
  TempDir tmp;
  std::vector<std::string> dirs;
  for (const char* arch : {"mcunet-in0", "resnet8"}) {
    const std::string dir = tmp / arch;
    ASSERT_EQ(
        run_tinynas({"export", std::string(TINYNAS_TEST_CONFIG_DIR) + "/archs/" + arch + ".json",
                     "--random-weights", "--out", dir})
            .exit_code,
        0);
    const util::ProcessResult bench =
        run_tinynas({"bench", dir, "--board", "qemu-m4", "--runs", "1"});
    ASSERT_EQ(bench.exit_code, 0) << bench.err;
    dirs.push_back(dir);
  }
  const std::string out = tmp / "calibrated.json";
  const util::ProcessResult r =
      run_tinynas({"latency", "calibrate", "--model",
                   std::string(TINYNAS_TEST_CONFIG_DIR) + "/latency/qemu-m4.json", "--board",
                   "qemu-m4", "--models", dirs[0] + "," + dirs[1], "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json c = util::read_json_file(out).at("calibration");
  EXPECT_EQ(c.at("board"), "qemu-m4");
  EXPECT_EQ(c.at("networks").size(), 2u);
  EXPECT_NEAR(c.at("scale").get<double>(), 1.0, 0.05) << c.dump();
}

struct Winner {
  std::string arch;
  double predicted = 0;
  double limit = 0;
  nlohmann::json bench;
};

Winner search_under(const std::string& latency, const std::string& out, bool bench) {
  std::vector<std::string> args = {"search", "--board",       "stm32f412", "--latency",
                                   latency,  "--samples",     "200",       "--population",
                                   "16",     "--generations", "4",         "--threads",
                                   "1",      "--quiet",       "--out",     out};
  if (bench) args.push_back("--bench");
  const util::ProcessResult r = run_tinynas(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = util::read_json_file(out + "/result.json");
  Winner w;
  w.arch = j.at("arch").dump();
  w.predicted = j.at("cost").at("predicted_latency").get<double>();
  w.limit = j.at("constraints").at("latency").at("limit").get<double>();
  if (j.contains("latency_bench")) w.bench = j.at("latency_bench");
  return w;
}

TEST(LatencyCliTest, EachLimitHoldsAndATighterOneFindsASmallerNetwork) {
  TempDir tmp;
  const std::string why = missing_tools();
  const Winner loose = search_under("300ms", tmp / "loose", false);
  const Winner middle = search_under("150ms", tmp / "middle", false);
  const Winner tight = search_under("90ms", tmp / "tight", why.empty());
  for (const Winner* w : {&loose, &middle, &tight}) EXPECT_LE(w->predicted, w->limit);
  // stm32f412 runs at 100 MHz; the search's limit is --latency less the 5 % margin.
  EXPECT_NEAR(tight.limit, 90e-3 * 100e6 * 0.95, 1);
  EXPECT_LT(tight.predicted, middle.predicted);
  EXPECT_LT(middle.predicted, loose.predicted);
  EXPECT_NE(tight.arch, loose.arch);
  if (!why.empty()) GTEST_SKIP() << "--bench not checked: " << why;
  ASSERT_FALSE(tight.bench.is_null());
  EXPECT_EQ(tight.bench.at("target"), "qemu-m4");
  EXPECT_TRUE(tight.bench.at("within_limit").get<bool>()) << tight.bench.dump();
  EXPECT_LT(std::abs(tight.bench.at("prediction_error").get<double>()), 0.05) << tight.bench.dump();
}

}  // namespace
}  // namespace tinynas::cli
