#include "engine/quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/fixed_point.h"
#include "engine/float_interpreter.h"
#include "engine/ops/engine_op.h"

namespace tinynas::engine {

using memory::Graph;
using memory::Op;

namespace {

// Per-tensor calibration statistics.
struct RangeStats {
  float lo = std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::lowest();
  std::vector<float> samples;  // percentile mode only (subsampled for large tensors)
};

// At most this many values per tensor are kept for percentiles.
constexpr size_t kMaxSamplesPerTensor = size_t{1} << 22;

}  // namespace

FoldedLayer fold_batch_norm(const memory::LayerWeights& layer) {
  const auto out = static_cast<size_t>(layer.weight.shape[0]);
  const size_t per = layer.weight.data.size() / out;
  FoldedLayer f;
  f.weight = layer.weight.data;
  f.bias.assign(out, 0.0f);
  for (size_t c = 0; c < out; ++c) {
    const float b = layer.bias ? layer.bias->data[c] : 0.0f;
    if (!layer.bn) {
      f.bias[c] = b;
      continue;
    }
    const memory::BatchNorm& bn = *layer.bn;
    const double g = bn.gamma[c] / std::sqrt(double{bn.var[c]} + bn.eps);
    for (size_t j = 0; j < per; ++j)
      f.weight[c * per + j] = static_cast<float>(layer.weight.data[c * per + j] * g);
    f.bias[c] = static_cast<float>((b - bn.mean[c]) * g + bn.beta[c]);
  }
  return f;
}

TensorQuant choose_activation_quant(float lo, float hi) {
  double min = std::min(0.0, double{lo});
  double max = std::max(0.0, double{hi});
  if (max - min < 1e-6) max = min + 1e-6;  // a constant-zero tensor still needs a scale
  const double scale = (max - min) / 255.0;
  const double zp = std::round(-128.0 - min / scale);
  TensorQuant q;
  q.scale = static_cast<float>(scale);
  q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  return q;
}

void activation_range(memory::Activation activation, const TensorQuant& q, int32_t* act_min,
                      int32_t* act_max) {
  *act_min = -128;
  *act_max = 127;
  if (activation == memory::Activation::kRelu6) {
    *act_min = std::max(-128, q.zero_point);
    const double six = q.zero_point + std::round(6.0 / q.scale);
    *act_max = static_cast<int32_t>(std::min(127.0, six));
  }
}

QuantModel quantize(const Graph& graph, const memory::FloatWeights& weights,
                    const std::vector<std::vector<float>>& calibration_inputs,
                    const QuantizeOptions& options) {
  if (calibration_inputs.empty())
    throw std::invalid_argument("quantisation needs at least one calibration input");
  const FloatInterpreter net(graph, weights);  // checks the weights against the graph
  const bool percentile = options.calibration == QuantizeOptions::Calibration::kPercentile;
  if (percentile && !(options.percentile > 50.0 && options.percentile <= 100.0))
    throw std::invalid_argument("calibration percentile must be in (50, 100], got " +
                                std::to_string(options.percentile));

  const size_t n_tensors = graph.tensors().size();
  std::vector<RangeStats> stats(n_tensors);
  for (const std::vector<float>& input : calibration_inputs) {
    const std::vector<std::vector<float>> all = net.run_all(input);
    for (size_t t = 0; t < n_tensors; ++t) {
      RangeStats& s = stats[t];
      for (float v : all[t]) {
        s.lo = std::min(s.lo, v);
        s.hi = std::max(s.hi, v);
      }
      if (percentile) {
        const size_t budget = kMaxSamplesPerTensor / calibration_inputs.size() + 1;
        const size_t step = std::max<size_t>(1, all[t].size() / budget);
        for (size_t j = 0; j < all[t].size(); j += step) s.samples.push_back(all[t][j]);
      }
    }
  }

  QuantModel m;
  m.graph = graph;
  m.input_normalization = weights.input;
  m.tensors.resize(n_tensors);
  for (size_t t = 0; t < n_tensors; ++t) {
    RangeStats& s = stats[t];
    float lo = s.lo, hi = s.hi;
    if (percentile && !s.samples.empty()) {
      const double tail = (100.0 - options.percentile) / 100.0;
      const size_t n = s.samples.size();
      const auto k_lo = static_cast<size_t>(std::floor(tail * static_cast<double>(n - 1)));
      const size_t k_hi = n - 1 - k_lo;
      std::nth_element(s.samples.begin(), s.samples.begin() + static_cast<long>(k_lo),
                       s.samples.end());
      lo = s.samples[k_lo];
      std::nth_element(s.samples.begin(), s.samples.begin() + static_cast<long>(k_hi),
                       s.samples.end());
      hi = s.samples[k_hi];
    }
    m.tensors[t] = choose_activation_quant(lo, hi);
  }
  // Pooling keeps its input's quantisation (TFLite's int8 pooling kernels require it).
  for (const Op& op : graph.ops())
    if (engine_op(op.type).output_keeps_input_quant())
      m.tensors[static_cast<size_t>(op.output)] = m.tensors[static_cast<size_t>(op.input)];

  m.layers.resize(graph.ops().size());
  for (size_t i = 0; i < graph.ops().size(); ++i) {
    const Op& op = graph.ops()[i];
    QuantLayer& q = m.layers[i];
    engine_op(op.type).quantize(QuantizeContext{graph, op, weights.layer_of(op), m.tensors}, q);
  }
  return m;
}

}  // namespace tinynas::engine
