#include "firmware/bench_outcome.h"

#include <stdexcept>

#include "firmware/firmware_error.h"
#include "firmware/target/hil_protocol.h"

namespace tinynas::firmware {
namespace {

FirmwareFailure failure_for_exit_code(int code) {
  switch (code) {
    case TINYNAS_HIL_EXIT_GUARD_BELOW:
    case TINYNAS_HIL_EXIT_GUARD_ABOVE:
      return FirmwareFailure::kGuardCorrupted;
    case TINYNAS_HIL_EXIT_STACK_OVERFLOW:
      return FirmwareFailure::kStackOverflow;
    case TINYNAS_HIL_EXIT_INVOKE:
      return FirmwareFailure::kInvokeFailed;
    case TINYNAS_HIL_EXIT_HARDFAULT:
    case TINYNAS_HIL_EXIT_MEMMANAGE:
    case TINYNAS_HIL_EXIT_BUSFAULT:
    case TINYNAS_HIL_EXIT_USAGEFAULT:
    case TINYNAS_HIL_EXIT_NMI:
    case TINYNAS_HIL_EXIT_UNEXPECTED_IRQ:
      return FirmwareFailure::kFault;
    case TINYNAS_HIL_EXIT_STATS_OPEN:
    case TINYNAS_HIL_EXIT_INPUT_OPEN:
    case TINYNAS_HIL_EXIT_INPUT_SIZE:
    case TINYNAS_HIL_EXIT_INPUT_READ:
    case TINYNAS_HIL_EXIT_OUTPUT_WRITE:
      return FirmwareFailure::kHarnessIo;
    case 1:
      return FirmwareFailure::kEmulatorFailed;
    default:
      return FirmwareFailure::kBadResults;
  }
}

// The console's lines that the harness or its fault handler wrote ("tinynas_hil: ...").
std::string harness_lines(const std::string& console) {
  std::string lines;
  size_t at = console.find("tinynas_hil:");
  while (at != std::string::npos) {
    const size_t end = console.find('\n', at);
    lines += "\n  " + console.substr(at, end == std::string::npos ? end : end - at);
    at = end == std::string::npos ? end : console.find("tinynas_hil:", end);
  }
  return lines;
}

std::string log_of(const BenchOutcome& o) {
  std::string command;
  for (const std::string& arg : o.command) command += (command.empty() ? "" : " ") + arg;
  return "$ " + command + "\n" + o.console + "\n--- " TINYNAS_HIL_STATS_FILE " ---\n" +
         o.stats_text;
}

}  // namespace

BenchMeasurement interpret_outcome(const BenchOutcome& o, const engine::ProjectManifest& manifest,
                                   int64_t expected_inferences) {
  const std::string log = log_of(o);
  if (o.timed_out)
    throw FirmwareError(FirmwareFailure::kTimeout,
                        "the firmware did not finish within " +
                            std::to_string(static_cast<int64_t>(o.timeout_s)) +
                            " s (a hung model, or raise the timeout); QEMU was stopped",
                        log);

  BenchMeasurement m;
  if (o.has_stats) {
    try {
      m.stats = parse_bench_stats(o.stats_text);
    } catch (const std::runtime_error& e) {
      throw FirmwareError(FirmwareFailure::kBadResults, e.what(), log);
    }
  }
  if (o.exit_code != TINYNAS_HIL_EXIT_OK) {
    const FirmwareFailure kind = failure_for_exit_code(o.exit_code);
    std::string message = "the firmware failed with exit code " + std::to_string(o.exit_code) +
                          ": " + describe_exit_code(o.exit_code);
    if (kind == FirmwareFailure::kEmulatorFailed && !o.has_stats)
      message = "QEMU failed to run the firmware (exit code 1)";
    if (m.stats.error_code != 0) {
      message += " [harness: " + m.stats.error_what;
      if (!m.stats.error_key.empty())
        message += " " + m.stats.error_key + " " + std::to_string(m.stats.error_value);
      message += "]";
    }
    const int64_t inference = static_cast<int64_t>(m.stats.runs.size()) - 1;
    if (kind == FirmwareFailure::kGuardCorrupted || kind == FirmwareFailure::kInvokeFailed ||
        kind == FirmwareFailure::kFault) {
      const int64_t at = kind == FirmwareFailure::kFault ? inference + 1 : inference;
      if (at >= 0) message += " in inference " + std::to_string(at);
    }
    message += harness_lines(o.console);
    if (kind == FirmwareFailure::kEmulatorFailed && !o.console.empty())
      message += "\n" + o.console.substr(0, 2000);
    FirmwareError error(kind, message, log);
    if (kind == FirmwareFailure::kGuardCorrupted || kind == FirmwareFailure::kInvokeFailed)
      error.inference = inference;
    throw error;
  }

  if (!o.has_stats || !m.stats.done)
    throw FirmwareError(
        FirmwareFailure::kBadResults,
        "the firmware exited 0 but its " TINYNAS_HIL_STATS_FILE " is missing or incomplete", log);
  if (m.stats.input_bytes != manifest.input_bytes || m.stats.output_bytes != manifest.output_bytes)
    throw FirmwareError(
        FirmwareFailure::kBadResults,
        "the firmware was built with input/output bytes " + std::to_string(m.stats.input_bytes) +
            "/" + std::to_string(m.stats.output_bytes) + " but model.json says " +
            std::to_string(manifest.input_bytes) + "/" + std::to_string(manifest.output_bytes),
        log);
  if (m.stats.inferences != expected_inferences ||
      static_cast<int64_t>(m.stats.runs.size()) != expected_inferences)
    throw FirmwareError(FirmwareFailure::kBadResults,
                        "expected " + std::to_string(expected_inferences) +
                            " inferences, the firmware ran " + std::to_string(m.stats.runs.size()),
                        log);
  const size_t expected_bytes = static_cast<size_t>(expected_inferences * manifest.output_bytes);
  if (!o.has_outputs || o.outputs.size() != expected_bytes)
    throw FirmwareError(FirmwareFailure::kBadResults,
                        "the firmware wrote " + std::to_string(o.outputs.size()) +
                            " output bytes, expected " + std::to_string(expected_bytes),
                        log);
  m.outputs = o.outputs;
  return m;
}

}  // namespace tinynas::firmware
