// A profiled run's per-layer instruction counts joined with the graph they ran: one row per layer
// (name, op, kernel, stride, channels, MACs, instructions, per MAC, share), sums per op kind, and
// the CSV `tinynas verify --profile` writes. Counts come from a firmware built with
// TINYNAS_PROFILE (FirmwareRequest::profile): the generated model calls a marker after every
// layer and the harness stamps the timer there (firmware/target/hil_profile.h).
//
//   FirmwareResult fw = run_model_on_qemu(request_with_profile);
//   LayerProfile p = make_layer_profile(model.graph, fw);
//   p.rows[3].instructions, p.layer_sum, p.whole_inference, p.marker_instructions
//   std::string csv = layer_profile_csv(p);
//
// Each layer's count runs from the end of the previous layer's marker stamp to its own, so it
// holds one marker call; the counts add up to the profiled inference (to a tick), and that is the
// plain build's inference plus one marker per layer. On QEMU a tick is 40 instructions: every
// layer is exact to +-40.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/hil.h"
#include "memory_model/graph.h"

namespace tinynas::firmware {

struct LayerProfileRow {
  int index = 0;
  std::string layer;      // "b3.dw"
  std::string op;         // "depthwise_conv2d"
  bool windowed = false;  // a sliding-window op (conv, depthwise, pooling window)
  int kernel = 1;         // windowed ops; 1 for the others
  int stride = 1;
  int in_channels = 0;
  int out_channels = 0;
  int64_t macs = 0;
  int64_t instructions = 0;  // mean over the profiled inferences, rounded
  double per_mac = 0;        // instructions / MACs; 0 for ops without MACs
  double share = 0;          // of layer_sum, 0..1
  // Estimated core cycles (mean over inferences) from the timing plugin; < 0 when there is no
  // estimate. An estimate from reference-manual tables, not a measurement.
  double estimated_cycles = -1;
};

// The layers of one op kind summed: "conv2d 1x1/1", "depthwise_conv2d 5x5/2", "add".
struct OpKindProfile {
  std::string kind;
  int layers = 0;
  int64_t macs = 0;
  int64_t instructions = 0;
  double per_mac = 0;
  double share = 0;
};

struct LayerProfile {
  std::vector<LayerProfileRow> rows;
  int64_t layer_sum = 0;              // of rows' instructions
  int64_t macs = 0;                   // of rows' MACs
  int64_t whole_inference = 0;        // the profiled build's inference (mean), markers included
  double marker_instructions = 0;     // one marker call, measured by the harness
  int inferences = 0;                 // averaged over
  int64_t instructions_per_tick = 0;  // the resolution of every count
  // The cycle estimate (FirmwareRequest::estimate_cycles): the timing model's name, or "" with
  // cycle_reason saying why there is none; the profiled inference's estimated cycles (mean).
  std::string cycle_model;
  std::string cycle_reason;
  double whole_inference_cycles = 0;
};

// Throws std::invalid_argument when the result is not from a profiled run of this graph (no layer
// counts, or another number of layers than the graph has ops).
LayerProfile make_layer_profile(const memory::Graph& graph, const FirmwareResult& result);

// "conv2d 1x1/1" for windowed ops, the op's name for the others.
std::string op_kind(const LayerProfileRow& row);

// Sums by op_kind(), most instructions first.
std::vector<OpKindProfile> profile_by_op_kind(const LayerProfile& profile);

// Header "layer,op,kernel,stride,in_channels,out_channels,macs,instructions,instructions_per_mac,
// share,estimated_cycles" and one line per layer (estimated_cycles empty without an estimate).
std::string layer_profile_csv(const LayerProfile& profile);

}  // namespace tinynas::firmware
