// The residual add as TFLite's int8 ADD: both operands moved to a common scale 2 * max(s1, s2)
// with 20 bits of headroom, summed, rescaled to the output and clamped (ReLU6 after the sum in
// residual blocks). Runs in place over its body operand when the plan says so.
#include <algorithm>
#include <sstream>

#include "engine/fixed_point.h"
#include "engine/ops/engine_op.h"
#include "engine/quantizer.h"

namespace tinynas::engine {
namespace {

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

class Add final : public EngineOp {
 public:
  void quantize(const QuantizeContext& ctx, QuantLayer& q) const override {
    q.add = add_params(ctx.input(), ctx.input2(), ctx.output());
    q.output_offset = ctx.output().zero_point;
    activation_range(ctx.op.activation, ctx.output(), &q.act_min, &q.act_max);
  }

  std::vector<int8_t> reference(const QuantModel& /*model*/, const memory::Op& /*op*/,
                                const QuantLayer& q, const std::vector<int8_t>& x1,
                                const std::vector<int8_t>& x2) const override {
    const AddParams& p = q.add;
    std::vector<int8_t> y(x1.size());
    for (size_t i = 0; i < x1.size(); ++i) {
      const int32_t a = (p.input1_offset + x1[i]) * (1 << p.left_shift);
      const int32_t b = (p.input2_offset + x2[i]) * (1 << p.left_shift);
      const int32_t sa = multiply_by_quantized_multiplier(a, p.input1_multiplier, p.input1_shift);
      const int32_t sb = multiply_by_quantized_multiplier(b, p.input2_multiplier, p.input2_shift);
      const int32_t v =
          multiply_by_quantized_multiplier(sa + sb, p.output_multiplier, p.output_shift) +
          p.output_offset;
      y[i] = static_cast<int8_t>(std::clamp(v, q.act_min, q.act_max));
    }
    return y;
  }

  void run_float(const memory::Graph& /*graph*/, const memory::Op& op,
                 const memory::LayerWeights* /*layer*/, const std::vector<float>& x,
                 const std::vector<float>& x2, std::vector<float>& y) const override {
    y.resize(x.size());
    const bool relu6 = op.activation == memory::Activation::kRelu6;
    for (size_t j = 0; j < x.size(); ++j) {
      const float v = x[j] + x2[j];
      y[j] = relu6 ? std::min(std::max(v, 0.0f), 6.0f) : v;
    }
  }

  std::string describe(const memory::Op& op) const override {
    return op.activation == memory::Activation::kRelu6 ? "residual add + ReLU6" : "residual add";
  }

  void emit_call(EmitContext& ctx) const override {
    ctx.use_kernel("tn_add");
    ctx.call << "  tn_add_s8(" << ctx.input << ", " << ctx.input2 << ", " << ctx.output << ", "
             << ctx.graph.tensor(ctx.op.output).shape.elements() << ", &" << ctx.symbol << ");"
             << (ctx.in_place ? " /* in place */" : "") << "\n";
  }

  std::string params_type() const override { return "tn_add_params"; }
  std::string params_header() const override { return "tn_add.h"; }
  std::string params_definition(const ParamsContext& ctx) const override {
    const AddParams& a = ctx.q.add;
    std::ostringstream out;
    out << "\n/* " << ctx.description << " (TFLite int8 ADD) */\n"
        << "const tn_add_params " << ctx.symbol << " = {\n"
        << "    " << a.left_shift << ", /* left shift */\n"
        << "    " << a.input1_offset << ", " << a.input2_offset << ", " << a.output_offset
        << ", /* input 1, input 2, output offsets */\n"
        << "    " << c_int_literal(a.input1_multiplier) << ", " << a.input1_shift
        << ", /* input 1 multiplier, shift */\n"
        << "    " << c_int_literal(a.input2_multiplier) << ", " << a.input2_shift
        << ", /* input 2 multiplier, shift */\n"
        << "    " << c_int_literal(a.output_multiplier) << ", " << a.output_shift
        << ", /* output multiplier, shift */\n"
        << "    " << ctx.q.act_min << ", " << ctx.q.act_max << "}; /* clamp */\n";
    return out.str();
  }

  void to_onnx(OnnxBuilder& onnx, const memory::Graph& /*graph*/, const memory::Op& op,
               const memory::LayerWeights* /*layer*/, const std::vector<std::string>& inputs,
               const std::string& output) const override {
    onnx.node("Add", op.name(), {inputs[0], inputs[1]}, output);
  }
};

}  // namespace

extern const EngineOp& add_engine_op() {
  static const Add op;
  return op;
}

}  // namespace tinynas::engine
