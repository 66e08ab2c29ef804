// Hardware-in-the-loop for generated models, emulated: build a model project (tinynas export's
// model/ folder) with the bench harness for a Cortex-M target, run it in QEMU on a set of inputs,
// and return the outputs, the instructions per inference and the linked section sizes.
//
//   FirmwareRequest req;
//   req.model_dir = "model/";            // model.h, model.c, weights.c, kernels (the engine
//   contract) req.work_dir  = "out/qemu-m4";       // build and run files stay here for inspection
//   req.target    = "qemu-m4";           // or "qemu-m7"
//   req.board     = memory::load_board("stm32f412", configs);   // optional: its SRAM / Flash
//   limits req.inputs    = bytes;               // N x TINYNAS_INPUT_BYTES, int8 FirmwareResult r =
//   run_model_on_qemu(req); r.outputs (N x TINYNAS_OUTPUT_BYTES), r.instructions[i],
//   r.sections.rodata, ...
//
// The model project's contract: model.h defines TINYNAS_INPUT_BYTES, TINYNAS_OUTPUT_BYTES and
// TINYNAS_ARENA_BYTES as integers and declares tinynas_input(), tinynas_output(), tinynas_invoke()
// (0 = ok) and `extern int8_t tinynas_arena[TINYNAS_ARENA_BYTES]`; model.c defines the arena with
// TINYNAS_ARENA_ATTRIBUTES (default __attribute__((aligned(8))) when not defined), which this build
// defines to place it between the linker script's guard zones. C99, no malloc, -Wall -Wextra clean.
//
// Instruction counts: QEMU runs with -icount shift=0 (one instruction = 1 ns of virtual time) and
// the harness times tinynas_invoke() with SysTick, which runs at 25 MHz on mps2: one tick = 40
// instructions, so counts are exact to +-40 and identical from run to run. QEMU models no pipeline,
// caches or wait states: this is an instruction count, not a cycle count, and M4 and M7 agree.
// With estimate_cycles, a QEMU plugin adds ESTIMATED core cycles per inference and per layer from
// Arm's timing tables (result.cycles, cycle_estimate.h); they are not measured on silicon.
//
// Every failure throws (see firmware_error.h): tools missing, compile or link errors, "does not
// fit" with the region and the overflow in bytes, timeout, guard corruption, invoke error, fault.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "firmware/cycle_estimate.h"
#include "firmware/firmware_build.h"
#include "firmware/section_sizes.h"
#include "firmware/timing_plugin.h"
#include "firmware/tools.h"
#include "memory_model/board.h"

namespace tinynas::firmware {

struct FirmwareRequest {
  std::string model_dir;
  std::string work_dir;  // created; gets harness/, fw.ld, fw.elf, fw.map and run/
  std::string target = "qemu-m4";
  // Flash and SRAM limits for the link; empty = the target's default board (see qemu_target.h).
  std::optional<memory::Board> board;
  std::vector<int8_t> inputs;  // count x TINYNAS_INPUT_BYTES
  double timeout_s = 60;       // for the QEMU run
  int64_t stack_bytes = 8192;  // stack reserve in the linker script
  std::vector<std::string> extra_cflags;
  std::vector<std::string> exclude_sources;  // model files not to compile (a demo main.c)
  // Build with TINYNAS_PROFILE: the model calls a marker after every layer and the harness
  // reports each layer's ticks (layer_profile.h). Needs a project with TINYNAS_LAYERS.
  bool profile = false;
  // Run QEMU with the cortex_m_timing plugin (timing_plugin.h) and estimate the core's cycles
  // per inference (and per layer when profiled). Never fails the run: without the plugin, or
  // when nm or the plugin's report fails, result.cycles.reason says why.
  bool estimate_cycles = false;
  std::string timing_plugin;                 // the plugin .so; "" = find_timing_plugin()'s search
  int branch_penalty = kModelBranchPenalty;  // P in cycles per taken branch; -1: the model's
  ArmTools tools;
};

struct FirmwareResult {
  std::string target;   // "qemu-m4"
  std::string machine;  // "mps2-an386"
  std::string core;     // "cortex-m4"
  MemoryLayout layout;  // the Flash and RAM the firmware was linked for
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  int64_t arena_bytes = 0;      // TINYNAS_ARENA_BYTES as compiled
  std::vector<int8_t> outputs;  // inferences x output_bytes
  std::vector<int64_t> ticks;   // SysTick ticks per inference
  int64_t instructions_per_tick = 0;
  std::vector<int64_t> instructions;  // ticks x instructions_per_tick, per inference
  int64_t timer_overhead_ticks = 0;   // ticks measured around nothing (0 or 1)
  // Profiled runs only: instructions of each layer (ticks x instructions_per_tick), per
  // inference, and what one profiling marker costs (measured over many calls in a row).
  std::vector<std::vector<int64_t>> layer_instructions;
  double marker_instructions = 0;
  // estimate_cycles only: estimated cycles per inference / layer and the timing model's name,
  // or the reason there are none. Default-constructed (no reason) when not requested.
  CycleEstimate cycles;
  int64_t stack_peak_bytes = 0;  // deepest stack seen (harness + model)
  bool guard_ok = false;         // always true in a returned result (corruption throws)
  SectionSizes sections;
  std::string elf_path;
  std::vector<std::string> build_command;
  std::vector<std::string> run_command;
  std::string log;  // build and run output
  double build_seconds = 0;
  double run_seconds = 0;
};

// Builds and runs. Throws std::invalid_argument for a bad request (unknown target, missing model,
// inputs not a positive multiple of TINYNAS_INPUT_BYTES) and FirmwareError for everything else.
FirmwareResult run_model_on_qemu(const FirmwareRequest& request);

// Only the build part (for sizes without running). Same errors.
BuildResult build_model_for_qemu(const FirmwareRequest& request);

// Everything but the outputs and the logs, for reports: target, machine, layout, sizes, the
// per-inference instructions, their min / max / mean, stack peak, guard_ok, timings.
nlohmann::json firmware_result_to_json(const FirmwareResult& result);

}  // namespace tinynas::firmware
