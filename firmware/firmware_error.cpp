#include "firmware/firmware_error.h"

#include <utility>

namespace tinynas::firmware {

const char* failure_name(FirmwareFailure kind) {
  switch (kind) {
    case FirmwareFailure::kToolMissing:
      return "tool_missing";
    case FirmwareFailure::kCompileFailed:
      return "compile_failed";
    case FirmwareFailure::kDoesNotFit:
      return "does_not_fit";
    case FirmwareFailure::kLinkFailed:
      return "link_failed";
    case FirmwareFailure::kTimeout:
      return "timeout";
    case FirmwareFailure::kGuardCorrupted:
      return "guard_corrupted";
    case FirmwareFailure::kStackOverflow:
      return "stack_overflow";
    case FirmwareFailure::kInvokeFailed:
      return "invoke_failed";
    case FirmwareFailure::kFault:
      return "fault";
    case FirmwareFailure::kHarnessIo:
      return "harness_io";
    case FirmwareFailure::kBadResults:
      return "bad_results";
    case FirmwareFailure::kEmulatorFailed:
      return "emulator_failed";
    case FirmwareFailure::kProbeFailed:
      return "probe_failed";
  }
  return "unknown";
}

FirmwareError::FirmwareError(FirmwareFailure kind, const std::string& message, std::string log)
    : std::runtime_error(message), kind_(kind), log_(std::move(log)) {}

}  // namespace tinynas::firmware
