// Estimated Cortex-M cycles of a QEMU run, from the cortex_m_timing plugin's report
// (firmware/qemu_plugin/cortex_m_timing.c): per inference and per layer, next to the plugin's own
// instruction counts (which agree with the SysTick counts to +-40 plus the timer call's few
// instructions). Estimates from Arm's published timing tables, not measured on silicon.
//
//   CycleEstimate e = parse_cycle_report(text, /*layers=*/12);
//   if (e.available) e.inference_cycles[0], e.layer_cycles[0][3], e.model ("cortex-m4-trm")
//   else e.reason   ("cycle estimate unavailable: ...")
//
// Attribution: an "invoke" event opens an inference, "layer" events inside it close layer i
// (from the previous event), "return" closes the inference. Layer events outside an inference
// (the harness's marker calibration) are ignored.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinynas::firmware {

struct CycleEstimate {
  bool available = false;
  std::string reason;  // why not, when !available: "cycle estimate unavailable: ..."
  std::string model;   // "cortex-m4-trm" / "cortex-m7-cpi"
  std::string core;
  double branch_penalty = 0;  // P, cycles added per taken branch
  std::vector<double> inference_cycles;
  std::vector<int64_t> inference_instructions;    // the plugin's exact counts
  std::vector<std::vector<double>> layer_cycles;  // per inference, per layer
  std::vector<std::vector<int64_t>> layer_instructions;
  int64_t total_instructions = 0;  // the whole run (harness included)
  double total_cycles = 0;
  int64_t taken_branches = 0;
  std::map<std::string, int64_t> class_instructions;  // the whole run's instruction mix
};

// An unavailable estimate with reason "cycle estimate unavailable: <why>".
CycleEstimate unavailable_estimate(const std::string& why);

// Parses the plugin's report. `layers` > 0: every inference must report that many layers.
// Throws std::runtime_error naming the line for a malformed or truncated report.
CycleEstimate parse_cycle_report(const std::string& text, int64_t layers);

// parse_cycle_report on a file; a missing, unreadable or malformed file gives an unavailable
// estimate with the reason instead of an exception.
CycleEstimate read_cycle_report_file(const std::string& path, int64_t layers);

// Mean of inference_cycles / inference_instructions (0 when empty).
double mean_cycles(const CycleEstimate& e);
double mean_cpi(const CycleEstimate& e);
// Mean over inferences of layer i's cycles.
std::vector<double> mean_layer_cycles(const CycleEstimate& e);

// {"available": false, "reason"} or the model, per-inference cycles and instructions, mean,
// CPI, per-layer cycles (mean over inferences), the instruction mix and a note that these are
// estimates.
nlohmann::json cycle_estimate_to_json(const CycleEstimate& e);

}  // namespace tinynas::firmware
