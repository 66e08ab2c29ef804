#include "firmware/layer_profile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "memory_model/cost.h"
#include "memory_model/op_def.h"

namespace tinynas::firmware {
namespace {

double per_mac(int64_t instructions, int64_t macs) {
  return macs > 0 ? static_cast<double>(instructions) / static_cast<double>(macs) : 0.0;
}

double share(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

int64_t rounded_mean(int64_t sum, size_t count) {
  return static_cast<int64_t>(std::llround(static_cast<double>(sum) / static_cast<double>(count)));
}

}  // namespace

LayerProfile make_layer_profile(const memory::Graph& graph, const FirmwareResult& result) {
  const size_t layers = graph.ops().size();
  const size_t runs = result.layer_instructions.size();
  if (runs == 0)
    throw std::invalid_argument("the firmware result has no per-layer counts (not profiled)");
  for (const std::vector<int64_t>& run : result.layer_instructions)
    if (run.size() != layers)
      throw std::invalid_argument("the profiled firmware reported " + std::to_string(run.size()) +
                                  " layers, the model's graph has " + std::to_string(layers) +
                                  " ops");
  LayerProfile p;
  p.inferences = static_cast<int>(runs);
  p.marker_instructions = result.marker_instructions;
  p.instructions_per_tick = result.instructions_per_tick;
  int64_t whole = 0;
  for (int64_t n : result.instructions) whole += n;
  p.whole_inference =
      result.instructions.empty() ? 0 : rounded_mean(whole, result.instructions.size());
  for (size_t i = 0; i < layers; ++i) {
    const memory::Op& op = graph.ops()[i];
    LayerProfileRow row;
    row.index = static_cast<int>(i);
    row.layer = op.name();
    row.op = memory::to_string(op.type);
    row.windowed = memory::op_def(op.type).windowed;
    if (row.windowed) {
      row.kernel = op.kernel;
      row.stride = op.stride;
    }
    row.in_channels = graph.tensor(op.input).shape.c;
    row.out_channels = graph.tensor(op.output).shape.c;
    row.macs = memory::op_cost(graph, op).macs;
    int64_t sum = 0;
    for (const std::vector<int64_t>& run : result.layer_instructions) sum += run[i];
    row.instructions = rounded_mean(sum, runs);
    row.per_mac = per_mac(row.instructions, row.macs);
    p.layer_sum += row.instructions;
    p.macs += row.macs;
    p.rows.push_back(row);
  }
  for (LayerProfileRow& row : p.rows) row.share = share(row.instructions, p.layer_sum);
  if (result.cycles.available) {
    const std::vector<double> cycles = mean_layer_cycles(result.cycles);
    if (cycles.size() == layers) {
      for (size_t i = 0; i < layers; ++i) p.rows[i].estimated_cycles = cycles[i];
      p.cycle_model = result.cycles.model;
      p.whole_inference_cycles = mean_cycles(result.cycles);
    } else {
      p.cycle_reason = "cycle estimate unavailable: the plugin reported " +
                       std::to_string(cycles.size()) + " layers";
    }
  } else {
    p.cycle_reason = result.cycles.reason.empty() ? "cycle estimate unavailable: not requested"
                                                  : result.cycles.reason;
  }
  return p;
}

std::string op_kind(const LayerProfileRow& row) {
  if (!row.windowed) return row.op;
  return row.op + " " + std::to_string(row.kernel) + "x" + std::to_string(row.kernel) + "/" +
         std::to_string(row.stride);
}

std::vector<OpKindProfile> profile_by_op_kind(const LayerProfile& profile) {
  std::map<std::string, OpKindProfile> kinds;
  for (const LayerProfileRow& row : profile.rows) {
    OpKindProfile& k = kinds[op_kind(row)];
    k.kind = op_kind(row);
    k.layers += 1;
    k.macs += row.macs;
    k.instructions += row.instructions;
  }
  std::vector<OpKindProfile> out;
  for (auto& [name, k] : kinds) {
    k.per_mac = per_mac(k.instructions, k.macs);
    k.share = share(k.instructions, profile.layer_sum);
    out.push_back(k);
  }
  std::stable_sort(out.begin(), out.end(), [](const OpKindProfile& a, const OpKindProfile& b) {
    return a.instructions > b.instructions;
  });
  return out;
}

std::string layer_profile_csv(const LayerProfile& profile) {
  std::string csv =
      "layer,op,kernel,stride,in_channels,out_channels,macs,instructions,instructions_per_mac,"
      "share,estimated_cycles\n";
  char line[256];
  for (const LayerProfileRow& r : profile.rows) {
    std::snprintf(line, sizeof line, "%s,%s,%d,%d,%d,%d,%lld,%lld,%.4f,%.6f,", r.layer.c_str(),
                  r.op.c_str(), r.kernel, r.stride, r.in_channels, r.out_channels,
                  static_cast<long long>(r.macs), static_cast<long long>(r.instructions), r.per_mac,
                  r.share);
    csv += line;
    if (r.estimated_cycles >= 0) {
      std::snprintf(line, sizeof line, "%.1f", r.estimated_cycles);
      csv += line;
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace tinynas::firmware
