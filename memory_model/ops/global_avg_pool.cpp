// Global average pooling, HxWxC -> 1x1xC.
#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

Shape output_shape(const Graph& g, const Op& op, int /*out_channels*/) {
  return Shape{1, 1, g.tensor(op.input).shape.c};
}

}  // namespace

extern const OpDef kGlobalAvgPoolDef = {
    /*type=*/OpType::kGlobalAvgPool,
    /*name=*/"global_avg_pool",
    /*operands=*/1,
    /*has_weights=*/false,
    /*windowed=*/false,
    /*in_place=*/false,
    /*output_shape=*/output_shape,
    /*weight_shape=*/op_rules::no_weights,
    /*macs=*/op_rules::no_macs,
    /*scratch_bytes=*/op_rules::no_scratch,
};

}  // namespace tinynas::memory
