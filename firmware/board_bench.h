// `tinynas bench`: one model measured on a board (or on QEMU with the same firmware and the same
// result block). Builds the model with the board harness (firmware/target/board_main.c) for the
// board's memory map and clock (configs/boards/NAME.json, board_firmware.h), chooses a runner,
// flashes, runs, polls the result block at the RAM origin until the firmware says done, and
// decodes it.
//
//   BenchRequest req;
//   req.model_dir = "model/";  req.work_dir = "bench/";  req.runs = 10;
//   req.board = memory::load_board("stm32f746", configs);   // or "qemu-m4"
//   BenchResult r = run_bench(req);    // r.runner, r.block.ticks_median, r.ms_median, ...
//
// Runners, in the board's "runners" order unless `runner` names one:
//   qemu     qemu-system-arm -icount shift=0; the firmware (built with HIL_QEMU_EXIT) writes the
//            block to result.bin through semihosting and exits. Counts are instructions.
//   pyocd    probes listed first (pyocd json --probes / pyocd-gdbserver -l --json), then flash,
//            reset, and savemem of the block until it is done (pyocd_probe.h).
//   openocd  `init; exit` to see an adapter, `program ELF verify reset exit`, then dump_image of
//            the block until it is done (openocd_probe.h).
// Every subprocess has a timeout. With no probe behind any runner, NoProbeAttached (exit 2) names
// the runners tried and the probes seen.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "firmware/board_firmware.h"
#include "firmware/cycle_estimate.h"
#include "firmware/firmware_build.h"
#include "firmware/openocd_probe.h"
#include "firmware/pyocd_probe.h"
#include "firmware/result_block.h"
#include "firmware/timing_plugin.h"
#include "firmware/tools.h"
#include "memory_model/board.h"

namespace tinynas::firmware {

struct BenchRequest {
  std::string model_dir;
  std::string work_dir;  // created; gets harness/, fw.ld, fw.elf, fw.map, run/
  memory::Board board;
  std::string runner;     // "" = auto; "qemu", "pyocd" or "openocd"
  std::string probe_uid;  // --probe: a probe's unique id (pyOCD) / adapter serial (OpenOCD)
  int runs = 10;          // timed runs after one warm-up run
  double timeout_s = 60;  // the run: QEMU's limit, or how long the block is polled
  double poll_interval_s = 0.25;
  uint32_t seed = 1;  // the input's random bytes
  int64_t stack_bytes = 8192;
  // QEMU runner only: run with the cortex_m_timing plugin for estimated cycles (never fails the
  // bench; see hil.h's FirmwareRequest for the same options).
  bool estimate_cycles = true;
  std::string timing_plugin;  // "" = find_timing_plugin()'s search
  int branch_penalty = kModelBranchPenalty;
  ArmTools tools;
  PyocdTools pyocd;
  OpenocdTools openocd;
};

struct BenchLayer {
  int index = 0;
  std::string name;  // from quant_model.json when the folder has it, else "layer N"
  std::string op;
  int64_t macs = 0;
  uint64_t count = 0;            // cycles (board) or instructions (QEMU) of the last timed run
  double estimated_cycles = -1;  // QEMU with the timing plugin: the last run's; < 0 = none
};

struct BenchResult {
  std::string board;
  std::string core;
  std::string runner;              // the one used
  std::string probe;               // the probe / adapter used; "" on QEMU
  std::vector<std::string> tried;  // "pyocd: no debug probe", ... (auto-detection)
  int64_t clock_hz = 0;
  std::string counter;   // "cycles" or "instructions" (QEMU: -icount, not cycles)
  int64_t per_tick = 1;  // counts per timer tick (QEMU: 40 instructions per SysTick tick)
  ResultBlock block;
  uint64_t min = 0, median = 0, max = 0;         // counts per inference
  std::vector<uint64_t> runs;                    // counts per timed run (the first 32)
  double ms_min = 0, ms_median = 0, ms_max = 0;  // at clock_hz (QEMU: virtual time)
  std::vector<BenchLayer> layers;
  double marker_count = 0;  // one profiling marker, in counts
  // QEMU runner: estimated cycles of every run (the warm-up first), or the reason there are none.
  CycleEstimate cycles;
  bool reference_checked = false;  // quant_model.json was there
  bool output_matches_reference = false;
  uint32_t reference_hash = 0;
  SectionSizes sections;
  MemoryLayout layout;
  uint32_t result_address = 0;
  std::string elf_path;
  std::vector<std::string> build_command;
  double build_seconds = 0;
  double run_seconds = 0;
};

// The bench input: `bytes` seeded random int8 values (what the firmware links into Flash).
std::vector<int8_t> bench_input(int64_t bytes, uint32_t seed);

// Builds the board firmware only (for "does it link and fit" checks and tests). `qemu_exit` adds
// the semihosting result dump for the qemu runner.
BuildResult build_bench_firmware(const BenchRequest& request, const BoardFirmware& fw,
                                 bool qemu_exit, uint32_t run_id);

// Throws std::invalid_argument for bad requests (runs < 1, unknown runner, missing model folder),
// NoProbeAttached when no runner reaches a board, FirmwareError for everything else (tool missing
// when --runner names one that is not installed, timeout with the block's last state, guard,
// fault, invoke error).
BenchResult run_bench(const BenchRequest& request);

nlohmann::json bench_result_to_json(const BenchResult& result);

}  // namespace tinynas::firmware
