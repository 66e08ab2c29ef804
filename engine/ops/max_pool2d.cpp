// Max pooling as TFLite's int8 MAX_POOL_2D: the output keeps the input's scale and zero point, so
// the int8 max is the max of the real values; padded positions never win.
#include <algorithm>
#include <limits>

#include "engine/ops/pooling.h"

namespace tinynas::engine {
namespace {

// Calls visit(out_index, in_index) for every valid tap of every output element, after
// start(out_index); shared by the integer and the float step so both see the same windows.
template <typename Start, typename Visit>
void for_each_window(const memory::Shape& in, const memory::Shape& out, const memory::Op& op,
                     Start start, Visit visit) {
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox)
      for (int c = 0; c < out.c; ++c) {
        const size_t o = (static_cast<size_t>(oy) * out.w + ox) * out.c + c;
        start(o);
        for (int ky = 0; ky < op.kernel; ++ky) {
          const int iy = oy * op.stride - op.pad + ky;
          if (iy < 0 || iy >= in.h) continue;
          for (int kx = 0; kx < op.kernel; ++kx) {
            const int ix = ox * op.stride - op.pad + kx;
            if (ix < 0 || ix >= in.w) continue;
            visit(o, (static_cast<size_t>(iy) * in.w + ix) * in.c + c);
          }
        }
      }
}

class MaxPool2d final : public PoolingEngineOp {
 public:
  std::vector<int8_t> reference(const QuantModel& model, const memory::Op& op, const QuantLayer& q,
                                const std::vector<int8_t>& x,
                                const std::vector<int8_t>& /*x2*/) const override {
    const memory::Shape in = model.graph.tensor(op.input).shape;
    const memory::Shape out = model.graph.tensor(op.output).shape;
    std::vector<int8_t> y(static_cast<size_t>(out.elements()));
    std::vector<int32_t> best(y.size());
    for_each_window(
        in, out, op, [&](size_t o) { best[o] = std::numeric_limits<int32_t>::min(); },
        [&](size_t o, size_t i) { best[o] = std::max(best[o], int32_t{x[i]}); });
    for (size_t o = 0; o < y.size(); ++o)
      y[o] = static_cast<int8_t>(std::clamp(best[o], q.act_min, q.act_max));
    return y;
  }

  void run_float(const memory::Graph& graph, const memory::Op& op,
                 const memory::LayerWeights* /*layer*/, const std::vector<float>& x,
                 const std::vector<float>& /*x2*/, std::vector<float>& y) const override {
    const memory::Shape in = graph.tensor(op.input).shape;
    const memory::Shape out = graph.tensor(op.output).shape;
    y.assign(static_cast<size_t>(out.elements()), 0.0f);
    for_each_window(
        in, out, op, [&](size_t o) { y[o] = -std::numeric_limits<float>::infinity(); },
        [&](size_t o, size_t i) { y[o] = std::max(y[o], x[i]); });
    if (op.activation == memory::Activation::kRelu6)
      for (float& v : y) v = std::min(std::max(v, 0.0f), 6.0f);
  }

  std::string describe(const memory::Op& op) const override {
    return "max pool " + std::to_string(op.kernel) + "x" + std::to_string(op.kernel) + "/" +
           std::to_string(op.stride) + " pad " + std::to_string(op.pad);
  }

  void emit_call(EmitContext& ctx) const override {
    const memory::Op& op = ctx.op;
    ctx.use_kernel("tn_maxpool");
    ctx.call << "  tn_maxpool_s8(" << ctx.input << ", " << ctx.io_dims() << ", " << op.kernel
             << ", " << op.stride << ", " << op.pad << ",\n                " << ctx.q.act_min
             << ", " << ctx.q.act_max << ", " << ctx.output << ");\n";
  }

  void to_onnx(OnnxBuilder& onnx, const memory::Graph& /*graph*/, const memory::Op& op,
               const memory::LayerWeights* /*layer*/, const std::vector<std::string>& inputs,
               const std::string& output) const override {
    onnx.node("MaxPool", op.name(), {inputs[0]}, output,
              {OnnxAttribute::list("kernel_shape", {op.kernel, op.kernel}),
               OnnxAttribute::list("pads", {op.pad, op.pad, op.pad, op.pad}),
               OnnxAttribute::list("strides", {op.stride, op.stride})});
  }
};

}  // namespace

extern const EngineOp& max_pool2d_engine_op() {
  static const MaxPool2d op;
  return op;
}

}  // namespace tinynas::engine
