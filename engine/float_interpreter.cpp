#include "engine/float_interpreter.h"

#include <stdexcept>
#include <string>

#include "engine/ops/engine_op.h"

namespace tinynas::engine {

using memory::Graph;
using memory::LayerWeights;
using memory::Op;

FloatInterpreter::FloatInterpreter(const Graph& graph, const memory::FloatWeights& weights)
    : graph_(graph) {
  memory::check_weights_match(graph, weights);
  for (const Op& op : graph.ops()) layer_of_op_.push_back(weights.layer_of(op));
}

std::vector<std::vector<float>> FloatInterpreter::run_all(const std::vector<float>& input) const {
  const Graph& g = graph_;
  if (static_cast<int64_t>(input.size()) != g.tensor(g.input()).shape.elements())
    throw std::invalid_argument("float input has " + std::to_string(input.size()) +
                                " values, the graph expects " +
                                std::to_string(g.tensor(g.input()).shape.elements()));
  std::vector<std::vector<float>> t(g.tensors().size());
  t[static_cast<size_t>(g.input())] = input;
  for (size_t i = 0; i < g.ops().size(); ++i) {
    const Op& op = g.ops()[i];
    static const std::vector<float> kNone;
    const std::vector<float>& x = t[static_cast<size_t>(op.input)];
    const std::vector<float>& x2 = op.input2 >= 0 ? t[static_cast<size_t>(op.input2)] : kNone;
    engine_op(op.type).run_float(g, op, layer_of_op_[i], x, x2, t[static_cast<size_t>(op.output)]);
  }
  return t;
}

std::vector<float> FloatInterpreter::run(const std::vector<float>& input) const {
  return run_all(input)[static_cast<size_t>(graph_.output())];
}

}  // namespace tinynas::engine
