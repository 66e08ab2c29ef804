// run.json: what a run records survives the round trip, and a broken record is refused by name.
#include "cli/run_record.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/support/temp_dir.h"
#include "util/file_io.h"

namespace tinynas::cli {
namespace {

using tinynas::testing::TempDir;

TEST(RunRecordTest, RoundTripKeepsEveryStage) {
  TempDir dir;
  RunRecord r = new_run_record({{"space", "cifar"}}, 5400, pipeline::run_stages(true));
  r.measured = {{"train_images", 45000}};
  StageRecord& supernet = r.stage("supernet");
  supernet.status = "done";
  supernet.allowance_s = 2000;
  supernet.seconds = 1900.5;
  supernet.plan = {{"phases", {{{"phase", "full"}, {"epochs", 3}}}}};
  r.stage("predictor").status = "running";
  save_run_record(dir / "run.json", r);

  const RunRecord back = load_run_record(dir / "run.json");
  EXPECT_EQ(back.settings, r.settings);
  EXPECT_EQ(back.budget_s, 5400);
  EXPECT_EQ(back.measured, r.measured);
  ASSERT_EQ(back.stages.size(), r.stages.size());
  EXPECT_EQ(back.stage("supernet").plan, supernet.plan);
  EXPECT_EQ(back.stage("supernet").seconds, 1900.5);
  EXPECT_EQ(back.stage("predictor").status, "running");
  EXPECT_EQ(back.stage("scratch").status, "pending");
  EXPECT_DOUBLE_EQ(back.spent_s(), 1900.5);
}

TEST(RunRecordTest, BrokenRecordsAreRefusedNamingTheFile) {
  TempDir dir;
  RunRecord r = new_run_record({{"space", "cifar"}}, 60, pipeline::run_stages(false));
  save_run_record(dir / "good.json", r);
  std::string text = *util::read_file(dir / "good.json");
  const auto expect_refused = [&](const std::string& name, const std::string& contents,
                                  const std::string& message) {
    const std::string path = dir.file(name, contents);
    try {
      load_run_record(path);
      ADD_FAILURE() << name << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  expect_refused("truncated.json", text.substr(0, text.size() / 2), "corrupt");
  expect_refused("format.json", "{\"format\": 7}", "format 7");
  const size_t status = text.find("\"pending\"");
  expect_refused("status.json", text.substr(0, status) + "\"sleeping\"" + text.substr(status + 9),
                 "status 'sleeping'");
  EXPECT_THROW(load_run_record(dir / "missing.json"), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::cli
