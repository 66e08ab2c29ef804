// The classifier: a fully connected layer with bias on the flattened (HWC) input.
#include "engine/ops/weighted_layer.h"

namespace tinynas::engine {
namespace {

class Linear final : public WeightedEngineOp {
 public:
  std::vector<int8_t> reference(const QuantModel& /*model*/, const memory::Op& /*op*/,
                                const QuantLayer& q, const std::vector<int8_t>& x,
                                const std::vector<int8_t>& /*x2*/) const override {
    const size_t out = q.bias.size();
    const size_t n = x.size();
    std::vector<int8_t> y(out);
    for (size_t o = 0; o < out; ++o) {
      int32_t acc = q.bias[o];
      for (size_t j = 0; j < n; ++j) acc += int32_t{q.weights[o * n + j]} * (x[j] + q.input_offset);
      y[o] = requantize_output(acc, q.multiplier[o], q.shift[o], q);
    }
    return y;
  }

  void run_float(const memory::Graph& /*graph*/, const memory::Op& /*op*/,
                 const memory::LayerWeights* layer, const std::vector<float>& x,
                 const std::vector<float>& /*x2*/, std::vector<float>& y) const override {
    const memory::LayerWeights& l = *layer;
    const int out = l.weight.shape[0];
    const size_t n = x.size();
    y.assign(static_cast<size_t>(out), 0.0f);
    for (int o = 0; o < out; ++o) {
      double acc = l.bias ? l.bias->data[static_cast<size_t>(o)] : 0.0;
      for (size_t j = 0; j < n; ++j) acc += double{l.weight.data[o * n + j]} * x[j];
      y[static_cast<size_t>(o)] = static_cast<float>(acc);
    }
  }

  std::string describe(const memory::Op& /*op*/) const override { return "linear"; }

  void emit_call(EmitContext& ctx) const override {
    const memory::Shape in = ctx.graph.tensor(ctx.op.input).shape;
    const memory::Shape out = ctx.graph.tensor(ctx.op.output).shape;
    ctx.use_kernel("tn_linear");
    ctx.call << "  tn_linear_s8(" << ctx.input << ", " << in.elements() << ", " << out.c << ", &"
             << ctx.symbol << ", " << ctx.output << ");\n";
  }

  void to_onnx(OnnxBuilder& onnx, const memory::Graph& graph, const memory::Op& op,
               const memory::LayerWeights* layer, const std::vector<std::string>& inputs,
               const std::string& output) const override {
    const memory::LayerWeights& l = *layer;
    const memory::Shape in = graph.tensor(op.input).shape;
    const int out = l.weight.shape[0];
    const int n_in = l.weight.shape[1];
    // Columns reordered from the HWC flattening the weights use to ONNX's CHW one (the same
    // order when the input is 1x1, as after the pool).
    std::vector<float> w(l.weight.data.size());
    for (int o = 0; o < out; ++o)
      for (int h = 0; h < in.h; ++h)
        for (int xw = 0; xw < in.w; ++xw)
          for (int c = 0; c < in.c; ++c) {
            const size_t row = static_cast<size_t>(o) * static_cast<size_t>(n_in);
            w[row + (static_cast<size_t>(c) * in.h + h) * in.w + xw] =
                l.weight.data[row + (static_cast<size_t>(h) * in.w + xw) * in.c + c];
          }
    const std::vector<float> b =
        l.bias ? l.bias->data : std::vector<float>(static_cast<size_t>(out), 0.0f);
    const std::string name = op.name();
    onnx.initializer(name + ".weight", {out, n_in}, w);
    onnx.initializer(name + ".bias", {out}, b);
    const std::string flat = name + ".flatten";
    onnx.node("Flatten", flat, {inputs[0]}, flat, {OnnxAttribute::scalar("axis", 1)});
    onnx.value_info(flat, {1, n_in});
    onnx.node("Gemm", name, {flat, name + ".weight", name + ".bias"}, output,
              {OnnxAttribute::scalar("transB", 1)});
  }
  bool onnx_flat_output() const override { return true; }
};

}  // namespace

extern const EngineOp& linear_engine_op() {
  static const Linear op;
  return op;
}

}  // namespace tinynas::engine
