// Depthwise convolution (channel multiplier 1), 'same' padding kernel / 2. Runs in place when its
// input dies here: the kernel copies each input channel into a padded one-channel plane first.
#include <stdexcept>

#include "engine/kernels/ref/tn_depthwise.h"
#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

Shape output_shape(const Graph& g, const Op& op, int out_channels) {
  if (out_channels != g.tensor(op.input).shape.c)
    throw std::invalid_argument("depthwise conv must keep the channel count");
  return op_rules::same_padding_output(g, op, out_channels);
}

WeightShape weight_shape(const Graph& g, const Op& op) {
  return WeightShape{{g.tensor(op.output).shape.c, op.kernel, op.kernel, 1}, 4};
}

int64_t macs(const Graph& g, const Op& op) {
  const Shape out = g.tensor(op.output).shape;
  return weight_shape(g, op).count() * out.h * out.w;
}

int64_t scratch_bytes(const Graph& g, const Op& op, bool in_place) {
  if (!in_place) return 0;  // the out-of-place kernel reads the input with bounds checks
  const Shape in = g.tensor(op.input).shape;
  return tn_depthwise_inplace_scratch_bytes(in.h, in.w, op.pad);
}

}  // namespace

extern const OpDef kDepthwiseConv2dDef = {
    /*type=*/OpType::kDepthwiseConv2d,
    /*name=*/"depthwise_conv2d",
    /*operands=*/1,
    /*has_weights=*/true,
    /*windowed=*/true,
    /*in_place=*/true,
    /*output_shape=*/output_shape,
    /*weight_shape=*/weight_shape,
    /*macs=*/macs,
    /*scratch_bytes=*/scratch_bytes,
};

}  // namespace tinynas::memory
