// The host programs tinynas_hil runs, by name (configurable, so tests and users can point at other
// installs or at a PATH-less name to check the error), and the one wrapper that runs them: every
// call goes through util::run_process with a timeout, and a missing program becomes a
// FirmwareError(kToolMissing) that names the program and the Debian package that provides it.
//
//   ArmTools tools;                        // arm-none-eabi-gcc, arm-none-eabi-size,
//   qemu-system-arm util::ProcessResult r = run_tool({tools.gcc, "--version"}, options);
#pragma once

#include <string>
#include <vector>

#include "util/process.h"

namespace tinynas::firmware {

struct ArmTools {
  std::string gcc = "arm-none-eabi-gcc";
  std::string size = "arm-none-eabi-size";
  std::string nm = "arm-none-eabi-nm";  // marker addresses for the cycle-estimate plugin
  std::string qemu = "qemu-system-arm";
  // Limit for one compiler or size call, in seconds.
  double compile_timeout_s = 120;
};

// The Debian package that installs `program` (by its base name), for "install X" hints.
std::string package_for_tool(const std::string& program);

// util::run_process, but a missing program throws FirmwareError(kToolMissing) with the package.
util::ProcessResult run_tool(const std::vector<std::string>& argv,
                             const util::ProcessOptions& opts);

// Throws FirmwareError(kToolMissing) unless `program` can be run.
void require_tool(const std::string& program);

}  // namespace tinynas::firmware
