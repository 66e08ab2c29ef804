// Tests of the host-side readers: ld's overflow messages, `size -A` output, the harness's
// stats.txt, the target table and the missing-tool message. No toolchain needed.
#include <gtest/gtest.h>

#include <string>

#include "firmware/bench_stats.h"
#include "firmware/firmware_error.h"
#include "firmware/link_errors.h"
#include "firmware/qemu_target.h"
#include "firmware/section_sizes.h"
#include "firmware/target/hil_protocol.h"
#include "firmware/tools.h"

namespace tinynas::firmware {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LinkErrors, FindsTheRegionTheAmountAndTheSection) {
  const std::string log =
      "/usr/lib/gcc/arm-none-eabi/12.2.1/../../../arm-none-eabi/bin/ld: fw.elf section "
      "`.tinynas_arena' will not fit in region `RAM'\n"
      "/usr/lib/gcc/arm-none-eabi/12.2.1/../../../arm-none-eabi/bin/ld: region `RAM' overflowed "
      "by 46880 bytes\n"
      "collect2: error: ld returned 1 exit status\n";
  const std::vector<RegionOverflow> overflows = find_region_overflows(log);
  ASSERT_EQ(overflows.size(), 1u);
  const RegionOverflow* overflow = &overflows[0];
  EXPECT_EQ(overflow->region, "RAM");
  EXPECT_EQ(overflow->overflow_bytes, 46880);
  ASSERT_EQ(overflow->sections.size(), 1u);
  EXPECT_EQ(overflow->sections[0], ".tinynas_arena");
}

TEST(LinkErrors, BothRegionsWithAsciiQuotes) {
  const std::vector<RegionOverflow> overflows = find_region_overflows(
      "ld: fw.elf section '.rodata' will not fit in region 'FLASH'\n"
      "ld: fw.elf section '.tinynas_arena' will not fit in region 'RAM'\n"
      "ld: region 'FLASH' overflowed by 1 byte\n"
      "ld: region 'RAM' overflowed by 156096 bytes\n");
  ASSERT_EQ(overflows.size(), 2u);
  EXPECT_EQ(overflows[0].region, "FLASH");
  EXPECT_EQ(overflows[0].overflow_bytes, 1);
  EXPECT_EQ(overflows[0].sections, std::vector<std::string>{".rodata"});
  EXPECT_EQ(overflows[1].region, "RAM");
  EXPECT_EQ(overflows[1].overflow_bytes, 156096);
  EXPECT_EQ(overflows[1].sections, std::vector<std::string>{".tinynas_arena"});
}

TEST(LinkErrors, OtherLinkErrorsAreNotOverflows) {
  EXPECT_TRUE(find_region_overflows("main.c:(.text+0x4): undefined reference to `tinynas_invoke'\n"
                                    "collect2: error: ld returned 1 exit status\n")
                  .empty());
}

TEST(SectionSizes, SumsSizeDashAOutput) {
  const std::string out =
      "fw.elf  :\n"
      "section             size        addr\n"
      ".isr_vector          192           0\n"
      ".text               7896         192\n"
      ".rodata              820        8088\n"
      ".ARM.exidx             8        8908\n"
      ".data                116   536870912\n"
      ".bss                 196   536871028\n"
      ".tinynas_arena       512   536871224\n"
      ".stack              8192   536871736\n"
      ".debug_info        58674           0\n"
      ".comment              38           0\n"
      "Total             137690\n";
  const SectionSizes s = parse_section_sizes(out);
  EXPECT_EQ(s.vectors, 192);
  EXPECT_EQ(s.text, 7896);
  EXPECT_EQ(s.rodata, 820);
  EXPECT_EQ(s.other_flash, 8);
  EXPECT_EQ(s.data, 116);
  EXPECT_EQ(s.bss, 196);
  EXPECT_EQ(s.arena_section, 512);
  EXPECT_EQ(s.stack, 8192);
  EXPECT_EQ(s.flash_bytes(), 192 + 7896 + 820 + 8 + 116);
  EXPECT_EQ(s.ram_bytes(), 116 + 196 + 512 + 8192);
  EXPECT_EQ(s.sections.at(".debug_info"), 58674);
  EXPECT_EQ(section_sizes_to_json(s)["rodata"], 820);
  EXPECT_THROW(parse_section_sizes("garbage\n"), std::runtime_error);
}

TEST(BenchStats, ParsesACompleteRun) {
  const BenchStats s = parse_bench_stats(
      "tinynas_hil_stats 1\n"
      "model input_bytes 192 output_bytes 192 arena_bytes 384\n"
      "inferences 2\n"
      "timer_overhead_ticks 1\n"
      "inference 0 ticks 83 status 0\n"
      "inference 1 ticks 82 status 0\n"
      "stack_peak_bytes 328\n"
      "done\n");
  EXPECT_EQ(s.input_bytes, 192);
  EXPECT_EQ(s.arena_bytes, 384);
  EXPECT_EQ(s.inferences, 2);
  ASSERT_EQ(s.runs.size(), 2u);
  EXPECT_EQ(s.runs[1].ticks, 82);
  EXPECT_EQ(s.stack_peak_bytes, 328);
  EXPECT_TRUE(s.done);
  EXPECT_EQ(s.error_code, 0);
}

TEST(BenchStats, ParsesTheErrorLine) {
  const BenchStats s = parse_bench_stats(
      "tinynas_hil_stats 1\n"
      "model input_bytes 4 output_bytes 4 arena_bytes 8\n"
      "inferences 1\n"
      "inference 0 ticks 10 status 0\n"
      "error 31 guard_above_arena_corrupted offset 0\n");
  EXPECT_EQ(s.error_code, TINYNAS_HIL_EXIT_GUARD_ABOVE);
  EXPECT_EQ(s.error_what, "guard_above_arena_corrupted");
  EXPECT_EQ(s.error_key, "offset");
  EXPECT_EQ(s.error_value, 0);
  EXPECT_FALSE(s.done);
}

TEST(BenchStats, StatusesAreSigned) {
  const BenchStats s = parse_bench_stats(
      "tinynas_hil_stats 1\n"
      "inference 0 ticks 10 status 4294967295\n"
      "error 21 invoke_failed status 4294967295\n");
  EXPECT_EQ(s.runs.at(0).status, -1);
  EXPECT_EQ(s.error_key, "status");
  EXPECT_EQ(s.error_value, -1);
}

TEST(BenchStats, RejectsMalformedText) {
  EXPECT_THROW(parse_bench_stats("hello\n"), std::runtime_error);
  EXPECT_THROW(parse_bench_stats("tinynas_hil_stats 1\ninference 5 ticks 1 status 0\n"),
               std::runtime_error);
  EXPECT_THROW(parse_bench_stats("tinynas_hil_stats 1\nsurprise 1\n"), std::runtime_error);
}

TEST(BenchStats, ParsesAProfiledRunsLayerLines) {
  const BenchStats s = parse_bench_stats(
      "tinynas_hil_stats 1\n"
      "model input_bytes 4 output_bytes 4 arena_bytes 8\n"
      "inferences 2\n"
      "timer_overhead_ticks 1\n"
      "marker_calibration calls 1024 ticks 700\n"
      "inference 0 ticks 30 status 0\n"
      "layer 0 ticks 12\n"
      "layer 1 ticks 17\n"
      "inference 1 ticks 31 status 0\n"
      "layer 0 ticks 13\n"
      "layer 1 ticks 17\n"
      "stack_peak_bytes 300\n"
      "done\n");
  EXPECT_EQ(s.marker_calibration_calls, 1024);
  EXPECT_EQ(s.marker_calibration_ticks, 700);
  ASSERT_EQ(s.runs.size(), 2u);
  EXPECT_EQ(s.runs[0].layer_ticks, (std::vector<int64_t>{12, 17}));
  EXPECT_EQ(s.runs[1].layer_ticks, (std::vector<int64_t>{13, 17}));
}

TEST(BenchStats, RejectsLayerLinesOutOfPlace) {
  const std::string head = "tinynas_hil_stats 1\n";
  // Before any inference, out of order, without ticks, and a calibration of no calls.
  EXPECT_THROW(parse_bench_stats(head + "layer 0 ticks 3\n"), std::runtime_error);
  EXPECT_THROW(parse_bench_stats(head + "inference 0 ticks 9 status 0\nlayer 1 ticks 3\n"),
               std::runtime_error);
  EXPECT_THROW(parse_bench_stats(head + "inference 0 ticks 9 status 0\nlayer 0\n"),
               std::runtime_error);
  EXPECT_THROW(parse_bench_stats(head + "marker_calibration calls 0 ticks 0\n"),
               std::runtime_error);
}

TEST(BenchStats, EveryExitCodeHasAMeaning) {
  EXPECT_TRUE(contains(describe_exit_code(TINYNAS_HIL_EXIT_PROFILE_MARKS), "once per layer"));
  EXPECT_TRUE(contains(describe_exit_code(TINYNAS_HIL_EXIT_GUARD_ABOVE), "past the end"));
  EXPECT_TRUE(contains(describe_exit_code(TINYNAS_HIL_EXIT_HARDFAULT), "HardFault"));
  EXPECT_TRUE(contains(describe_exit_code(77), "unknown"));
}

TEST(QemuTargets, MapToMachinesAndCountFortyInstructionsPerTick) {
  EXPECT_EQ(find_qemu_target("qemu-m4").machine, "mps2-an386");
  EXPECT_EQ(find_qemu_target("qemu-m7").machine, "mps2-an500");
  EXPECT_EQ(find_qemu_target("qemu-m4").instructions_per_tick(), 40);
  EXPECT_EQ(find_qemu_target("qemu-m7").default_ram_bytes, 320 * 1024);
  try {
    find_qemu_target("qemu-m33");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "qemu-m4")) << e.what();
  }
  EXPECT_EQ(cpu_flags("cortex-m7")[1], "-mfpu=fpv5-d16");
  EXPECT_THROW(cpu_flags("cortex-m0"), std::invalid_argument);
}

TEST(Tools, AMissingToolNamesItsPackage) {
  try {
    require_tool("arm-none-eabi-gcc-not-installed-here");
    FAIL() << "expected an error";
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareFailure::kToolMissing);
    EXPECT_TRUE(contains(e.what(), "arm-none-eabi-gcc-not-installed-here")) << e.what();
    EXPECT_TRUE(contains(e.what(), "gcc-arm-none-eabi")) << e.what();
  }
  EXPECT_EQ(package_for_tool("/opt/bin/qemu-system-arm"), "qemu-system-arm");
}

}  // namespace
}  // namespace tinynas::firmware
