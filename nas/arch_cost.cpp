#include "nas/arch_cost.h"

#include "memory_model/cost.h"
#include "nas/lowering.h"

namespace tinynas::nas {

ArchCost CostModel::evaluate(const Arch& arch) {
  lower(arch, space_, graph_);
  ArchCost cost;
  for (const memory::Op& op : graph_.ops()) {
    const memory::OpCost c = memory::op_cost(graph_, op);
    cost.macs += c.macs;
    cost.params += c.params;
    cost.flash_bytes += c.flash_bytes;
  }
  cost.sram_bytes = scheduler_.arena_bytes(graph_);
  if (latency_) cost.latency = latency_->predict(graph_);
  return cost;
}

nlohmann::json cost_to_json(const ArchCost& cost) {
  nlohmann::json j = {{"macs", cost.macs},
                      {"params", cost.params},
                      {"flash_bytes", cost.flash_bytes},
                      {"sram_bytes", cost.sram_bytes}};
  if (cost.latency > 0) j["predicted_latency"] = cost.latency;
  return j;
}

}  // namespace tinynas::nas
