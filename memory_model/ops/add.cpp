// Element-wise residual add of two tensors of equal shape; writes over its body operand
// (Op::input) when that dies here.
#include <stdexcept>

#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

Shape output_shape(const Graph& g, const Op& op, int /*out_channels*/) {
  if (!(g.tensor(op.input).shape == g.tensor(op.input2).shape))
    throw std::invalid_argument("residual add needs operands of equal shape");
  return g.tensor(op.input).shape;
}

}  // namespace

extern const OpDef kAddDef = {
    /*type=*/OpType::kAdd,
    /*name=*/"add",
    /*operands=*/2,
    /*has_weights=*/false,
    /*windowed=*/false,
    /*in_place=*/true,
    /*output_shape=*/output_shape,
    /*weight_shape=*/op_rules::no_weights,
    /*macs=*/op_rules::no_macs,
    /*scratch_bytes=*/op_rules::no_scratch,
};

}  // namespace tinynas::memory
