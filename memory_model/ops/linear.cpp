// Fully connected layer with bias on the flattened input (HWC order).
#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

Shape output_shape(const Graph& /*g*/, const Op& /*op*/, int out_channels) {
  return Shape{1, 1, out_channels};
}

WeightShape weight_shape(const Graph& g, const Op& op) {
  return WeightShape{
      {g.tensor(op.output).shape.c, static_cast<int>(g.tensor(op.input).shape.elements()), 0, 0},
      2};
}

int64_t macs(const Graph& g, const Op& op) {
  return weight_shape(g, op).count();
}

}  // namespace

extern const OpDef kLinearDef = {
    /*type=*/OpType::kLinear,
    /*name=*/"linear",
    /*operands=*/1,
    /*has_weights=*/true,
    /*windowed=*/false,
    /*in_place=*/false,
    /*output_shape=*/output_shape,
    /*weight_shape=*/weight_shape,
    /*macs=*/macs,
    /*scratch_bytes=*/op_rules::no_scratch,
};

}  // namespace tinynas::memory
