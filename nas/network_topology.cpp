#include "nas/network_topology.h"

namespace tinynas::nas {

using memory::Activation;
using memory::LayerRole;
using memory::OpType;

std::string ConvLayer::name() const {
  memory::Op op;
  op.role = role;
  op.block = block;
  return op.name();
}

bool ConvLayer::operator==(const ConvLayer& o) const {
  return type == o.type && role == o.role && block == o.block && in_channels == o.in_channels &&
         out_channels == o.out_channels && kernel == o.kernel && stride == o.stride &&
         activation == o.activation;
}

ConvLayer NetworkBlock::expand() const {
  return {OpType::kConv2d,   LayerRole::kExpand, index, in_channels, middle_channels, 1, 1,
          Activation::kRelu6};
}

ConvLayer NetworkBlock::depthwise() const {
  return {OpType::kDepthwiseConv2d,
          LayerRole::kDepthwise,
          index,
          middle_channels,
          middle_channels,
          kernel,
          stride,
          Activation::kRelu6};
}

ConvLayer NetworkBlock::project() const {
  return {OpType::kConv2d,  LayerRole::kProject, index, middle_channels, out_channels, 1, 1,
          Activation::kNone};
}

ConvLayer NetworkBlock::conv1() const {
  return {OpType::kConv2d, LayerRole::kConv1, index, in_channels, middle_channels, kernel,
          stride,          Activation::kRelu6};
}

ConvLayer NetworkBlock::conv2() const {
  return {OpType::kConv2d,  LayerRole::kConv2, index, middle_channels, out_channels, kernel, 1,
          Activation::kNone};
}

ConvLayer NetworkBlock::shortcut() const {
  return {OpType::kConv2d, LayerRole::kShortcut, index, in_channels, out_channels, 1,
          stride,          Activation::kNone};
}

Activation NetworkBlock::add_activation() const {
  return kind == BlockKind::kResidual ? Activation::kRelu6 : Activation::kNone;
}

BlockLayers NetworkBlock::layers() const {
  BlockLayers out;
  if (kind == BlockKind::kResidual) {
    out.push_back(conv1());
    out.push_back(conv2());
    return out;
  }
  if (has_expand) out.push_back(expand());
  out.push_back(depthwise());
  out.push_back(project());
  return out;
}

bool NetworkBlock::operator==(const NetworkBlock& o) const {
  return kind == o.kind && projection == o.projection && index == o.index &&
         in_channels == o.in_channels && middle_channels == o.middle_channels &&
         out_channels == o.out_channels && kernel == o.kernel && stride == o.stride &&
         has_expand == o.has_expand && residual == o.residual;
}

NetworkBlock first_block(const SearchSpace& space, double width_mult) {
  NetworkBlock b;
  b.index = 0;
  b.in_channels = space.channels(space.stem_base_channels, width_mult);
  b.middle_channels = b.in_channels;
  b.out_channels = space.channels(space.first_block_base_channels, width_mult);
  b.kernel = space.first_block_kernel;
  b.stride = 1;
  b.has_expand = false;
  b.residual = false;  // fixed: no shortcut even when the channel counts match
  return b;
}

NetworkBlock stage_block(const SearchSpace& space, double width_mult, int index, size_t stage,
                         int position, int in_channels, const BlockArch& arch) {
  const StageSpec& spec = space.stages[stage];
  NetworkBlock b;
  b.kind = spec.block;
  b.index = index;
  b.in_channels = in_channels;
  b.kernel = arch.kernel;
  b.stride = position == 0 ? spec.stride : 1;
  b.out_channels = space.channels(spec.base_channels, width_mult);
  if (b.kind == BlockKind::kResidual) {
    b.has_expand = false;
    b.middle_channels = space.middle_channels(b.out_channels, arch.expand);
    b.residual = true;
    b.projection = b.stride != 1 || b.in_channels != b.out_channels;
    return b;
  }
  b.has_expand = arch.expand != 1;
  b.middle_channels = b.has_expand ? space.middle_channels(in_channels, arch.expand) : in_channels;
  b.residual = b.stride == 1 && b.in_channels == b.out_channels;
  return b;
}

NetworkTopology network_topology(const Arch& arch, const SearchSpace& space) {
  const double w = arch.width_mult;
  NetworkTopology t;
  t.resolution = arch.resolution;
  t.input_channels = space.input_channels;
  t.stem = {OpType::kConv2d,
            LayerRole::kStem,
            -1,
            space.input_channels,
            space.channels(space.stem_base_channels, w),
            space.stem_kernel,
            space.stem_stride,
            Activation::kRelu6};
  size_t count = 1;
  for (const StageArch& stage : arch.stages) count += stage.blocks.size();
  t.blocks.reserve(count);
  t.has_first_block = space.has_first_block();
  if (t.has_first_block) t.blocks.push_back(first_block(space, w));
  int index = 1, channels = t.has_first_block ? t.blocks.back().out_channels : t.stem.out_channels;
  for (size_t s = 0; s < arch.stages.size(); ++s) {
    const auto& blocks = arch.stages[s].blocks;
    for (size_t b = 0; b < blocks.size(); ++b) {
      t.blocks.push_back(
          stage_block(space, w, index++, s, static_cast<int>(b), channels, blocks[b]));
      channels = t.blocks.back().out_channels;
    }
  }
  t.classifier_in = channels;
  const int mix = space.feature_mix_channels(w);
  if (mix > 0) {
    t.feature_mix =
        ConvLayer{OpType::kConv2d,   LayerRole::kFeatureMix, -1, t.classifier_in, mix, 1, 1,
                  Activation::kRelu6};
    t.classifier_in = mix;
  }
  t.num_classes = arch.num_classes;
  return t;
}

}  // namespace tinynas::nas
