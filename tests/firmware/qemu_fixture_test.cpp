// The fixture model built with arm-none-eabi-gcc and run in QEMU on Cortex-M4 and Cortex-M7:
// outputs byte-exact against the host computation, deterministic instruction counts, sizes.
#include <gtest/gtest.h>

#include <filesystem>

#include "firmware/hil.h"
#include "tests/firmware/test_support.h"

namespace tinynas::firmware {
namespace {

using testing::fixture_expected;
using testing::fixture_inputs;
using testing::fixture_model_dir;
using testing::TempDir;

FirmwareRequest fixture_request(const std::string& target, const TempDir& dir, int count) {
  FirmwareRequest req;
  req.model_dir = fixture_model_dir();
  req.work_dir = (dir.path() / target).string();
  req.target = target;
  req.inputs = fixture_inputs(count);
  req.timeout_s = 30;
  return req;
}

class QemuFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(QemuFixture, OutputsMatchTheHostByteForByte) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  const FirmwareRequest req = fixture_request(GetParam(), dir, 5);
  const FirmwareResult r = run_model_on_qemu(req);
  EXPECT_EQ(r.outputs, fixture_expected(req.inputs));
  EXPECT_TRUE(r.guard_ok);
  EXPECT_EQ(r.input_bytes, 192);
  EXPECT_EQ(r.output_bytes, 192);
  EXPECT_EQ(r.arena_bytes, 384);
  ASSERT_EQ(r.instructions.size(), 5u);
  for (size_t i = 0; i < r.instructions.size(); ++i) {
    EXPECT_EQ(r.instructions[i], r.ticks[i] * 40);
    // 192 saturating adds: a few instructions each, far from zero and far from a runaway loop.
    EXPECT_GT(r.instructions[i], 192 * 3);
    EXPECT_LT(r.instructions[i], 192 * 60);
  }
  EXPECT_GT(r.stack_peak_bytes, 0);
  EXPECT_LT(r.stack_peak_bytes, req.stack_bytes);
  // The fixture's weights are 3 const bytes in .rodata; the arena section is arena + 2 guards.
  EXPECT_GT(r.sections.text, 0);
  EXPECT_GE(r.sections.rodata, 3);
  EXPECT_EQ(r.sections.arena_section, 384 + 2 * 64);
  EXPECT_EQ(r.sections.stack, req.stack_bytes);
  EXPECT_LE(r.sections.ram_bytes(), r.layout.ram_bytes);
  EXPECT_TRUE(std::filesystem::exists(r.elf_path));
  const nlohmann::json j = firmware_result_to_json(r);
  EXPECT_EQ(j["inferences"], 5);
  EXPECT_EQ(j["sections"]["arena_section"], 512);
}

TEST_P(QemuFixture, InstructionCountsAreIdenticalAcrossRuns) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  const FirmwareResult first = run_model_on_qemu(fixture_request(GetParam(), dir, 4));
  const FirmwareResult second = run_model_on_qemu(fixture_request(GetParam(), dir, 4));
  EXPECT_EQ(first.instructions, second.instructions);
  EXPECT_EQ(first.outputs, second.outputs);
}

INSTANTIATE_TEST_SUITE_P(Targets, QemuFixture, ::testing::Values("qemu-m4", "qemu-m7"),
                         [](const auto& info) { return info.param == "qemu-m4" ? "M4" : "M7"; });

TEST(QemuFixtureBoard, LinksForTheGivenBoardsMemory) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir dir;
  FirmwareRequest req = fixture_request("qemu-m4", dir, 1);
  memory::Board board;
  board.name = "tiny";
  board.core = "cortex-m4";
  board.sram_bytes = 48 * 1024;
  board.flash_bytes = 128 * 1024;
  req.board = board;
  const FirmwareResult r = run_model_on_qemu(req);
  EXPECT_EQ(r.layout.ram_bytes, 48 * 1024);
  EXPECT_EQ(r.outputs, fixture_expected(req.inputs));
}

}  // namespace
}  // namespace tinynas::firmware
