// `tinynas bench` end to end through the executable: the result block read back on qemu-m4 and
// qemu-m7 (--json and the text report), and no board attached: one line, exit 2, within seconds.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/firmware/test_support.h"
#include "tests/support/cli_runner.h"

namespace tinynas::firmware {
namespace {

using testing::TempDir;

TEST(BenchCli, QemuJsonReport) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir tmp;
  for (const char* board : {"qemu-m4", "qemu-m7"}) {
    const std::string out = (tmp.path() / board).string();
    const util::ProcessResult r = tinynas::testing::run_tinynas(
        {"bench", testing::fixture_model_dir(), "--board", board, "--runs", "3", "--json", "--out",
         out, "--config-dir", TINYNAS_TEST_CONFIG_DIR},
        120);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["board"], board);
    EXPECT_EQ(j["runner"], "qemu");
    EXPECT_EQ(j["counter"], "instructions");
    EXPECT_EQ(j["timer"], "SysTick");
    EXPECT_EQ(j["runs"], 3);
    EXPECT_EQ(j["arena_guards"], "intact");
    EXPECT_GT(j["per_inference"]["median"].get<int64_t>(), 0);
    EXPECT_LE(j["per_inference"]["max"].get<int64_t>() - j["per_inference"]["min"].get<int64_t>(),
              40);
    EXPECT_EQ(j["result_address"], 0x20000000);
    // Estimated cycles when the timing plugin is built, else the reason: never missing.
    ASSERT_TRUE(j.contains("estimated_cycles"));
    if (j["estimated_cycles"]["available"])
      EXPECT_GT(j["estimated_cycles"]["mean"].get<double>(), 0.0);
    else
      EXPECT_NE(j["estimated_cycles"]["reason"].get<std::string>().find("unavailable"),
                std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(out + "/bench.json"));
  }
}

TEST(BenchCli, NoBoardIsOneLineAndExit2WithinSeconds) {
  if (!util::program_available("pyocd") && !util::program_available("pyocd-gdbserver") &&
      !util::program_available("openocd"))
    GTEST_SKIP() << "neither pyocd nor openocd is installed";
  TempDir tmp;
  const auto start = std::chrono::steady_clock::now();
  const util::ProcessResult r = tinynas::testing::run_tinynas(
      {"bench", testing::fixture_model_dir(), "--board", "stm32f746", "--out",
       (tmp.path() / "out").string(), "--config-dir", TINYNAS_TEST_CONFIG_DIR},
      60);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_LT(seconds, 10);
  EXPECT_EQ(r.out, "");
  // Exactly one line: which runners were tried, which probes were seen (none).
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("tinynas: error: no board attached for stm32f746: tried "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("probes seen: none"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tinynas::firmware
