#include "firmware/tools.h"

#include "firmware/firmware_error.h"

namespace tinynas::firmware {
namespace {

std::string base_name(const std::string& program) {
  const size_t slash = program.rfind('/');
  return slash == std::string::npos ? program : program.substr(slash + 1);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

[[noreturn]] void throw_missing(const std::string& program) {
  const std::string located = program.find('/') == std::string::npos
                                  ? "is not installed (not found on PATH)"
                                  : "does not exist or is not executable";
  throw FirmwareError(FirmwareFailure::kToolMissing,
                      "'" + program + "' " + located + ": install the Debian package " +
                          package_for_tool(program) + " (scripts/setup.sh installs it)");
}

}  // namespace

std::string package_for_tool(const std::string& program) {
  const std::string name = base_name(program);
  if (starts_with(name, "arm-none-eabi-gcc"))
    return "gcc-arm-none-eabi (with libnewlib-arm-none-eabi)";
  if (starts_with(name, "arm-none-eabi-")) return "binutils-arm-none-eabi";
  if (starts_with(name, "qemu-system-arm")) return "qemu-system-arm";
  if (starts_with(name, "pyocd")) return "python3-pyocd (or pip install pyocd)";
  if (name.find("openocd") != std::string::npos) return "openocd";
  return "that provides '" + name + "'";
}

util::ProcessResult run_tool(const std::vector<std::string>& argv,
                             const util::ProcessOptions& opts) {
  try {
    return util::run_process(argv, opts);
  } catch (const util::ProgramNotFound& e) {
    throw_missing(e.program());
  }
}

void require_tool(const std::string& program) {
  if (!util::program_available(program)) throw_missing(program);
}

}  // namespace tinynas::firmware
