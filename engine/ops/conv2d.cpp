// conv2d in the engine: 1x1 convs call tn_conv1x1_s8 (no im2col), larger kernels tn_conv2d_s8
// with the im2col scratch the scheduler reserved.
#include "engine/ops/convolution.h"
#include "engine/ops/weighted_layer.h"
#include "memory_model/scheduler.h"

namespace tinynas::engine {
namespace {

class Conv2d final : public WeightedEngineOp {
 public:
  std::vector<int8_t> reference(const QuantModel& model, const memory::Op& op, const QuantLayer& q,
                                const std::vector<int8_t>& x,
                                const std::vector<int8_t>& /*x2*/) const override {
    return reference_convolution(model, op, q, x, /*depthwise=*/false);
  }

  void run_float(const memory::Graph& graph, const memory::Op& op,
                 const memory::LayerWeights* layer, const std::vector<float>& x,
                 const std::vector<float>& /*x2*/, std::vector<float>& y) const override {
    float_convolution(graph, op, *layer, x, y, /*depthwise=*/false);
  }

  std::string describe(const memory::Op& op) const override { return describe_window("conv", op); }

  void emit_call(EmitContext& ctx) const override {
    const memory::Op& op = ctx.op;
    if (op.kernel == 1) {
      ctx.use_kernel("tn_conv1x1");
      ctx.call << "  tn_conv1x1_s8(" << ctx.input << ", " << ctx.io_dims() << ", " << op.stride
               << ", &" << ctx.symbol << ",\n                " << ctx.output << ");\n";
      return;
    }
    ctx.use_kernel("tn_conv");
    const std::string im2col = ctx.scratch(memory::op_scratch_bytes(ctx.graph, op, false));
    ctx.call << "  tn_conv2d_s8(" << ctx.input << ", " << ctx.io_dims() << ", " << op.kernel << ", "
             << op.stride << ", &" << ctx.symbol << ",\n               " << ctx.output << ", "
             << im2col << " /* im2col, " << ctx.scratch_size << " B */);\n";
  }

  void to_onnx(OnnxBuilder& onnx, const memory::Graph& graph, const memory::Op& op,
               const memory::LayerWeights* layer, const std::vector<std::string>& inputs,
               const std::string& output) const override {
    onnx_convolution(onnx, graph, op, *layer, inputs[0], output, /*depthwise=*/false);
  }
  const char* onnx_pre_activation_suffix() const override { return ".conv"; }
};

}  // namespace

extern const EngineOp& conv2d_engine_op() {
  static const Conv2d op;
  return op;
}

}  // namespace tinynas::engine
