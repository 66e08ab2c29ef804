#include "engine/float_interpreter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace tinynas::engine {

using memory::Graph;
using memory::LayerWeights;
using memory::Op;
using memory::OpType;
using memory::Shape;

namespace {

// Convolution (regular or depthwise) with 'same' zero padding, then bias, BN and activation.
void conv(const Graph& g, const Op& op, const LayerWeights& l, const std::vector<float>& x,
          std::vector<float>& y) {
  const Shape in = g.tensor(op.input).shape;
  const Shape out = g.tensor(op.output).shape;
  const bool dw = op.type == OpType::kDepthwiseConv2d;
  const int k = op.kernel;
  const std::vector<float>& w = l.weight.data;
  y.assign(static_cast<size_t>(out.elements()), 0.0f);
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox)
      for (int oc = 0; oc < out.c; ++oc) {
        double acc = 0;
        for (int ky = 0; ky < k; ++ky) {
          const int iy = oy * op.stride - op.pad + ky;
          if (iy < 0 || iy >= in.h) continue;
          for (int kx = 0; kx < k; ++kx) {
            const int ix = ox * op.stride - op.pad + kx;
            if (ix < 0 || ix >= in.w) continue;
            const size_t base = (static_cast<size_t>(iy) * in.w + ix) * in.c;
            if (dw) {
              acc += double{w[(static_cast<size_t>(oc) * k + ky) * k + kx]} * x[base + oc];
            } else {
              const size_t wb = ((static_cast<size_t>(oc) * k + ky) * k + kx) * in.c;
              for (int ic = 0; ic < in.c; ++ic) acc += double{w[wb + ic]} * x[base + ic];
            }
          }
        }
        float v = static_cast<float>(acc);
        if (l.bias) v += l.bias->data[static_cast<size_t>(oc)];
        if (l.bn) {
          const auto c = static_cast<size_t>(oc);
          v = (v - l.bn->mean[c]) / std::sqrt(l.bn->var[c] + l.bn->eps) * l.bn->gamma[c] +
              l.bn->beta[c];
        }
        if (op.activation == memory::Activation::kRelu6) v = std::min(std::max(v, 0.0f), 6.0f);
        y[(static_cast<size_t>(oy) * out.w + ox) * out.c + oc] = v;
      }
}

}  // namespace

FloatInterpreter::FloatInterpreter(const Graph& graph, const memory::FloatWeights& weights)
    : graph_(graph) {
  memory::check_weights_match(graph, weights);
  for (const Op& op : graph.ops())
    layer_of_op_.push_back(memory::has_weights(op) ? weights.find(op.name()) : nullptr);
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
    const std::vector<float>& x = t[static_cast<size_t>(op.input)];
    std::vector<float>& y = t[static_cast<size_t>(op.output)];
    switch (op.type) {
      case OpType::kConv2d:
      case OpType::kDepthwiseConv2d:
        conv(g, op, *layer_of_op_[i], x, y);
        break;
      case OpType::kAdd: {
        const std::vector<float>& x2 = t[static_cast<size_t>(op.input2)];
        y.resize(x.size());
        for (size_t j = 0; j < x.size(); ++j) y[j] = x[j] + x2[j];
        break;
      }
      case OpType::kGlobalAvgPool: {
        const Shape in = g.tensor(op.input).shape;
        y.assign(static_cast<size_t>(in.c), 0.0f);
        for (int c = 0; c < in.c; ++c) {
          double sum = 0;
          for (int p = 0; p < in.h * in.w; ++p) sum += x[static_cast<size_t>(p) * in.c + c];
          y[static_cast<size_t>(c)] = static_cast<float>(sum / (in.h * in.w));
        }
        break;
      }
      case OpType::kLinear: {
        const LayerWeights& l = *layer_of_op_[i];
        const int out = l.weight.shape[0];
        const size_t n = x.size();
        y.assign(static_cast<size_t>(out), 0.0f);
        for (int o = 0; o < out; ++o) {
          double acc = l.bias ? l.bias->data[static_cast<size_t>(o)] : 0.0;
          for (size_t j = 0; j < n; ++j) acc += double{l.weight.data[o * n + j]} * x[j];
          y[static_cast<size_t>(o)] = static_cast<float>(acc);
        }
        break;
      }
    }
  }
  return t;
}

std::vector<float> FloatInterpreter::run(const std::vector<float>& input) const {
  return run_all(input)[static_cast<size_t>(graph_.output())];
}

}  // namespace tinynas::engine
