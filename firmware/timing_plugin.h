// Where the cortex_m_timing QEMU plugin is and how to attach it to a run: finds the built .so,
// reads the marker addresses (tinynas_invoke, tinynas_layer_done) from the firmware ELF with
// arm-none-eabi-nm, and writes the -plugin value. Nothing here fails a run: every problem comes
// back as a reason the caller reports as "cycle estimate unavailable".
//
//   std::string why;
//   const std::string so = find_timing_plugin("", &why);          // "" when not found
//   const MarkerSymbols syms = read_marker_symbols(tools, elf);  // throws std::runtime_error
//   run.plugin = timing_plugin_option(so, "cortex-m4", syms, "cycles.txt", 2);
//
// Search order: the explicit path, $TINYNAS_TIMING_PLUGIN, lib/tinynas/ beside the executable's
// bin/ folder (an install), then the build tree's copy (compiled in as TINYNAS_TIMING_PLUGIN).
#pragma once

#include <cstdint>
#include <string>

#include "firmware/cycle_estimate.h"
#include "firmware/tools.h"

namespace tinynas::firmware {

inline constexpr const char* kTimingPluginFile = "libtinynas_cortex_m_timing.so";
inline constexpr const char* kCycleReportFile = "cycles.txt";
// P, the cycles a taken branch adds: this value keeps the timing model's own (M4: 2, the middle
// of the TRM's 1..3; M7: 1), see docs/results/hil.md for the choice.
inline constexpr int kModelBranchPenalty = -1;

// The plugin's path, or "" with *why saying where it looked.
std::string find_timing_plugin(const std::string& explicit_path, std::string* why);

struct MarkerSymbols {
  uint64_t invoke = 0;      // tinynas_invoke (Thumb bit cleared)
  uint64_t layer_done = 0;  // tinynas_layer_done; 0 in builds without TINYNAS_PROFILE
};

// Parses `nm` output ("00000410 T tinynas_invoke"). Throws std::runtime_error without
// tinynas_invoke.
MarkerSymbols parse_marker_symbols(const std::string& nm_output);

// Runs tools.nm on the ELF (with a timeout). Throws std::runtime_error or FirmwareError.
MarkerSymbols read_marker_symbols(const ArmTools& tools, const std::string& elf);

// "PLUGIN,out=FILE,core=CORE,branch_penalty=P,invoke=0x..[,layer_done=0x..]" with commas in the
// paths doubled (QEMU's option escaping). P < 0: the model's default.
std::string timing_plugin_option(const std::string& plugin, const std::string& core,
                                 const MarkerSymbols& symbols, const std::string& out_file,
                                 int branch_penalty);

// All of the above for one run: the -plugin value, or "" with *cycles set to an unavailable
// estimate saying why (plugin not found, nm missing or failing, no tinynas_invoke).
std::string prepare_timing_plugin(const std::string& explicit_plugin, const ArmTools& tools,
                                  const std::string& core, const std::string& elf,
                                  int branch_penalty, CycleEstimate* cycles);

}  // namespace tinynas::firmware
