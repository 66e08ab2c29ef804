// pyOCD, for running firmware on a real board through a debug probe (ST-Link, CMSIS-DAP): find
// which pyOCD is installed, list the attached probes, flash an ELF, reset, and read target memory.
// Every call is a subprocess with a timeout (pyOCD 0.13's tools wait for ever for a probe, so
// probes are always listed first, and nothing else runs when none is attached).
//
// Two generations are supported, with configurable executable names:
//   modern (>= 0.14, `pyocd`):  pyocd json --probes | pyocd flash | pyocd reset | pyocd commander
//   -c legacy (0.13, Debian 12):   pyocd-gdbserver -l --json | pyocd-flashtool | pyocd-tool
//
//   PyocdTools tools;                                   // names, timeouts
//   DebugProbe probe = require_probe(tools);            // throws NoProbeAttached: "no board
//   attached" flash_elf(tools, probe, "stm32f412xg", "fw.elf"); reset_target(tools, probe,
//   "stm32f412xg"); std::vector<uint8_t> bytes = read_target_memory(tools, probe, "stm32f412xg",
//   0x20000000, 64, dir);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::firmware {

struct PyocdTools {
  std::string pyocd = "pyocd";                // modern single command
  std::string gdbserver = "pyocd-gdbserver";  // legacy 0.13 tools
  std::string flashtool = "pyocd-flashtool";
  std::string tool = "pyocd-tool";
  double timeout_s = 30;         // probe listing, reset, memory reads
  double flash_timeout_s = 180;  // programming Flash
};

enum class PyocdFlavor { kModern, kLegacy };

struct DebugProbe {
  std::string unique_id;
  std::string board_name;  // "NUCLEO-F412ZG" when pyOCD knows the board
  std::string target;      // the target pyOCD detected, may be empty
  std::string description;
  std::string vendor;
  std::string product;
};

// The installed flavour: `pyocd` when found, else the legacy tools. Throws
// FirmwareError(kToolMissing) naming both spellings and the package when neither is installed.
PyocdFlavor detect_pyocd(const PyocdTools& tools);

// The attached probes. Throws FirmwareError(kToolMissing), (kTimeout) or (kProbeFailed) when the
// listing itself fails.
std::vector<DebugProbe> list_probes(const PyocdTools& tools);

// Parses the JSON listing (both flavours print {"status": 0, "boards": [{"unique_id": ...}]}).
// Throws std::runtime_error when the text is not such a listing or status is not 0.
std::vector<DebugProbe> parse_probe_list(const std::string& json_text);

// The probe to use: the only one, or the one whose unique_id contains `unique_id` when given.
// Throws NoProbeAttached ("no board attached ...") when there is none, or several and no id.
DebugProbe require_probe(const PyocdTools& tools, const std::string& unique_id = "");

// The target names the installed pyOCD knows (`pyocd json --targets` / `pyocd-gdbserver
// --list-targets --json`; Debian's 0.13 has no stm32f746 or stm32h743). Throws like list_probes.
std::vector<std::string> list_pyocd_targets(const PyocdTools& tools);

// Programs the ELF into Flash. Throws FirmwareError(kProbeFailed / kTimeout) with pyOCD's output.
void flash_elf(const PyocdTools& tools, const DebugProbe& probe, const std::string& target,
               const std::string& elf_path);

// Resets the target and lets it run.
void reset_target(const PyocdTools& tools, const DebugProbe& probe, const std::string& target);

// `length` bytes of target memory from `address`, through a temporary file in scratch_dir.
std::vector<uint8_t> read_target_memory(const PyocdTools& tools, const DebugProbe& probe,
                                        const std::string& target, uint32_t address,
                                        uint32_t length, const std::string& scratch_dir);

}  // namespace tinynas::firmware
