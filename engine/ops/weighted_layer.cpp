#include "engine/ops/weighted_layer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "engine/fixed_point.h"
#include "engine/quantizer.h"

namespace tinynas::engine {
namespace {

// A C array definition, 16 (int8) or 8 (int32) values per line.
template <typename T>
void write_array(std::ostringstream& out, const char* type, const std::string& name,
                 const std::vector<T>& values) {
  const size_t per_line = sizeof(T) == 1 ? 16 : 8;
  out << "static const " << type << " " << name << "[" << values.size() << "] = {";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % per_line == 0) out << "\n   ";
    out << " " << c_int_literal(values[i]) << (i + 1 < values.size() ? "," : "");
  }
  out << "\n};\n";
}

}  // namespace

void quantize_weighted_layer(const QuantizeContext& ctx, QuantLayer& q) {
  const memory::LayerWeights& layer = *ctx.layer;
  const TensorQuant& in_q = ctx.input();
  const TensorQuant& out_q = ctx.output();
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
    // The bias leaves room for every product of the channel (|x - zero point| <= 255), so no
    // partial sum overflows int32 in any order: a degenerate calibration (all-zero inputs) makes
    // the input scale tiny and the bias otherwise saturate at the int32 limit.
    int64_t products = 0;
    for (size_t j = 0; j < per; ++j) products += std::abs(int{q.weights[c * per + j]}) * 255;
    const double room = static_cast<double>(std::numeric_limits<int32_t>::max() - products);
    const double bias_scale = static_cast<double>(in_q.scale) * scale;
    q.bias[c] = static_cast<int32_t>(
        std::clamp(std::round(static_cast<double>(b[c]) / bias_scale), -room, room));
    int shift = 0;
    quantize_multiplier(bias_scale / out_q.scale, &q.multiplier[c], &shift);
    q.shift[c] = shift;
  }
  q.input_offset = -in_q.zero_point;
  q.output_offset = out_q.zero_point;
  activation_range(ctx.op.activation, out_q, &q.act_min, &q.act_max);
}

int8_t requantize_output(int32_t acc, int32_t multiplier, int32_t shift, const QuantLayer& q) {
  int32_t v = multiply_by_quantized_multiplier(acc, multiplier, shift) + q.output_offset;
  v = std::clamp(v, q.act_min, q.act_max);
  return static_cast<int8_t>(v);
}

std::string layer_params_definition(const ParamsContext& ctx) {
  const QuantLayer& q = ctx.q;
  const std::string& sym = ctx.symbol;
  const TensorQuant& iq = ctx.model.tensors[static_cast<size_t>(ctx.op.input)];
  const TensorQuant& oq = ctx.model.tensors[static_cast<size_t>(ctx.op.output)];
  std::ostringstream out;
  out << "\n/* " << ctx.description << "\n"
      << " * input scale " << iq.scale << " zero point " << iq.zero_point << ", output scale "
      << oq.scale << " zero point " << oq.zero_point << " */\n";
  write_array(out, "int8_t", sym + "_weights", q.weights);
  write_array(out, "int32_t", sym + "_bias", q.bias);
  write_array(out, "int32_t", sym + "_multiplier", q.multiplier);
  write_array(out, "int32_t", sym + "_shift", q.shift);
  out << "const tn_layer " << sym << " = {" << sym << "_weights, " << sym << "_bias, " << sym
      << "_multiplier, " << sym << "_shift,\n    " << q.input_offset << ", " << q.output_offset
      << ", " << q.act_min << ", " << q.act_max << "}; /* input offset, output offset, clamp */\n";
  return out.str();
}

}  // namespace tinynas::engine
