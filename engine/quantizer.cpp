#include "engine/quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/fixed_point.h"
#include "engine/float_interpreter.h"

namespace tinynas::engine {

using memory::Graph;
using memory::Op;
using memory::OpType;

namespace {

// Per-tensor calibration statistics.
struct RangeStats {
  float lo = std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::lowest();
  std::vector<float> samples;  // percentile mode only (subsampled for large tensors)
};

// At most this many values per tensor are kept for percentiles.
constexpr size_t kMaxSamplesPerTensor = size_t{1} << 22;

int32_t clamp_int32(double v) {
  if (v >= 2147483647.0) return std::numeric_limits<int32_t>::max();
  if (v <= -2147483648.0) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}

void quantize_weights(const Graph& graph, const Op& op, const memory::LayerWeights& layer,
                      const TensorQuant& in_q, const TensorQuant& out_q, QuantLayer& q) {
  std::vector<float> w;
  std::vector<float> b;
  if (layer.bn) {
    FoldedLayer folded = fold_batch_norm(layer);
    w = std::move(folded.weight);
    b = std::move(folded.bias);
  } else {
    w = layer.weight.data;
    b = layer.bias ? layer.bias->data
                   : std::vector<float>(static_cast<size_t>(layer.weight.shape[0]));
  }
  const auto out = static_cast<size_t>(layer.weight.shape[0]);
  const size_t per = w.size() / out;
  q.weights.resize(w.size());
  q.bias.resize(out);
  q.multiplier.resize(out);
  q.shift.resize(out);
  q.weight_scale.resize(out);
  for (size_t c = 0; c < out; ++c) {
    float max_abs = 0;
    for (size_t j = 0; j < per; ++j) max_abs = std::max(max_abs, std::fabs(w[c * per + j]));
    // An all-zero channel gets an arbitrary (harmless) scale.
    const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f / 127.0f;
    q.weight_scale[c] = scale;
    for (size_t j = 0; j < per; ++j) {
      const double v = std::round(static_cast<double>(w[c * per + j]) / scale);
      q.weights[c * per + j] = static_cast<int8_t>(std::clamp(v, -127.0, 127.0));
    }
    const double bias_scale = static_cast<double>(in_q.scale) * scale;
    q.bias[c] = clamp_int32(std::round(static_cast<double>(b[c]) / bias_scale));
    int shift = 0;
    quantize_multiplier(bias_scale / out_q.scale, &q.multiplier[c], &shift);
    q.shift[c] = shift;
  }
  q.input_offset = -in_q.zero_point;
  q.output_offset = out_q.zero_point;
  activation_range(op.activation, out_q, &q.act_min, &q.act_max);
  (void)graph;
}

AddParams add_params(const TensorQuant& in1, const TensorQuant& in2, const TensorQuant& out) {
  AddParams p;
  p.left_shift = 20;
  p.input1_offset = -in1.zero_point;
  p.input2_offset = -in2.zero_point;
  p.output_offset = out.zero_point;
  const double twice_max = 2.0 * std::max(double{in1.scale}, double{in2.scale});
  int shift = 0;
  quantize_multiplier(in1.scale / twice_max, &p.input1_multiplier, &shift);
  p.input1_shift = shift;
  quantize_multiplier(in2.scale / twice_max, &p.input2_multiplier, &shift);
  p.input2_shift = shift;
  quantize_multiplier(twice_max / ((1 << p.left_shift) * double{out.scale}), &p.output_multiplier,
                      &shift);
  p.output_shift = shift;
  return p;
}

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
  // Average pooling keeps its input's quantisation (TFLite's int8 AVERAGE_POOL_2D requires it).
  for (const Op& op : graph.ops())
    if (op.type == OpType::kGlobalAvgPool)
      m.tensors[static_cast<size_t>(op.output)] = m.tensors[static_cast<size_t>(op.input)];

  m.layers.resize(graph.ops().size());
  for (size_t i = 0; i < graph.ops().size(); ++i) {
    const Op& op = graph.ops()[i];
    QuantLayer& q = m.layers[i];
    const TensorQuant& in_q = m.tensors[static_cast<size_t>(op.input)];
    const TensorQuant& out_q = m.tensors[static_cast<size_t>(op.output)];
    switch (op.type) {
      case OpType::kConv2d:
      case OpType::kDepthwiseConv2d:
      case OpType::kLinear:
        quantize_weights(graph, op, *weights.find(op.name()), in_q, out_q, q);
        break;
      case OpType::kAdd:
        q.add = add_params(in_q, m.tensors[static_cast<size_t>(op.input2)], out_q);
        q.output_offset = out_q.zero_point;
        activation_range(op.activation, out_q, &q.act_min, &q.act_max);
        break;
      case OpType::kGlobalAvgPool:
        q.input_offset = -in_q.zero_point;
        q.output_offset = out_q.zero_point;
        activation_range(op.activation, out_q, &q.act_min, &q.act_max);
        break;
    }
  }
  return m;
}

}  // namespace tinynas::engine
