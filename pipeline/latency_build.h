// Latency models from measurements (`tinynas latency build|eval`): random sub-nets of the shipped
// spaces, exported with random weights, built for a QEMU target and run there; their per-layer
// counts fit a nas::LatencyModel, and held-out networks, measured as `tinynas verify` measures
// them (the plain build, no profiling markers), say how well it predicts whole inferences.
//
//   LatencyBuildOptions o;  o.spaces = {"mcunet", "resnet"};  o.networks = 100;
//   o.work_dir = "latency/work";
//   std::vector<LatencySample> s = measure_random_networks(o, observer);   // profiled builds
//   LatencyModel m = LatencyModel::fit(s, o.target, latency_measure_name(o.measure));
//   o.seed = 2;  o.profile = false;
//   LatencyEvaluation e = evaluate_latency_model(m, measure_random_networks(o, observer));
//
// Each measured network is kept in work_dir/<name>/: a re-run with the same options measures only
// what is missing (a killed build resumes). QEMU's counts are exact (-icount, +-40 per count) and
// the cycle estimates deterministic, so measurements repeat bit for bit.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "memory_model/board.h"
#include "nas/latency_model.h"
#include "pipeline/observer.h"

namespace tinynas::pipeline {

struct LatencyBuildOptions {
  std::vector<std::string> spaces;  // names under configs/spaces or .json files
  int networks = 100;               // in all, drawn in turn from each space
  uint64_t seed = 1;                // which networks: another seed, other networks
  std::string target = "qemu-m4";   // a QEMU target (firmware/qemu_target.h)
  // Networks must fit this board's budgets (SRAM and Flash less its reserves); nullopt: the
  // target's own board.
  std::optional<memory::Board> board;
  std::string config_dir;
  std::string work_dir;  // created; one folder per network
  // Per-layer counts (a build with profiling markers, taken out again) for fitting; false: the
  // plain build's whole inference only, as `tinynas verify` measures it, for evaluation.
  bool profile = true;
  // "cycles": Cortex-M cycles estimated by the QEMU timing plugin (firmware/cycle_estimate.h)
  // from Arm's timing tables; "instructions": QEMU's exact instruction counts.
  std::string measure = "cycles";
  double timeout_s = 120;  // per QEMU run
};

// The model's name for a measure: "instructions" or "estimated cycles" (nas::LatencyModel's
// measure()). Throws std::invalid_argument for another measure.
std::string latency_measure_name(const std::string& measure);

// Draws, exports, builds and runs; throws firmware::FirmwareError when a tool is missing or a
// build fails, std::runtime_error when cycles are asked for and the timing plugin gives none,
// std::invalid_argument for an unknown space, target or measure, or a space none of whose 1,000
// draws fits the board.
std::vector<nas::LatencySample> measure_random_networks(const LatencyBuildOptions& options,
                                                        Observer& observer);

struct LatencyPrediction {
  std::string name;
  std::string space;
  std::string arch;
  double measured = 0;
  double predicted = 0;
  double error = 0;  // (predicted - measured) / measured
};

struct LatencyErrorSummary {
  int networks = 0;
  double median_abs_error = 0;  // of |error|
  double worst_abs_error = 0;
  double mean_error = 0;  // signed: the model's bias
};

struct LatencyEvaluation {
  std::vector<LatencyPrediction> networks;
  LatencyErrorSummary all;
  std::vector<std::pair<std::string, LatencyErrorSummary>> by_space;  // in the spaces' order
};

LatencyEvaluation evaluate_latency_model(const nas::LatencyModel& model,
                                         const std::vector<nas::LatencySample>& measured);

nlohmann::json latency_evaluation_to_json(const LatencyEvaluation& evaluation);

}  // namespace tinynas::pipeline
