// `tinynas verify --target qemu-m4 --profile` through the executable: the estimated cycles from
// the timing plugin appear in the report and as profile.csv's estimated_cycles column, and
// --no-cycle-estimate leaves the column empty.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "firmware/timing_plugin.h"
#include "tests/firmware/test_support.h"
#include "tests/support/cli_runner.h"

namespace tinynas::firmware {
namespace {

using testing::TempDir;

// The last comma-separated field of every data line of a CSV.
std::vector<std::string> last_fields(const std::string& csv) {
  std::vector<std::string> fields;
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) fields.push_back(line.substr(line.rfind(',') + 1));
  return fields;
}

TEST(VerifyCli, ProfileReportsEstimatedCyclesPerLayer) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  if (find_timing_plugin("", nullptr).empty())
    GTEST_SKIP() << "the tinynas_cortex_m_timing plugin was not built";
  TempDir tmp;
  const std::string model = (tmp.path() / "in0").string();
  util::ProcessResult r = tinynas::testing::run_tinynas(
      {"export", std::string(TINYNAS_TEST_CONFIG_DIR) + "/archs/mcunet-in0.json",
       "--random-weights", "--out", model, "--config-dir", TINYNAS_TEST_CONFIG_DIR},
      300);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string out = (tmp.path() / "profile").string();
  r = tinynas::testing::run_tinynas(
      {"verify", model, "--target", "qemu-m4", "--inputs", "1", "--profile", "--out", out}, 300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("estimated cortex-m4 cycles per inference"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("est. cycles"), std::string::npos);
  EXPECT_NE(r.out.find("not validated on silicon"), std::string::npos);
  std::string csv = tinynas::testing::read_text(out + "/profile.csv");
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header.substr(header.rfind(',')), ",estimated_cycles");
  std::vector<std::string> cycles = last_fields(csv);
  ASSERT_EQ(cycles.size(), 55u);
  for (const std::string& c : cycles) EXPECT_GT(std::stod(c), 0.0);

  r = tinynas::testing::run_tinynas({"verify", model, "--target", "qemu-m4", "--inputs", "1",
                                     "--profile", "--no-cycle-estimate", "--out", out},
                                    300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("estimated cortex-m4"), std::string::npos);
  cycles = last_fields(tinynas::testing::read_text(out + "/profile.csv"));
  for (const std::string& c : cycles) EXPECT_EQ(c, "");
}

}  // namespace
}  // namespace tinynas::firmware
