#include "firmware/bench_stats.h"

#include <cstdint>
#include <sstream>
#include <stdexcept>

#include "firmware/target/hil_protocol.h"

namespace tinynas::firmware {
namespace {

[[noreturn]] void malformed(const std::string& line) {
  throw std::runtime_error("malformed line in the harness's " TINYNAS_HIL_STATS_FILE ": '" + line +
                           "'");
}

// Reads "KEY VALUE" pairs into the named fields; all must be present.
void read_pairs(std::istringstream& fields, const std::string& line,
                std::initializer_list<std::pair<const char*, int64_t*>> wanted) {
  for (const auto& [key, value] : wanted) {
    std::string got;
    long long number = 0;
    if (!(fields >> got >> number) || got != key) malformed(line);
    *value = number;
  }
}

// The harness prints int statuses as 32-bit unsigned numbers.
int64_t as_int32(int64_t value) {
  return value > INT32_MAX && value <= int64_t{UINT32_MAX} ? value - (int64_t{1} << 32) : value;
}

}  // namespace

BenchStats parse_bench_stats(const std::string& text) {
  BenchStats stats;
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line) || line != TINYNAS_HIL_STATS_MAGIC)
    throw std::runtime_error("the harness's " TINYNAS_HIL_STATS_FILE
                             " does not start with '" TINYNAS_HIL_STATS_MAGIC "'");
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    long long number = 0;
    if (key == "model") {
      read_pairs(fields, line,
                 {{"input_bytes", &stats.input_bytes},
                  {"output_bytes", &stats.output_bytes},
                  {"arena_bytes", &stats.arena_bytes}});
    } else if (key == "inferences") {
      if (!(fields >> number)) malformed(line);
      stats.inferences = number;
    } else if (key == "timer_overhead_ticks") {
      if (!(fields >> number)) malformed(line);
      stats.timer_overhead_ticks = number;
    } else if (key == "inference") {
      InferenceStats run;
      if (!(fields >> number) || number != static_cast<long long>(stats.runs.size()))
        malformed(line);
      read_pairs(fields, line, {{"ticks", &run.ticks}, {"status", &run.status}});
      run.status = as_int32(run.status);
      stats.runs.push_back(run);
    } else if (key == "marker_calibration") {
      read_pairs(
          fields, line,
          {{"calls", &stats.marker_calibration_calls}, {"ticks", &stats.marker_calibration_ticks}});
      if (stats.marker_calibration_calls <= 0) malformed(line);
    } else if (key == "layer") {
      // A layer line belongs to the inference line before it and comes in layer order.
      int64_t ticks = 0;
      if (stats.runs.empty() || !(fields >> number) ||
          number != static_cast<long long>(stats.runs.back().layer_ticks.size()))
        malformed(line);
      read_pairs(fields, line, {{"ticks", &ticks}});
      stats.runs.back().layer_ticks.push_back(ticks);
    } else if (key == "stack_peak_bytes") {
      if (!(fields >> number)) malformed(line);
      stats.stack_peak_bytes = number;
    } else if (key == "error") {
      if (!(fields >> number >> stats.error_what)) malformed(line);
      stats.error_code = static_cast<int>(number);
      long long value = 0;
      if (fields >> stats.error_key >> value) {
        stats.error_value = stats.error_key == "status" ? as_int32(value) : value;
      } else {
        stats.error_key.clear();
      }
    } else if (key == "done") {
      stats.done = true;
    } else {
      malformed(line);
    }
  }
  return stats;
}

std::string describe_exit_code(int code) {
  switch (code) {
    case TINYNAS_HIL_EXIT_OK:
      return "success";
    case 1:
      return "QEMU could not start the firmware, or the firmware called abort()";
    case TINYNAS_HIL_EXIT_STATS_OPEN:
      return "the harness could not create " TINYNAS_HIL_STATS_FILE " (semihosting file I/O)";
    case TINYNAS_HIL_EXIT_INPUT_OPEN:
      return "the harness could not open " TINYNAS_HIL_INPUTS_FILE;
    case TINYNAS_HIL_EXIT_INPUT_SIZE:
      return TINYNAS_HIL_INPUTS_FILE " is empty or not a multiple of TINYNAS_INPUT_BYTES";
    case TINYNAS_HIL_EXIT_INPUT_READ:
      return "short read from " TINYNAS_HIL_INPUTS_FILE;
    case TINYNAS_HIL_EXIT_OUTPUT_WRITE:
      return "the harness could not write " TINYNAS_HIL_OUTPUTS_FILE " or " TINYNAS_HIL_STATS_FILE;
    case TINYNAS_HIL_EXIT_ARENA_LAYOUT:
      return "the .tinynas_arena section is not exactly the model's arena (is tinynas_arena "
             "declared with TINYNAS_ARENA_ATTRIBUTES?)";
    case TINYNAS_HIL_EXIT_INVOKE:
      return "tinynas_invoke() returned an error";
    case TINYNAS_HIL_EXIT_PROFILE_MARKS:
      return "the profiled model did not call tinynas_layer_done() once per layer (TINYNAS_LAYERS)";
    case TINYNAS_HIL_EXIT_GUARD_BELOW:
      return "the model wrote below its arena (guard zone below the arena overwritten)";
    case TINYNAS_HIL_EXIT_GUARD_ABOVE:
      return "the model wrote past the end of its arena (guard zone above the arena overwritten)";
    case TINYNAS_HIL_EXIT_STACK_OVERFLOW:
      return "the stack grew down to the heap / arena (stack overflow)";
    case TINYNAS_HIL_EXIT_HARDFAULT:
      return "HardFault (a bad memory access or instruction in the firmware)";
    case TINYNAS_HIL_EXIT_MEMMANAGE:
      return "MemManage fault";
    case TINYNAS_HIL_EXIT_BUSFAULT:
      return "BusFault";
    case TINYNAS_HIL_EXIT_USAGEFAULT:
      return "UsageFault (undefined instruction, unaligned access or division by zero)";
    case TINYNAS_HIL_EXIT_NMI:
      return "NMI";
    case TINYNAS_HIL_EXIT_UNEXPECTED_IRQ:
      return "an unexpected interrupt";
    default:
      return "unknown exit code " + std::to_string(code);
  }
}

}  // namespace tinynas::firmware
