// What the pooling ops share in the engine: as TFLite's int8 pooling kernels require, the output
// keeps the input's scale and zero point, so quantising one is only its offsets and clamp.
#pragma once

#include "engine/ops/engine_op.h"
#include "engine/quantizer.h"

namespace tinynas::engine {

class PoolingEngineOp : public EngineOp {
 public:
  bool output_keeps_input_quant() const override { return true; }

  void quantize(const QuantizeContext& ctx, QuantLayer& q) const override {
    q.input_offset = -ctx.input().zero_point;
    q.output_offset = ctx.output().zero_point;
    activation_range(ctx.op.activation, ctx.output(), &q.act_min, &q.act_max);
  }
};

}  // namespace tinynas::engine
