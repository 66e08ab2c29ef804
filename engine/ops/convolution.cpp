#include "engine/ops/convolution.h"

#include <algorithm>
#include <cmath>

#include "engine/ops/weighted_layer.h"
#include "engine/quantizer.h"

namespace tinynas::engine {

using memory::Op;
using memory::Shape;

std::vector<int8_t> reference_convolution(const QuantModel& m, const Op& op, const QuantLayer& q,
                                          const std::vector<int8_t>& x, bool depthwise) {
  const Shape in = m.graph.tensor(op.input).shape;
  const Shape out = m.graph.tensor(op.output).shape;
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
            if (depthwise) {
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
        y[(static_cast<size_t>(oy) * out.w + ox) * out.c + oc] = requantize_output(
            acc, q.multiplier[static_cast<size_t>(oc)], q.shift[static_cast<size_t>(oc)], q);
      }
  return y;
}

void float_convolution(const memory::Graph& g, const Op& op, const memory::LayerWeights& l,
                       const std::vector<float>& x, std::vector<float>& y, bool depthwise) {
  const Shape in = g.tensor(op.input).shape;
  const Shape out = g.tensor(op.output).shape;
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
            if (depthwise) {
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

void onnx_convolution(OnnxBuilder& onnx, const memory::Graph& graph, const Op& op,
                      const memory::LayerWeights& l, const std::string& input,
                      const std::string& output, bool depthwise) {
  // Weights OHWI (depthwise [C, kh, kw, 1]) to OIHW, with BN folded in exactly as the quantiser
  // folds it, so the ONNX model is the network the engine quantises.
  const FoldedLayer folded = fold_batch_norm(l);
  const int out = l.weight.shape[0];
  const int k = op.kernel;
  const int in = depthwise ? 1 : graph.op_in_channels(op);
  std::vector<float> w(folded.weight.size(), 0.0f);
  for (int o = 0; o < out; ++o) {
    const auto oc = static_cast<size_t>(o);
    for (int ky = 0; ky < k; ++ky)
      for (int kx = 0; kx < k; ++kx)
        for (int i = 0; i < in; ++i) {
          const size_t src = ((oc * k + static_cast<size_t>(ky)) * k + kx) * in + i;
          const size_t dst = ((oc * in + static_cast<size_t>(i)) * k + ky) * k + kx;
          w[dst] = folded.weight[src];
        }
  }
  const std::string name = op.name();
  onnx.initializer(name + ".weight", {out, in, k, k}, w);
  onnx.initializer(name + ".bias", {out}, folded.bias);
  onnx.node("Conv", name, {input, name + ".weight", name + ".bias"}, output,
            {OnnxAttribute::list("kernel_shape", {k, k}),
             OnnxAttribute::list("pads", {op.pad, op.pad, op.pad, op.pad}),
             OnnxAttribute::list("strides", {op.stride, op.stride}),
             OnnxAttribute::list("dilations", {1, 1}),
             OnnxAttribute::scalar("group", depthwise ? out : 1)});
}

std::string describe_window(const char* kind, const Op& op) {
  return std::string(kind) + " " + std::to_string(op.kernel) + "x" + std::to_string(op.kernel) +
         "/" + std::to_string(op.stride);
}

}  // namespace tinynas::engine
