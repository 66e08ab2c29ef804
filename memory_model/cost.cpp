#include "memory_model/cost.h"

#include <algorithm>

#include "memory_model/op_def.h"

namespace tinynas::memory {

OpCost op_cost(const Graph& graph, const Op& op) {
  const OpDef& def = op_def(op.type);
  OpCost cost;
  cost.macs = def.macs(graph, op);
  if (!def.has_weights) return cost;
  const int64_t weights = def.weight_shape(graph, op).count();
  const int64_t channels = graph.tensor(op.output).shape.c;
  cost.params = weights + channels;  // one bias per output channel once BN is folded
  cost.flash_bytes = weights + channels * (kBiasBytes + kRequantBytesPerChannel);
  return cost;
}

GraphCost graph_cost(const Graph& graph) {
  GraphCost total;
  for (const Op& op : graph.ops()) {
    const OpCost c = op_cost(graph, op);
    total.macs += c.macs;
    total.params += c.params;
    total.flash_bytes += c.flash_bytes;
  }
  total.sram_bytes_naive = sram_naive(graph);
  return total;
}

std::vector<int64_t> sram_naive_per_op(const Graph& graph) {
  const auto& tensors = graph.tensors();
  const auto& ops = graph.ops();
  const int n_ops = static_cast<int>(ops.size());
  // Last op that reads each tensor; the graph output counts as read after the last op.
  std::vector<int> last_use(tensors.size(), -1);
  for (int i = 0; i < n_ops; ++i) {
    last_use[static_cast<size_t>(ops[static_cast<size_t>(i)].input)] = i;
    if (ops[static_cast<size_t>(i)].input2 >= 0)
      last_use[static_cast<size_t>(ops[static_cast<size_t>(i)].input2)] = i;
  }
  if (graph.output() >= 0) last_use[static_cast<size_t>(graph.output())] = n_ops;

  std::vector<int64_t> per_op(ops.size(), 0);
  for (int i = 0; i < n_ops; ++i) {
    const Op& op = ops[static_cast<size_t>(i)];
    int64_t bytes = graph.tensor(op.input).bytes() + graph.tensor(op.output).bytes();
    if (op.input2 >= 0) bytes += graph.tensor(op.input2).bytes();
    for (size_t t = 0; t < tensors.size(); ++t) {
      const int id = static_cast<int>(t);
      if (id == op.input || id == op.input2 || id == op.output) continue;
      if (tensors[t].producer < i && last_use[t] > i) bytes += tensors[t].bytes();
    }
    per_op[static_cast<size_t>(i)] = bytes;
  }
  return per_op;
}

int64_t sram_naive(const Graph& graph) {
  const std::vector<int64_t> per_op = sram_naive_per_op(graph);
  return per_op.empty() ? 0 : *std::max_element(per_op.begin(), per_op.end());
}

}  // namespace tinynas::memory
