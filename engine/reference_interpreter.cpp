#include "engine/reference_interpreter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/ops/engine_op.h"

namespace tinynas::engine {

using memory::Op;

std::vector<int8_t> reference_op(const QuantModel& model, int op_index,
                                 const std::vector<int8_t>& x, const std::vector<int8_t>& x2) {
  const Op& op = model.graph.op(op_index);
  return engine_op(op.type).reference(model, op, model.layers[static_cast<size_t>(op_index)], x,
                                      x2);
}

std::vector<std::vector<int8_t>> run_reference_all(const QuantModel& model,
                                                   const std::vector<int8_t>& input) {
  const memory::Graph& g = model.graph;
  if (static_cast<int64_t>(input.size()) != g.tensor(g.input()).shape.elements())
    throw std::invalid_argument("int8 input has " + std::to_string(input.size()) +
                                " bytes, the model expects " +
                                std::to_string(g.tensor(g.input()).shape.elements()));
  std::vector<std::vector<int8_t>> t(g.tensors().size());
  t[static_cast<size_t>(g.input())] = input;
  static const std::vector<int8_t> kNone;
  for (size_t i = 0; i < g.ops().size(); ++i) {
    const Op& op = g.ops()[i];
    t[static_cast<size_t>(op.output)] =
        reference_op(model, static_cast<int>(i), t[static_cast<size_t>(op.input)],
                     op.input2 >= 0 ? t[static_cast<size_t>(op.input2)] : kNone);
  }
  return t;
}

std::vector<int8_t> run_reference(const QuantModel& model, const std::vector<int8_t>& input) {
  return run_reference_all(model, input)[static_cast<size_t>(model.graph.output())];
}

std::vector<int8_t> quantize_input(const QuantModel& model, const std::vector<float>& input) {
  const TensorQuant& q = model.input_quant();
  std::vector<int8_t> out(input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    const double v = std::round(input[i] / static_cast<double>(q.scale)) + q.zero_point;
    out[i] = static_cast<int8_t>(std::clamp(v, -128.0, 127.0));
  }
  return out;
}

}  // namespace tinynas::engine
