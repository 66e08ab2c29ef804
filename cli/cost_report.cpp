#include "cli/cost_report.h"

#include <algorithm>

#include "memory_model/cost.h"
#include "memory_model/op_def.h"
#include "memory_model/scheduler.h"
#include "nas/lowering.h"

namespace tinynas::cli {
namespace {

nlohmann::json shape_json(const memory::Shape& s) {
  return {s.h, s.w, s.c};
}

std::string block_name(const memory::Op& op, bool after_blocks) {
  if (op.block >= 0) return "b" + std::to_string(op.block);
  return after_blocks ? "head" : "stem";
}

std::vector<BlockMemory> blocks_of(const memory::Graph& graph, const std::vector<int64_t>& live) {
  std::vector<BlockMemory> blocks;
  bool after_blocks = false;
  for (size_t i = 0; i < graph.ops().size(); ++i) {
    const memory::Op& op = graph.ops()[i];
    after_blocks = after_blocks || (op.block < 0 && !blocks.empty() && blocks.back().block >= 0);
    const std::string name = block_name(op, after_blocks);
    if (blocks.empty() || blocks.back().name != name) blocks.push_back({op.block, name, 0});
    blocks.back().peak_bytes = std::max(blocks.back().peak_bytes, live[i]);
  }
  return blocks;
}

}  // namespace

std::vector<BlockMemory> block_memory(const nas::Arch& arch, const nas::SearchSpace& space) {
  const memory::Graph graph = nas::lower(arch, space);
  const memory::MemoryPlan plan = memory::Scheduler().schedule(graph);
  return blocks_of(graph, memory::live_bytes_per_op(plan, static_cast<int>(graph.ops().size())));
}

nlohmann::json cost_report(const nas::Arch& arch, const nas::SearchSpace& space,
                           const std::optional<nas::Constraints>& constraints) {
  const memory::Graph graph = nas::lower(arch, space);
  const memory::GraphCost total = memory::graph_cost(graph);
  const memory::MemoryPlan plan = memory::Scheduler().schedule(graph);
  const int n_ops = static_cast<int>(graph.ops().size());
  const std::vector<int64_t> live = memory::live_bytes_per_op(plan, n_ops);
  const std::vector<int64_t> naive = memory::sram_naive_per_op(graph);

  nlohmann::json layers = nlohmann::json::array();
  for (int i = 0; i < n_ops; ++i) {
    const memory::Op& op = graph.op(i);
    const memory::OpCost c = memory::op_cost(graph, op);
    nlohmann::json layer = {{"name", op.name()},
                            {"type", memory::to_string(op.type)},
                            {"in_shape", shape_json(graph.tensor(op.input).shape)},
                            {"out_shape", shape_json(graph.tensor(op.output).shape)},
                            {"macs", c.macs},
                            {"params", c.params},
                            {"flash_bytes", c.flash_bytes},
                            {"sram_bytes", live[static_cast<size_t>(i)]},
                            {"sram_bytes_naive", naive[static_cast<size_t>(i)]}};
    if (memory::op_def(op.type).windowed) {
      layer["kernel"] = op.kernel;
      layer["stride"] = op.stride;
    }
    layers.push_back(layer);
  }
  nlohmann::json blocks = nlohmann::json::array();
  for (const BlockMemory& b : blocks_of(graph, live))
    blocks.push_back({{"name", b.name}, {"peak_sram_bytes", b.peak_bytes}});

  nlohmann::json j = {{"macs", total.macs},
                      {"params", total.params},
                      {"flash_bytes", total.flash_bytes},
                      {"sram_bytes", plan.arena_bytes},
                      {"sram_bytes_naive", total.sram_bytes_naive},
                      {"sram_lower_bound", plan.lower_bound},
                      {"sram_placement", plan.strategy},
                      {"layers", layers},
                      {"blocks", blocks}};
  if (constraints) {
    nas::ArchCost cost{total.macs, total.params, total.flash_bytes, plan.arena_bytes};
    if (const nas::LatencyModel* latency = constraints->latency_model.get()) {
      const std::vector<nas::LayerLatencyFeatures> features = nas::latency_features(graph);
      cost.latency = latency->predict(features);
      for (size_t i = 0; i < features.size(); ++i)
        j["layers"][i]["predicted_latency"] = latency->predict_layer(features[i]);
      j["predicted_latency"] = cost.latency;
      j["latency_limit"] = constraints->latency_limit;
      j["latency_measure"] = constraints->measure();
    }
    j["fits"] = constraints->fits(cost);
    j["sram_total_bytes"] = plan.arena_bytes + constraints->reserved_sram_bytes;
    j["flash_total_bytes"] = total.flash_bytes + constraints->reserved_flash_bytes;
    j["sram_limit_bytes"] = constraints->sram_bytes;
    j["flash_limit_bytes"] = constraints->flash_bytes;
    if (!constraints->fits(cost)) j["violation"] = constraints->violation(cost);
  }
  return j;
}

}  // namespace tinynas::cli
