// The bench harness's report (stats.txt, written by firmware/target/bench_main.c) as a struct, and
// what its exit codes (firmware/target/hil_protocol.h) mean.
//
//   BenchStats s = parse_bench_stats(read_text("stats.txt"));
//   s.runs[3].ticks, s.stack_peak_bytes, s.done, s.error_code
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::firmware {

struct InferenceStats {
  int64_t ticks = 0;   // SysTick ticks around tinynas_invoke()
  int64_t status = 0;  // tinynas_invoke()'s return value
  // Profiled builds (TINYNAS_PROFILE): ticks of each layer, in order, each with one marker call.
  std::vector<int64_t> layer_ticks;
};

struct BenchStats {
  int64_t input_bytes = -1;  // as compiled into the firmware (model.h)
  int64_t output_bytes = -1;
  int64_t arena_bytes = -1;
  int64_t inferences = -1;  // inputs found in inputs.bin
  int64_t timer_overhead_ticks = 0;
  // Profiled builds: ticks for `marker_calibration_calls` profiling markers in a row; 0 calls
  // when the firmware was not profiled.
  int64_t marker_calibration_calls = 0;
  int64_t marker_calibration_ticks = 0;
  std::vector<InferenceStats> runs;  // one per completed inference, in order
  int64_t stack_peak_bytes = -1;
  bool done = false;  // the harness reached its end
  // From an "error CODE WHAT [KEY VALUE]" line; error_code 0 when there is none. KEY is "offset"
  // (guards), "status" (invoke), "inference" or "bytes"; empty when the line has none.
  int error_code = 0;
  std::string error_what;
  std::string error_key;
  int64_t error_value = 0;
};

// Throws std::runtime_error when the text does not start with the stats magic line or a line is
// malformed (the message quotes the line).
BenchStats parse_bench_stats(const std::string& text);

// One line on what the harness's exit code means ("guard zone above the arena was overwritten").
std::string describe_exit_code(int code);

}  // namespace tinynas::firmware
