// depthwise_conv2d in the engine: in place (the plan merged input and output) through a padded
// one-channel plane with a kernel specialised per (kernel, stride), or out of place.
#include "engine/ops/convolution.h"
#include "engine/ops/weighted_layer.h"
#include "memory_model/scheduler.h"

namespace tinynas::engine {
namespace {

class DepthwiseConv2d final : public WeightedEngineOp {
 public:
  std::vector<int8_t> reference(const QuantModel& model, const memory::Op& op, const QuantLayer& q,
                                const std::vector<int8_t>& x,
                                const std::vector<int8_t>& /*x2*/) const override {
    return reference_convolution(model, op, q, x, /*depthwise=*/true);
  }

  void run_float(const memory::Graph& graph, const memory::Op& op,
                 const memory::LayerWeights* layer, const std::vector<float>& x,
                 const std::vector<float>& /*x2*/, std::vector<float>& y) const override {
    float_convolution(graph, op, *layer, x, y, /*depthwise=*/true);
  }

  std::string describe(const memory::Op& op) const override {
    return describe_window("depthwise", op);
  }

  void emit_call(EmitContext& ctx) const override {
    const memory::Op& op = ctx.op;
    const memory::Shape in = ctx.graph.tensor(op.input).shape;
    const memory::Shape out = ctx.graph.tensor(op.output).shape;
    ctx.use_kernel("tn_depthwise");
    if (!ctx.in_place) {
      ctx.call << "  tn_depthwise_s8(" << ctx.input << ", " << in.h << ", " << in.w << ", " << in.c
               << ", " << out.h << ", " << out.w << ", " << op.kernel << ", " << op.stride << ", &"
               << ctx.symbol << ", " << ctx.output << ");\n";
      return;
    }
    const std::string plane = ctx.scratch(memory::op_scratch_bytes(ctx.graph, op, true));
    ctx.define("In-place depthwise kernels specialised for the (kernel, stride) pairs used.",
               "TN_DEFINE_DEPTHWISE_INPLACE(" + std::to_string(op.kernel) + ", " +
                   std::to_string(op.stride) + ")");
    ctx.call << "  tn_depthwise_inplace_k" << op.kernel << "s" << op.stride << "(" << ctx.input
             << ", " << in.h << ", " << in.w << ", " << in.c << ", " << out.h << ", " << out.w
             << ", &" << ctx.symbol << ",\n                            " << plane
             << " /* channel plane, " << ctx.scratch_size << " B */);\n";
  }

  void to_onnx(OnnxBuilder& onnx, const memory::Graph& graph, const memory::Op& op,
               const memory::LayerWeights* layer, const std::vector<std::string>& inputs,
               const std::string& output) const override {
    onnx_convolution(onnx, graph, op, *layer, inputs[0], output, /*depthwise=*/true);
  }
  const char* onnx_pre_activation_suffix() const override { return ".conv"; }
};

}  // namespace

extern const EngineOp& depthwise_conv2d_engine_op() {
  static const DepthwiseConv2d op;
  return op;
}

}  // namespace tinynas::engine
