// OpenOCD, the second way to a board (it covers all four boards, the nRF52840-DK's J-Link
// included, which pyOCD cannot use): check that an adapter answers, program an ELF, read target
// memory while the core runs. Every call is one `openocd -f CONFIG -c ...` subprocess with a
// timeout; OpenOCD exits 1 at once ("open failed", "No J-Link device found") without an adapter.
//
//   OpenocdTools tools;
//   OpenocdProbe probe = require_openocd_probe(tools, "board/stm32f746g-disco.cfg", uid);
//   openocd_flash(tools, probe, "fw.elf");                 // program, verify, reset, run
//   std::vector<uint8_t> bytes = openocd_read_memory(tools, probe, 0x20000000, 512, dir);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::firmware {

struct OpenocdTools {
  std::string openocd = "openocd";
  double timeout_s = 15;         // adapter check, memory reads
  double flash_timeout_s = 180;  // programming Flash
};

struct OpenocdProbe {
  std::string config;   // "board/stm32f746g-disco.cfg"
  std::string serial;   // --probe UID: `adapter serial UID`; empty = the only adapter
  std::string adapter;  // what OpenOCD said about the adapter (its Info line), may be empty
};

// The outcome of looking for an adapter: found, or why not (OpenOCD's own error line).
struct OpenocdProbeCheck {
  bool found = false;
  std::string detail;  // "open failed" / "Info : STLINK V2J37M26 ..." / "timed out after 15 s"
};

// Runs `openocd -f config [-c "adapter serial UID"] -c init -c exit`. Throws
// FirmwareError(kToolMissing) when OpenOCD is not installed; never throws for a missing adapter.
OpenocdProbeCheck check_openocd_probe(const OpenocdTools& tools, const std::string& config,
                                      const std::string& serial = "");

// check_openocd_probe, throwing NoProbeAttached with OpenOCD's reason when nothing answers.
OpenocdProbe require_openocd_probe(const OpenocdTools& tools, const std::string& config,
                                   const std::string& serial = "");

// The argv of each step (for logs, tests and the probe test double's documentation).
std::vector<std::string> openocd_flash_command(const OpenocdTools& tools, const OpenocdProbe& probe,
                                               const std::string& elf_path);
std::vector<std::string> openocd_read_command(const OpenocdTools& tools, const OpenocdProbe& probe,
                                              uint32_t address, uint32_t length,
                                              const std::string& file);

// `program ELF verify reset exit`: Flash written and checked, then the core runs.
void openocd_flash(const OpenocdTools& tools, const OpenocdProbe& probe,
                   const std::string& elf_path);

// `init; dump_image FILE ADDRESS LENGTH; exit` through a file in scratch_dir.
std::vector<uint8_t> openocd_read_memory(const OpenocdTools& tools, const OpenocdProbe& probe,
                                         uint32_t address, uint32_t length,
                                         const std::string& scratch_dir);

}  // namespace tinynas::firmware
