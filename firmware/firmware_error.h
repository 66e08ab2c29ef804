// The error every tinynas_hil call throws when building or running firmware fails: a message that
// says what to do, a kind the caller can branch on, and the tools' full output for a log file.
//
//   try {
//     FirmwareResult r = run_model_on_qemu(request);
//   } catch (const FirmwareError& e) {
//     if (e.kind() == FirmwareFailure::kDoesNotFit) ...   // e.what(): "... region RAM overflowed
//     by 46880 bytes ..." write_log(e.log());
//   }
//
// Bad requests (a missing model folder, an unknown target) throw std::invalid_argument instead, and
// "no debug probe attached" throws NoProbeAttached (also an std::invalid_argument: the user asked
// for a board that is not there, which the CLI reports with exit 2).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace tinynas::firmware {

enum class FirmwareFailure {
  kToolMissing,     // arm-none-eabi-gcc, qemu-system-arm or pyocd is not installed
  kCompileFailed,   // the model or harness does not compile (-Werror included)
  kDoesNotFit,      // the linker says a memory region (RAM or FLASH) overflowed
  kLinkFailed,      // any other link error
  kTimeout,         // QEMU or a pyOCD command ran past its time limit
  kGuardCorrupted,  // the model wrote outside its arena
  kStackOverflow,   // the stack grew into the heap or the arena
  kInvokeFailed,    // tinynas_invoke() returned non-zero
  kFault,           // HardFault / BusFault / ... in the firmware
  kHarnessIo,       // the firmware could not read inputs.bin or write its results
  kBadResults,      // the firmware's outputs or stats are missing or malformed
  kEmulatorFailed,  // QEMU itself failed (bad machine, cannot load the ELF)
  kProbeFailed,     // a pyOCD command failed with a probe attached
};

// A short name for messages and JSON ("does_not_fit").
const char* failure_name(FirmwareFailure kind);

class FirmwareError : public std::runtime_error {
 public:
  FirmwareError(FirmwareFailure kind, const std::string& message, std::string log = "");
  FirmwareFailure kind() const { return kind_; }
  // The tools' stdout/stderr (compiler, linker, QEMU, pyOCD) behind this error; may be long.
  const std::string& log() const { return log_; }

  // kDoesNotFit: the first region the linker named ("RAM" or "FLASH") and by how many bytes it
  // overflowed (0 when ld did not say); `overflows` has every region that overflowed.
  std::string region;
  int64_t overflow_bytes = 0;
  std::map<std::string, int64_t> overflows;
  // kGuardCorrupted / kInvokeFailed: the inference it happened in (-1 when unknown).
  int64_t inference = -1;

 private:
  FirmwareFailure kind_;
  std::string log_;
};

// Thrown when no debug probe is connected (or not the one asked for). The message lists what was
// found and what to check.
class NoProbeAttached : public std::invalid_argument {
 public:
  explicit NoProbeAttached(const std::string& message) : std::invalid_argument(message) {}
};

}  // namespace tinynas::firmware
