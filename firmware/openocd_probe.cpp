#include "firmware/openocd_probe.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "firmware/firmware_error.h"
#include "firmware/tools.h"

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", static_cast<unsigned>(value));
  return text;
}

std::vector<std::string> base_command(const OpenocdTools& tools, const std::string& config,
                                      const std::string& serial) {
  std::vector<std::string> argv = {tools.openocd, "-f", config};
  if (!serial.empty()) {
    argv.push_back("-c");
    argv.push_back("adapter serial " + serial);
  }
  return argv;
}

// The first "Error:" line of OpenOCD's output, else its last non-empty line.
std::string reason(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (line.rfind("Error:", 0) == 0) return line.substr(7);
    if (!line.empty()) last = line;
  }
  return last;
}

util::ProcessResult run_openocd(const std::vector<std::string>& argv, double timeout_s,
                                const std::string& what) {
  util::ProcessOptions opts;
  opts.timeout_s = timeout_s;
  util::ProcessResult r = run_tool(argv, opts);
  const std::string log = "$ " + util::format_command(argv) + "\n" + r.out + r.err;
  if (r.timed_out)
    throw FirmwareError(FirmwareFailure::kTimeout,
                        what + ": openocd did not finish within " +
                            std::to_string(static_cast<int>(timeout_s)) + " s",
                        log);
  if (r.exit_code != 0)
    throw FirmwareError(FirmwareFailure::kProbeFailed,
                        what + " failed (openocd exit code " + std::to_string(r.exit_code) +
                            "): " + reason(r.out + r.err),
                        log);
  return r;
}

}  // namespace

OpenocdProbeCheck check_openocd_probe(const OpenocdTools& tools, const std::string& config,
                                      const std::string& serial) {
  std::vector<std::string> argv = base_command(tools, config, serial);
  for (const char* c : {"init", "exit"}) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  util::ProcessOptions opts;
  opts.timeout_s = tools.timeout_s;
  const util::ProcessResult r = run_tool(argv, opts);
  OpenocdProbeCheck check;
  if (r.timed_out) {
    check.detail =
        "openocd did not answer within " + std::to_string(static_cast<int>(tools.timeout_s)) + " s";
    return check;
  }
  const std::string output = r.out + r.err;
  check.found = r.exit_code == 0;
  if (check.found) {
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line))
      if (line.find("STLINK") != std::string::npos || line.find("J-Link") != std::string::npos ||
          line.find("CMSIS-DAP") != std::string::npos) {
        check.detail = line;
        break;
      }
  } else {
    check.detail = reason(output);
  }
  return check;
}

OpenocdProbe require_openocd_probe(const OpenocdTools& tools, const std::string& config,
                                   const std::string& serial) {
  const OpenocdProbeCheck check = check_openocd_probe(tools, config, serial);
  if (!check.found)
    throw NoProbeAttached("no board attached: openocd -f " + config + " found no adapter (" +
                          check.detail + ")");
  OpenocdProbe probe;
  probe.config = config;
  probe.serial = serial;
  probe.adapter = check.detail;
  return probe;
}

std::vector<std::string> openocd_flash_command(const OpenocdTools& tools, const OpenocdProbe& probe,
                                               const std::string& elf_path) {
  std::vector<std::string> argv = base_command(tools, probe.config, probe.serial);
  argv.push_back("-c");
  argv.push_back("program " + fs::absolute(elf_path).string() + " verify reset exit");
  return argv;
}

std::vector<std::string> openocd_read_command(const OpenocdTools& tools, const OpenocdProbe& probe,
                                              uint32_t address, uint32_t length,
                                              const std::string& file) {
  std::vector<std::string> argv = base_command(tools, probe.config, probe.serial);
  for (const std::string& c :
       {std::string("init"),
        "dump_image " + file + " " + hex32(address) + " " + std::to_string(length),
        std::string("exit")}) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  return argv;
}

void openocd_flash(const OpenocdTools& tools, const OpenocdProbe& probe,
                   const std::string& elf_path) {
  if (!fs::exists(elf_path))
    throw std::invalid_argument("firmware ELF '" + elf_path + "' not found");
  run_openocd(openocd_flash_command(tools, probe, elf_path), tools.flash_timeout_s,
              "flashing " + elf_path);
}

std::vector<uint8_t> openocd_read_memory(const OpenocdTools& tools, const OpenocdProbe& probe,
                                         uint32_t address, uint32_t length,
                                         const std::string& scratch_dir) {
  fs::create_directories(scratch_dir);
  const fs::path file = fs::absolute(fs::path(scratch_dir) / "target_memory.bin");
  fs::remove(file);
  const util::ProcessResult r =
      run_openocd(openocd_read_command(tools, probe, address, length, file.string()),
                  tools.timeout_s, "reading target memory");
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (bytes.size() != length)
    throw FirmwareError(FirmwareFailure::kProbeFailed,
                        "reading target memory: expected " + std::to_string(length) +
                            " bytes from " + hex32(address) + ", got " +
                            std::to_string(bytes.size()),
                        r.out + r.err);
  return bytes;
}

}  // namespace tinynas::firmware
