// Max pooling over kernel x kernel windows with Op::pad on every side (padding never wins the
// max, as in PyTorch and TFLite). No weights, no MACs (comparisons are not multiply-accumulates),
// no scratch; not in place, because a window reads input rows below the row it writes.
#include <stdexcept>

#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

Shape output_shape(const Graph& g, const Op& op, int /*out_channels*/) {
  if (op.pad < 0 || op.pad >= op.kernel)
    throw std::invalid_argument("max pool padding must be in [0, kernel)");
  const Shape in = g.tensor(op.input).shape;
  return op_rules::window_output(in, op, in.c);
}

}  // namespace

extern const OpDef kMaxPool2dDef = {
    /*type=*/OpType::kMaxPool2d,
    /*name=*/"max_pool2d",
    /*operands=*/1,
    /*has_weights=*/false,
    /*windowed=*/true,
    /*in_place=*/false,
    /*output_shape=*/output_shape,
    /*weight_shape=*/op_rules::no_weights,
    /*macs=*/op_rules::no_macs,
    /*scratch_bytes=*/op_rules::no_scratch,
};

}  // namespace tinynas::memory
