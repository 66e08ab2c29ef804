// What goes wrong must be said clearly: an arena too big for the board fails at link time naming
// RAM, writes outside the arena trip the guards, invoke errors, faults and hangs are reported, and
// missing tools name their package.
#include <gtest/gtest.h>

#include "firmware/firmware_error.h"
#include "firmware/hil.h"
#include "tests/firmware/test_support.h"

namespace tinynas::firmware {
namespace {

using testing::fixture_inputs;
using testing::fixture_model_dir;
using testing::TempDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

FirmwareRequest variant(const TempDir& dir, const std::string& define, int count = 3) {
  FirmwareRequest req;
  req.model_dir = fixture_model_dir();
  req.work_dir = dir.str();
  req.target = "qemu-m4";
  req.inputs = fixture_inputs(count);
  req.timeout_s = 30;
  if (!define.empty()) req.extra_cflags.push_back("-D" + define);
  return req;
}

// Runs the request and returns the FirmwareError it must throw.
FirmwareError expect_failure(const FirmwareRequest& req) {
  try {
    run_model_on_qemu(req);
  } catch (const FirmwareError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a FirmwareError";
  return FirmwareError(FirmwareFailure::kBadResults, "none");
}

TEST(QemuFailures, AnArenaTooBigForTheBoardFailsAtLinkTimeNamingRam) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  // 300000 bytes of arena on the STM32F412's 256 KiB.
  const FirmwareError e = expect_failure(variant(dir, "FIXTURE_EXTRA_ARENA_BYTES=300000"));
  EXPECT_EQ(e.kind(), FirmwareFailure::kDoesNotFit) << e.what();
  EXPECT_EQ(e.region, "RAM");
  EXPECT_GT(e.overflow_bytes, 300000 - 256 * 1024);
  EXPECT_TRUE(contains(e.what(), "region RAM overflowed by")) << e.what();
  EXPECT_EQ(e.overflows.count("FLASH"), 0u);
  EXPECT_TRUE(contains(e.what(), ".tinynas_arena")) << e.what();
  EXPECT_TRUE(contains(e.log(), "will not fit in region"));
}

TEST(QemuFailures, TheSameArenaFitsTheBiggerBoard) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  FirmwareRequest req = variant(dir, "FIXTURE_EXTRA_ARENA_BYTES=300000", 1);
  req.target = "qemu-m7";  // STM32F746: 320 KiB
  EXPECT_EQ(run_model_on_qemu(req).arena_bytes, 300000 + 384);
}

TEST(QemuFailures, WritingPastTheArenaTripsTheUpperGuard) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  const FirmwareError e = expect_failure(variant(dir, "FIXTURE_WRITE_ABOVE_ARENA"));
  EXPECT_EQ(e.kind(), FirmwareFailure::kGuardCorrupted) << e.what();
  EXPECT_EQ(e.inference, 0);
  EXPECT_TRUE(contains(e.what(), "past the end of its arena")) << e.what();
  EXPECT_TRUE(contains(e.what(), "guard_above_arena_corrupted offset 0")) << e.what();
}

TEST(QemuFailures, WritingBeforeTheArenaTripsTheLowerGuard) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  const FirmwareError e = expect_failure(variant(dir, "FIXTURE_WRITE_BELOW_ARENA"));
  EXPECT_EQ(e.kind(), FirmwareFailure::kGuardCorrupted) << e.what();
  EXPECT_TRUE(contains(e.what(), "guard_below_arena_corrupted offset 1")) << e.what();
}

TEST(QemuFailures, AnInvokeErrorNamesTheInference) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  const FirmwareError e = expect_failure(variant(dir, "FIXTURE_INVOKE_FAILS"));
  EXPECT_EQ(e.kind(), FirmwareFailure::kInvokeFailed) << e.what();
  EXPECT_EQ(e.inference, 1);
  EXPECT_TRUE(contains(e.what(), "in inference 1")) << e.what();
  EXPECT_TRUE(contains(e.what(), "invoke_failed status 7")) << e.what();
}

TEST(QemuFailures, AFaultIsReportedWithItsAddress) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  const FirmwareError e = expect_failure(variant(dir, "FIXTURE_FAULT"));
  EXPECT_EQ(e.kind(), FirmwareFailure::kFault) << e.what();
  EXPECT_TRUE(contains(e.what(), "HardFault")) << e.what();
  EXPECT_TRUE(contains(e.what(), "bfar=0x90000000")) << e.what();
}

TEST(QemuFailures, AHungModelTimesOut) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  FirmwareRequest req = variant(dir, "FIXTURE_HANG", 1);
  req.timeout_s = 1;
  const FirmwareError e = expect_failure(req);
  EXPECT_EQ(e.kind(), FirmwareFailure::kTimeout) << e.what();
  EXPECT_TRUE(contains(e.what(), "did not finish within 1 s")) << e.what();
}

TEST(QemuFailures, CompileErrorsAreNotLinkErrors) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  // -Werror: an unused variable in a model file must fail the build.
  testing::write_file(dir.path() / "model.h",
                      "#include <stdint.h>\n#define TINYNAS_INPUT_BYTES 4\n"
                      "#define TINYNAS_OUTPUT_BYTES 4\n#define TINYNAS_ARENA_BYTES 8\n"
                      "extern int8_t tinynas_arena[TINYNAS_ARENA_BYTES];\n"
                      "int8_t *tinynas_input(void);\nconst int8_t *tinynas_output(void);\n"
                      "int tinynas_invoke(void);\n");
  testing::write_file(dir.path() / "model.c",
                      "#include \"model.h\"\n"
                      "int8_t tinynas_arena[TINYNAS_ARENA_BYTES] TINYNAS_ARENA_ATTRIBUTES;\n"
                      "int8_t *tinynas_input(void) { return tinynas_arena; }\n"
                      "const int8_t *tinynas_output(void) { return tinynas_arena + 4; }\n"
                      "int tinynas_invoke(void) { int unused; return 0; }\n");
  testing::write_file(dir.path() / "model.json",
                      "{\"format\": \"tinynas-c-project\", \"version\": 1, \"arena_bytes\": 8,\n"
                      " \"input\": {\"shape\": [1, 1, 4], \"bytes\": 4},\n"
                      " \"output\": {\"shape\": [1, 1, 4], \"bytes\": 4}}\n");
  FirmwareRequest req = variant(dir, "");
  req.model_dir = dir.str();
  req.work_dir = (dir.path() / "work").string();
  req.inputs.assign(4, 0);
  const FirmwareError e = expect_failure(req);
  EXPECT_EQ(e.kind(), FirmwareFailure::kCompileFailed) << e.what();
  EXPECT_TRUE(contains(e.what(), "unused")) << e.what();
}

TEST(QemuFailures, MissingCompilerNamesThePackage) {
  TempDir dir;
  FirmwareRequest req = variant(dir, "");
  req.tools.gcc = "arm-none-eabi-gcc-absent";
  req.tools.qemu = "sh";  // present everywhere, so the compiler is what is missing
  const FirmwareError e = expect_failure(req);
  EXPECT_EQ(e.kind(), FirmwareFailure::kToolMissing) << e.what();
  EXPECT_TRUE(contains(e.what(), "'arm-none-eabi-gcc-absent' is not installed")) << e.what();
  EXPECT_TRUE(contains(e.what(), "gcc-arm-none-eabi")) << e.what();
}

TEST(QemuFailures, MissingQemuNamesThePackageBeforeBuilding) {
  TempDir dir;
  FirmwareRequest req = variant(dir, "");
  req.tools.qemu = "/nonexistent/qemu-system-arm";
  const FirmwareError e = expect_failure(req);
  EXPECT_EQ(e.kind(), FirmwareFailure::kToolMissing) << e.what();
  EXPECT_TRUE(contains(e.what(), "install the Debian package qemu-system-arm")) << e.what();
}

TEST(QemuFailures, BadRequestsAreInvalidArguments) {
  TempDir dir;
  FirmwareRequest req = variant(dir, "");
  req.inputs.resize(100);  // not a multiple of 192
  EXPECT_THROW(run_model_on_qemu(req), std::invalid_argument);
  req = variant(dir, "");
  req.target = "qemu-m0";
  EXPECT_THROW(run_model_on_qemu(req), std::invalid_argument);
  req = variant(dir, "");
  req.model_dir = (dir.path() / "no_such_model").string();
  EXPECT_THROW(run_model_on_qemu(req), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::firmware
