// tinynas bench's firmware side without a board (issue 10, part 3): the board JSONs' firmware
// sections, the four board images linked (and fitting) with arm-none-eabi-gcc, the result block
// end to end on QEMU (qemu-m4 / qemu-m7), the no-probe paths against the REAL installed pyOCD and
// OpenOCD, and flash -> run -> poll -> read through tests/firmware/probe_double/probe_double.py,
// a test double of the pyocd / openocd command lines that runs them against QEMU.
#include "firmware/board_bench.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "firmware/firmware_error.h"
#include "firmware/result_block.h"
#include "firmware/target/hil_result.h"
#include "firmware/timing_plugin.h"
#include "memory_model/board.h"
#include "tests/firmware/test_support.h"
#include "tests/support/cli_runner.h"

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;
using testing::fixture_expected;
using testing::fixture_model_dir;
using testing::TempDir;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;
const char* const kBoards[] = {"stm32f746", "stm32f412", "stm32h743", "nrf52840"};

memory::Board board(const std::string& name) {
  return memory::load_board(name, kConfigs);
}

TEST(BoardFirmware, EveryShippedBoardHasConsistentClockSettings) {
  for (const char* name :
       {"stm32f746", "stm32f412", "stm32h743", "nrf52840", "qemu-m4", "qemu-m7"}) {
    const memory::Board b = board(name);
    const BoardFirmware fw = board_firmware(b);
    EXPECT_EQ(pll_output_hz(fw), b.clock_hz) << name;
    EXPECT_EQ(fw.result_address, b.ram_region.origin) << name;
    EXPECT_FALSE(fw.runners.empty()) << name;
  }
  const BoardFirmware f7 = board_firmware(board("stm32f746"));
  EXPECT_EQ(f7.clock_family, "stm32f7");
  EXPECT_EQ(f7.flash_wait_states, 7);
  EXPECT_TRUE(f7.icache && f7.dcache && f7.art && f7.dwt_unlock && f7.overdrive);
  const std::vector<std::string> defines = board_firmware_defines(f7);
  for (const char* d : {"-DHIL_CLOCK_FAMILY=2", "-DHIL_PLL_N=216", "-DHIL_FLASH_WAIT_STATES=7",
                        "-DHIL_ENABLE_DCACHE=1", "-DHIL_DWT_UNLOCK=1", "-DHIL_CLOCK_HZ=216000000"})
    EXPECT_NE(std::find(defines.begin(), defines.end(), d), defines.end()) << d;
}

TEST(BoardFirmware, BadSectionsNameTheKey) {
  memory::Board b = board("stm32f412");
  b.firmware["pll"]["n"] = 120;  // 120 MHz, but clock_hz says 100 MHz
  try {
    board_firmware(b);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("give 120000000 Hz, but clock_hz is 100000000"),
              std::string::npos)
        << e.what();
  }
  b = board("stm32f412");
  b.firmware["cache"] = true;
  EXPECT_THROW(board_firmware(b), std::invalid_argument);
  b = board("stm32f412");
  b.firmware = nlohmann::json();
  EXPECT_THROW(board_firmware(b), std::invalid_argument);
}

TEST(ResultBlock, ParsesWhatTheHeaderDeclares) {
  std::vector<uint8_t> bytes(result_header_bytes() + 16, 0);
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put32(0, HIL_RESULT_MAGIC);
  put32(4, HIL_RESULT_VERSION);
  put32(12, HIL_STATE_DONE);
  put32(48, 3);  // runs_done
  put32(52, 2);  // layers
  put32(68, 0xdeadbeef);
  put32(112, 7);  // ticks_min (low word)
  put32(152 + 8, 9);
  put32(result_header_bytes() + 8, 5);  // layer 1
  const ResultBlock b = parse_result_block(bytes);
  EXPECT_EQ(b.state, ResultState::kDone);
  EXPECT_EQ(b.output_hash, 0xdeadbeefu);
  EXPECT_EQ(b.ticks_min, 7u);
  ASSERT_EQ(b.run_ticks.size(), 3u);
  EXPECT_EQ(b.run_ticks[1], 9u);
  ASSERT_EQ(b.layer_ticks.size(), 2u);
  EXPECT_EQ(b.layer_ticks[1], 5u);
  bytes[0] = 0;
  EXPECT_THROW(parse_result_block(bytes), std::runtime_error);
  EXPECT_THROW(parse_result_block(std::vector<uint8_t>(10)), std::runtime_error);
}

// Part 1: each board's image (startup with its clock, wait states and caches, DWT, the result
// block) links for its memory map with arm-none-eabi-gcc -Werror and fits its Flash and RAM.
TEST(BoardImages, AllFourBoardsLinkAndFit) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir tmp;
  for (const char* name : kBoards) {
    BenchRequest request;
    request.model_dir = fixture_model_dir();
    request.work_dir = (tmp.path() / name).string();
    request.board = board(name);
    request.runs = 10;
    const BoardFirmware fw = board_firmware(request.board);
    const BuildResult built = build_bench_firmware(request, fw, /*qemu_exit=*/false, 42);
    EXPECT_TRUE(fs::exists(built.elf_path)) << name;
    EXPECT_LE(built.sizes.flash_bytes(), fw.layout.flash_bytes) << name;
    EXPECT_LE(built.sizes.ram_bytes(), fw.layout.ram_bytes) << name;
    // The result block sits at the RAM origin (the linker script asserts it; nm shows it).
    util::ProcessOptions opts;
    opts.timeout_s = 30;
    const util::ProcessResult nm = util::run_process({"arm-none-eabi-nm", built.elf_path}, opts);
    char expect[32];
    std::snprintf(expect, sizeof expect, "%08x B hil_result", fw.layout.ram_origin);
    EXPECT_NE(nm.out.find(expect), std::string::npos) << name << ": " << expect;
    // No semihosting in a board image: a bkpt 0xAB would stop the core without a debugger.
    EXPECT_EQ(nm.out.find("hil_sh_"), std::string::npos) << name;
    EXPECT_EQ(nm.out.find("initialise_monitor_handles"), std::string::npos) << name;
    // The vector table is at the Flash origin of the board's map.
    char vectors[32];
    std::snprintf(vectors, sizeof vectors, "%08x R g_vectors", fw.layout.flash_origin);
    EXPECT_NE(nm.out.find(vectors), std::string::npos) << name;
  }
}

// mcunet-in0 (random weights, exported by the executable) on all four boards' images, and its
// QEMU run against the reference interpreter's output.
TEST(BoardImages, McunetIn0FitsEveryBoardAndMatchesTheReferenceOnQemu) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir tmp;
  const std::string model = (tmp.path() / "in0").string();
  const util::ProcessResult exported = tinynas::testing::run_tinynas(
      {"export", kConfigs + "/archs/mcunet-in0.json", "--random-weights", "--seed", "1", "--out",
       model, "--config-dir", kConfigs},
      300);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  for (const char* name : kBoards) {
    BenchRequest request;
    request.model_dir = model;
    request.work_dir = (tmp.path() / name).string();
    request.board = board(name);
    const BoardFirmware fw = board_firmware(request.board);
    const BuildResult built = build_bench_firmware(request, fw, false, 7);
    EXPECT_LE(built.sizes.flash_bytes(), fw.layout.flash_bytes) << name;
    EXPECT_LE(built.sizes.ram_bytes(), fw.layout.ram_bytes) << name;
  }
  BenchRequest request;
  request.model_dir = model;
  request.work_dir = (tmp.path() / "qemu-m4").string();
  request.board = board("qemu-m4");
  request.runs = 2;
  const BenchResult r = run_bench(request);
  EXPECT_TRUE(r.reference_checked);
  EXPECT_TRUE(r.output_matches_reference);
  EXPECT_EQ(r.layers.size(), 55u);
  EXPECT_EQ(r.layers.front().name, "stem");
  EXPECT_EQ(r.layers.back().name, "classifier");
  uint64_t sum = 0;
  for (const BenchLayer& l : r.layers) sum += l.count;
  // The layers tile the inference (each stamp ends one layer and starts the next) to a tick
  // or two; the last run's total is within a tick of the median.
  EXPECT_NEAR(static_cast<double>(sum), static_cast<double>(r.median), 3 * 40.0);
  // The timing plugin (when built): an estimate for every layer of the last run, and the
  // layers' instructions by the plugin match SysTick's to a tick.
  if (!find_timing_plugin("", nullptr).empty()) {
    ASSERT_TRUE(r.cycles.available) << r.cycles.reason;
    ASSERT_EQ(r.cycles.layer_instructions.back().size(), 55u);
    for (size_t i = 0; i < r.layers.size(); ++i) {
      EXPECT_GT(r.layers[i].estimated_cycles, 0.0) << i;
      EXPECT_NEAR(static_cast<double>(r.cycles.layer_instructions.back()[i]),
                  static_cast<double>(r.layers[i].count), 40.0)
          << r.layers[i].name;
    }
    EXPECT_EQ(bench_result_to_json(r)["layers"][0].count("estimated_cycles"), 1u);
  }
}

TEST(BoardImages, AModelTooBigForTheBoardNamesTheRegion) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir tmp;
  BenchRequest request;
  request.model_dir = fixture_model_dir();
  request.work_dir = tmp.path().string();
  request.board = board("stm32f412");
  request.board.ram_region.length = 4096;  // smaller than the stack reserve alone
  try {
    build_bench_firmware(request, board_firmware(request.board), false, 1);
    FAIL() << "linked";
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareFailure::kDoesNotFit) << e.what();
    EXPECT_EQ(e.region, "RAM");
  }
}

// Part 3: the result block end to end on QEMU, the same firmware as on a board.
TEST(BenchQemu, ResultBlockOnM4AndM7) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir tmp;
  const std::vector<int8_t> expected = fixture_expected(bench_input(testing::kFixtureBytes, 5));
  for (const char* name : {"qemu-m4", "qemu-m7"}) {
    BenchRequest request;
    request.model_dir = fixture_model_dir();
    request.work_dir = (tmp.path() / name).string();
    request.board = board(name);
    request.runs = 7;
    request.seed = 5;
    request.timeout_s = 30;
    const BenchResult r = run_bench(request);
    EXPECT_EQ(r.runner, "qemu") << name;
    EXPECT_EQ(r.counter, "instructions");
    EXPECT_EQ(r.per_tick, 40);
    EXPECT_EQ(r.block.state, ResultState::kDone);
    EXPECT_EQ(r.block.timer_source, HIL_TIMER_SYSTICK) << "QEMU has no DWT cycle counter";
    EXPECT_EQ(r.block.runs_done, 7u);
    EXPECT_EQ(r.runs.size(), 7u);
    EXPECT_EQ(r.block.input_bytes, 192u);
    EXPECT_EQ(r.block.arena_bytes, 384u);
    EXPECT_EQ(r.block.hash_mismatches, 0u);
    EXPECT_EQ(r.block.output_hash, fnv1a32(expected))
        << "the firmware's output is not the fixture's";
    // -icount shift=0 is deterministic: every run executes the same instructions; SysTick's phase
    // can move a count by one tick (40 instructions). 3280-3320 instructions, as the semihosting
    // harness measures for this fixture.
    EXPECT_LE(r.max - r.min, 40u);
    EXPECT_GT(r.median, 2000u);
    EXPECT_LT(r.median, 5000u);
    EXPECT_GT(r.block.stack_peak_bytes, 0u);
    EXPECT_LT(r.block.stack_peak_bytes, 2048u);
    EXPECT_EQ(r.block.guard_status, 0u);
    EXPECT_NEAR(r.ms_median, static_cast<double>(r.median) * 1e-6, 1e-9) << "1 ns per instruction";
    // The timing plugin, when built: one estimate per run (the warm-up first), its instruction
    // count within a tick plus the timer call of SysTick's, in bench.json as estimated_cycles.
    if (!find_timing_plugin("", nullptr).empty()) {
      ASSERT_TRUE(r.cycles.available) << r.cycles.reason;
      ASSERT_EQ(r.cycles.inference_cycles.size(), 8u);
      EXPECT_NEAR(static_cast<double>(r.cycles.inference_instructions.back()),
                  static_cast<double>(r.runs.back()), 40.0 + 16.0);
      EXPECT_GT(r.cycles.inference_cycles.back(), 0.0);
      const nlohmann::json j = bench_result_to_json(r);
      EXPECT_TRUE(j["estimated_cycles"]["available"]);
      EXPECT_EQ(j["estimated_cycles"]["core"], r.core);
    }
  }
}

// The Cortex-M7 cache code (I-cache invalidate + enable, D-cache invalidate by set / way +
// enable, the result block cleaned by address after each update) and the DWT unlock run on
// QEMU's M7 without a fault and with the right output. QEMU models no cache, so this checks the
// code path, not the caches.
TEST(BenchQemu, CortexM7CacheAndDwtCodeRunsOnQemu) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  TempDir tmp;
  BenchRequest request;
  request.model_dir = fixture_model_dir();
  request.work_dir = tmp.path().string();
  request.board = board("qemu-m7");
  request.board.firmware["icache"] = true;
  request.board.firmware["dcache"] = true;
  request.board.firmware["dwt_unlock"] = true;
  request.runs = 3;
  request.seed = 9;
  const BenchResult r = run_bench(request);
  EXPECT_EQ(r.block.state, ResultState::kDone);
  EXPECT_EQ(r.block.config_flags & (HIL_CONFIG_ICACHE | HIL_CONFIG_DCACHE),
            HIL_CONFIG_ICACHE | HIL_CONFIG_DCACHE);
  EXPECT_EQ(r.block.timer_source, HIL_TIMER_SYSTICK);
  EXPECT_EQ(r.block.output_hash, fnv1a32(fixture_expected(bench_input(testing::kFixtureBytes, 9))));
  // An M4 has no such caches: the JSON is refused by name.
  memory::Board m4 = board("qemu-m4");
  m4.firmware["dcache"] = true;
  EXPECT_THROW(board_firmware(m4), std::invalid_argument);
}

// Part 2/3: no probe, against the real tools. Debian's pyocd-tool waits for ever without a probe,
// so the runner lists probes first; the whole thing must end within seconds.
TEST(BenchNoProbe, RealPyocdAndOpenocdSayNoBoardWithinSeconds) {
  const bool pyocd = util::program_available("pyocd") || util::program_available("pyocd-gdbserver");
  const bool openocd = util::program_available("openocd");
  if (!pyocd && !openocd) GTEST_SKIP() << "neither pyocd nor openocd is installed";
  TempDir tmp;
  for (const std::string runner : {"", "pyocd", "openocd"}) {
    if ((runner == "pyocd" && !pyocd) || (runner == "openocd" && !openocd)) continue;
    BenchRequest request;
    request.model_dir = fixture_model_dir();
    request.work_dir = tmp.path().string();
    request.board = board("stm32f746");
    request.runner = runner;
    const auto start = std::chrono::steady_clock::now();
    try {
      run_bench(request);
      FAIL() << "a board answered? runner '" << runner << "'";
    } catch (const NoProbeAttached& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("no board attached for stm32f746: tried "), std::string::npos) << what;
      EXPECT_NE(what.find("probes seen: none"), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
      if (runner != "openocd" && pyocd) {
        EXPECT_NE(what.find("pyocd"), std::string::npos) << what;
      }
      if (runner != "pyocd" && openocd) {
        EXPECT_NE(what.find("openocd (-f board/stm32f746g-disco.cfg)"), std::string::npos) << what;
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 10) << "runner '" << runner << "'";
    EXPECT_FALSE(fs::exists(tmp.path() / "fw.elf")) << "nothing is built without a board";
  }
}

// The probe test double (tests/firmware/probe_double/probe_double.py) under the names pyocd and
// openocd in a folder of the test's own, and a board JSON for QEMU's memory map whose runner is
// a probe: the real flash -> reset -> poll (savemem / dump_image) -> parse path, on QEMU.
class BenchProbeDouble : public ::testing::Test {
 protected:
  void SetUp() override {
    TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
    if (!util::program_available("python3")) GTEST_SKIP() << "python3 is not installed";
    bin_ = tmp_.path() / "bin";
    fs::create_directories(bin_);
    const fs::path script = TINYNAS_TEST_PROBE_DOUBLE;
    fs::create_symlink(script, bin_ / "pyocd");
    fs::create_symlink(script, bin_ / "openocd");
    state_ = tmp_.path() / "state";
    setenv("TINYNAS_PROBE_DOUBLE_DIR", state_.c_str(), 1);
    unsetenv("TINYNAS_PROBE_DOUBLE_NO_PROBE");
  }
  void TearDown() override {
    // Stop the double's QEMU (it also ends by itself after 120 s).
    std::ifstream pid_file(state_ / "qemu.pid");
    long pid = 0;
    if (pid_file >> pid && pid > 0) {
      const std::string kill = "kill -9 -" + std::to_string(pid) + " 2>/dev/null";
      if (std::system(kill.c_str()) != 0) {
      }
    }
    for (const char* name :
         {"TINYNAS_PROBE_DOUBLE_DIR", "TINYNAS_PROBE_DOUBLE_NO_PROBE",
          "TINYNAS_PROBE_DOUBLE_TWO_PROBES", "TINYNAS_PROBE_DOUBLE_VANISH_AFTER"})
      unsetenv(name);
  }

  BenchRequest request(const std::string& runner, const std::string& core) {
    nlohmann::json j = {
        {"name", "probe-double-" + core},
        {"core", core},
        {"sram_bytes", "256K"},
        {"flash_bytes", "1M"},
        {"clock_hz", 25000000},
        {"runner", runner},
        {"pyocd_target", core == "cortex-m7" ? "cortex_m7_double" : "cortex_m4_double"},
        {"flash_region", {{"origin", "0x00000000"}, {"length", "1M"}}},
        {"ram_region", {{"origin", "0x20000000"}, {"length", "256K"}}},
        {"firmware",
         {{"clock_family", "none"},
          {"flash_wait_states", 0},
          {"openocd_config", core == "cortex-m7" ? "double-m7.cfg" : "double-m4.cfg"},
          {"runners", {runner}}}}};
    BenchRequest r;
    r.model_dir = fixture_model_dir();
    r.work_dir = (tmp_.path() / (runner + core)).string();
    r.board = memory::board_from_json(j, "probe double board");
    r.runs = 5;
    r.seed = 3;
    r.timeout_s = 20;
    r.poll_interval_s = 0.05;
    r.pyocd.pyocd = (bin_ / "pyocd").string();
    r.openocd.openocd = (bin_ / "openocd").string();
    return r;
  }

  TempDir tmp_;
  fs::path bin_;
  fs::path state_;
};

TEST_F(BenchProbeDouble, FlashRunPollReadThroughPyocdAndOpenocdCommandLines) {
  const uint32_t expected_hash = fnv1a32(fixture_expected(bench_input(testing::kFixtureBytes, 3)));
  for (const char* runner : {"pyocd", "openocd"}) {
    for (const char* core : {"cortex-m4", "cortex-m7"}) {
      const BenchResult r = run_bench(request(runner, core));
      EXPECT_EQ(r.runner, runner);
      EXPECT_EQ(r.counter, "cycles") << "a probe runner reads a board's cycles";
      EXPECT_EQ(r.block.state, ResultState::kDone);
      EXPECT_EQ(r.block.timer_source, HIL_TIMER_SYSTICK) << "QEMU: DWT reads zero";
      EXPECT_EQ(r.block.runs_done, 5u);
      EXPECT_EQ(r.block.output_hash, expected_hash) << runner << " " << core;
      EXPECT_GT(r.median, 0u);
      EXPECT_FALSE(r.probe.empty() && std::string(runner) == "pyocd");
      // The same image on the qemu runner counts the same SysTick ticks (x 40 instructions).
    }
  }
}

TEST_F(BenchProbeDouble, NoProbeBehindTheDoubleIsNoBoard) {
  setenv("TINYNAS_PROBE_DOUBLE_NO_PROBE", "1", 1);
  for (const char* runner : {"pyocd", "openocd"}) {
    try {
      run_bench(request(runner, "cortex-m4"));
      FAIL() << runner;
    } catch (const NoProbeAttached& e) {
      EXPECT_NE(std::string(e.what()).find("probes seen: none"), std::string::npos) << e.what();
    }
  }
}

// A probe, but a pyOCD without the board's target (Debian's 0.13 and the F746 / H743): auto mode
// says so and moves on; --runner pyocd is refused with the reason.
TEST_F(BenchProbeDouble, APyocdWithoutTheTargetIsSkipped) {
  BenchRequest r = request("pyocd", "cortex-m4");
  r.board.pyocd_target = "stm32f746zgtx";
  try {
    run_bench(r);
    FAIL() << "ran";
  } catch (const NoProbeAttached& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no runner can use the probes attached"), std::string::npos) << what;
    EXPECT_NE(what.find("seen, but no target 'stm32f746zgtx'"), std::string::npos) << what;
    EXPECT_NE(what.find("probes seen: QEMU-PROBE-DOUBLE-0001"), std::string::npos) << what;
  }
  r.runner = "pyocd";
  EXPECT_THROW(run_bench(r), std::invalid_argument);
}

TEST_F(BenchProbeDouble, TwoProbesNeedProbeUid) {
  setenv("TINYNAS_PROBE_DOUBLE_TWO_PROBES", "1", 1);
  try {
    run_bench(request("pyocd", "cortex-m4"));
    FAIL() << "ran";
  } catch (const NoProbeAttached& e) {
    EXPECT_NE(std::string(e.what()).find("several debug probes are attached; choose one with "
                                         "--probe UID: QEMU-PROBE-DOUBLE-0001, "
                                         "QEMU-PROBE-DOUBLE-0002"),
              std::string::npos)
        << e.what();
  }
  BenchRequest r = request("pyocd", "cortex-m4");
  r.probe_uid = "0002";
  EXPECT_EQ(run_bench(r).probe, "QEMU-PROBE-DOUBLE-0002 (probe test double (QEMU))");
}

TEST_F(BenchProbeDouble, AProbeThatDisappearsMidRunFailsWithTheToolsMessage) {
  setenv("TINYNAS_PROBE_DOUBLE_VANISH_AFTER", "1", 1);
  for (const char* runner : {"pyocd", "openocd"}) {
    BenchRequest r = request(runner, "cortex-m4");
    r.runs = 20000000;  // still running when the probe goes
    fs::remove(state_ / "reads");
    const auto start = std::chrono::steady_clock::now();
    try {
      run_bench(r);
      FAIL() << runner;
    } catch (const FirmwareError& e) {
      EXPECT_EQ(e.kind(), FirmwareFailure::kProbeFailed) << e.what();
      EXPECT_NE(std::string(e.what()).find("probe disconnected"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 15);
  }
}

TEST_F(BenchProbeDouble, ABlockThatNeverFinishesTimesOutWithItsState) {
  BenchRequest r = request("pyocd", "cortex-m4");
  r.runs = 20000000;  // about 66 G instructions of QEMU: far beyond the timeout
  r.timeout_s = 2;
  try {
    run_bench(r);
    FAIL() << "finished";
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareFailure::kTimeout) << e.what();
    EXPECT_NE(std::string(e.what()).find("last state: running"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinynas::firmware
