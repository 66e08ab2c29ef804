// What every weighted op (conv, depthwise, linear) shares in the engine: per-output-channel int8
// quantisation of its folded float weights, the requantisation of an accumulator, and the
// tn_layer parameter struct of the generated code.
#pragma once

#include <cstdint>
#include <string>

#include "engine/codegen/emit_context.h"
#include "engine/ops/engine_op.h"

namespace tinynas::engine {

// Folds BN, quantises the weights int8 symmetric per output channel, the bias to int32 at
// in_scale * w_scale[c], and M = in_scale * w_scale[c] / out_scale to a Q31 multiplier + shift.
void quantize_weighted_layer(const QuantizeContext& ctx, QuantLayer& q);

// acc * M[c] + output offset, clamped to the layer's activation range.
int8_t requantize_output(int32_t acc, int32_t multiplier, int32_t shift, const QuantLayer& q);

// weights.c text of a tn_layer: the weight, bias, multiplier and shift arrays and the struct.
std::string layer_params_definition(const ParamsContext& ctx);

// An EngineOp whose parameters are a tn_layer.
class WeightedEngineOp : public EngineOp {
 public:
  void quantize(const QuantizeContext& ctx, QuantLayer& q) const override {
    quantize_weighted_layer(ctx, q);
  }
  std::string params_type() const override { return "tn_layer"; }
  std::string params_header() const override { return "tn_common.h"; }
  std::string params_definition(const ParamsContext& ctx) const override {
    return layer_params_definition(ctx);
  }
};

}  // namespace tinynas::engine
