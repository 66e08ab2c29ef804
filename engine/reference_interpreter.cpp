#include "engine/reference_interpreter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/fixed_point.h"

namespace tinynas::engine {

using memory::Op;
using memory::OpType;
using memory::Shape;

namespace {

int8_t requantize(int32_t acc, int32_t multiplier, int32_t shift, const QuantLayer& q) {
  int32_t v = multiply_by_quantized_multiplier(acc, multiplier, shift) + q.output_offset;
  v = std::clamp(v, q.act_min, q.act_max);
  return static_cast<int8_t>(v);
}

std::vector<int8_t> conv(const QuantModel& m, const Op& op, const QuantLayer& q,
                         const std::vector<int8_t>& x) {
  const Shape in = m.graph.tensor(op.input).shape;
  const Shape out = m.graph.tensor(op.output).shape;
  const bool dw = op.type == OpType::kDepthwiseConv2d;
  const int k = op.kernel;
  std::vector<int8_t> y(static_cast<size_t>(out.elements()));
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox)
      for (int oc = 0; oc < out.c; ++oc) {
        int32_t acc = q.bias[static_cast<size_t>(oc)];
        for (int ky = 0; ky < k; ++ky) {
          const int iy = oy * op.stride - op.pad + ky;
          if (iy < 0 || iy >= in.h) continue;  // padding: the zero point, i.e. real 0
          for (int kx = 0; kx < k; ++kx) {
            const int ix = ox * op.stride - op.pad + kx;
            if (ix < 0 || ix >= in.w) continue;
            const size_t base = (static_cast<size_t>(iy) * in.w + ix) * in.c;
            if (dw) {
              acc += int32_t{q.weights[(static_cast<size_t>(oc) * k + ky) * k + kx]} *
                     (x[base + oc] + q.input_offset);
            } else {
              const int8_t* w =
                  q.weights.data() + ((static_cast<size_t>(oc) * k + ky) * k + kx) * in.c;
              const int8_t* px = x.data() + base;
              for (int ic = 0; ic < in.c; ++ic) acc += int32_t{w[ic]} * (px[ic] + q.input_offset);
            }
          }
        }
        y[(static_cast<size_t>(oy) * out.w + ox) * out.c + oc] = requantize(
            acc, q.multiplier[static_cast<size_t>(oc)], q.shift[static_cast<size_t>(oc)], q);
      }
  return y;
}

std::vector<int8_t> add(const QuantLayer& q, const std::vector<int8_t>& x1,
                        const std::vector<int8_t>& x2) {
  const AddParams& p = q.add;
  std::vector<int8_t> y(x1.size());
  for (size_t i = 0; i < x1.size(); ++i) {
    const int32_t a = (p.input1_offset + x1[i]) * (1 << p.left_shift);
    const int32_t b = (p.input2_offset + x2[i]) * (1 << p.left_shift);
    const int32_t sa = multiply_by_quantized_multiplier(a, p.input1_multiplier, p.input1_shift);
    const int32_t sb = multiply_by_quantized_multiplier(b, p.input2_multiplier, p.input2_shift);
    int32_t v = multiply_by_quantized_multiplier(sa + sb, p.output_multiplier, p.output_shift) +
                p.output_offset;
    y[i] = static_cast<int8_t>(std::clamp(v, q.act_min, q.act_max));
  }
  return y;
}

// TFLite's int8 average pool: sum the raw values, divide rounding half away from zero; input and
// output share scale and zero point.
std::vector<int8_t> global_avg_pool(const QuantModel& m, const Op& op, const QuantLayer& q,
                                    const std::vector<int8_t>& x) {
  const Shape in = m.graph.tensor(op.input).shape;
  const int count = in.h * in.w;
  std::vector<int8_t> y(static_cast<size_t>(in.c));
  for (int c = 0; c < in.c; ++c) {
    int32_t sum = 0;
    for (int p = 0; p < count; ++p) sum += x[static_cast<size_t>(p) * in.c + c];
    const int32_t avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    y[static_cast<size_t>(c)] = static_cast<int8_t>(std::clamp(avg, q.act_min, q.act_max));
  }
  return y;
}

std::vector<int8_t> linear(const QuantLayer& q, const std::vector<int8_t>& x) {
  const size_t out = q.bias.size();
  const size_t n = x.size();
  std::vector<int8_t> y(out);
  for (size_t o = 0; o < out; ++o) {
    int32_t acc = q.bias[o];
    for (size_t j = 0; j < n; ++j) acc += int32_t{q.weights[o * n + j]} * (x[j] + q.input_offset);
    y[o] = requantize(acc, q.multiplier[o], q.shift[o], q);
  }
  return y;
}

}  // namespace

std::vector<int8_t> reference_op(const QuantModel& model, int op_index,
                                 const std::vector<int8_t>& x, const std::vector<int8_t>& x2) {
  const Op& op = model.graph.op(op_index);
  const QuantLayer& q = model.layers[static_cast<size_t>(op_index)];
  switch (op.type) {
    case OpType::kConv2d:
    case OpType::kDepthwiseConv2d:
      return conv(model, op, q, x);
    case OpType::kAdd:
      return add(q, x, x2);
    case OpType::kGlobalAvgPool:
      return global_avg_pool(model, op, q, x);
    case OpType::kLinear:
      return linear(q, x);
  }
  return {};
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
