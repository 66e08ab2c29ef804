// Global average pooling as TFLite's int8 AVERAGE_POOL_2D: the output keeps the input's scale and
// zero point; per channel the raw values are summed and divided rounding half away from zero.
#include <algorithm>

#include "engine/ops/pooling.h"

namespace tinynas::engine {
namespace {

class GlobalAvgPool final : public PoolingEngineOp {
 public:
  std::vector<int8_t> reference(const QuantModel& model, const memory::Op& op, const QuantLayer& q,
                                const std::vector<int8_t>& x,
                                const std::vector<int8_t>& /*x2*/) const override {
    const memory::Shape in = model.graph.tensor(op.input).shape;
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

  void run_float(const memory::Graph& graph, const memory::Op& op,
                 const memory::LayerWeights* /*layer*/, const std::vector<float>& x,
                 const std::vector<float>& /*x2*/, std::vector<float>& y) const override {
    const memory::Shape in = graph.tensor(op.input).shape;
    y.assign(static_cast<size_t>(in.c), 0.0f);
    for (int c = 0; c < in.c; ++c) {
      double sum = 0;
      for (int p = 0; p < in.h * in.w; ++p) sum += x[static_cast<size_t>(p) * in.c + c];
      y[static_cast<size_t>(c)] = static_cast<float>(sum / (in.h * in.w));
    }
  }

  std::string describe(const memory::Op& /*op*/) const override { return "global average pool"; }

  void emit_call(EmitContext& ctx) const override {
    const memory::Shape in = ctx.graph.tensor(ctx.op.input).shape;
    ctx.use_kernel("tn_avgpool");
    ctx.call << "  tn_global_avgpool_s8(" << ctx.input << ", " << in.h << ", " << in.w << ", "
             << in.c << ", " << ctx.q.act_min << ", " << ctx.q.act_max << ", " << ctx.output
             << ");\n";
  }

  void to_onnx(OnnxBuilder& onnx, const memory::Graph& /*graph*/, const memory::Op& op,
               const memory::LayerWeights* /*layer*/, const std::vector<std::string>& inputs,
               const std::string& output) const override {
    onnx.node("GlobalAveragePool", op.name(), {inputs[0]}, output);
  }
};

}  // namespace

extern const EngineOp& global_avg_pool_engine_op() {
  static const GlobalAvgPool op;
  return op;
}

}  // namespace tinynas::engine
