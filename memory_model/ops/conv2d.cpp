// Regular convolution (groups = 1; 1x1 is the pointwise conv), 'same' padding kernel / 2.
#include "engine/kernels/ref/tn_conv.h"
#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

Shape output_shape(const Graph& g, const Op& op, int out_channels) {
  return op_rules::same_padding_output(g, op, out_channels);
}

WeightShape weight_shape(const Graph& g, const Op& op) {
  return WeightShape{
      {g.tensor(op.output).shape.c, op.kernel, op.kernel, g.tensor(op.input).shape.c}, 4};
}

int64_t macs(const Graph& g, const Op& op) {
  const Shape out = g.tensor(op.output).shape;
  return weight_shape(g, op).count() * out.h * out.w;
}

int64_t scratch_bytes(const Graph& g, const Op& op, bool /*in_place*/) {
  if (op.kernel <= 1) return 0;  // 1x1 reads its input directly
  return tn_conv2d_s8_scratch_bytes(op.kernel, g.tensor(op.input).shape.c);
}

}  // namespace

extern const OpDef kConv2dDef = {
    /*type=*/OpType::kConv2d,
    /*name=*/"conv2d",
    /*operands=*/1,
    /*has_weights=*/true,
    /*windowed=*/true,
    /*in_place=*/false,
    /*output_shape=*/output_shape,
    /*weight_shape=*/weight_shape,
    /*macs=*/macs,
    /*scratch_bytes=*/scratch_bytes,
};

}  // namespace tinynas::memory
