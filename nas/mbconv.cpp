#include "nas/mbconv.h"

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

ConvLayer MBConvBlock::expand() const {
  return {OpType::kConv2d,   LayerRole::kExpand, index, in_channels, middle_channels, 1, 1,
          Activation::kRelu6};
}

ConvLayer MBConvBlock::depthwise() const {
  return {OpType::kDepthwiseConv2d,
          LayerRole::kDepthwise,
          index,
          middle_channels,
          middle_channels,
          kernel,
          stride,
          Activation::kRelu6};
}

ConvLayer MBConvBlock::project() const {
  return {OpType::kConv2d,  LayerRole::kProject, index, middle_channels, out_channels, 1, 1,
          Activation::kNone};
}

BlockLayers MBConvBlock::layers() const {
  BlockLayers out;
  if (has_expand) out.push_back(expand());
  out.push_back(depthwise());
  out.push_back(project());
  return out;
}

bool MBConvBlock::operator==(const MBConvBlock& o) const {
  return index == o.index && in_channels == o.in_channels && middle_channels == o.middle_channels &&
         out_channels == o.out_channels && kernel == o.kernel && stride == o.stride &&
         has_expand == o.has_expand && residual == o.residual;
}

MBConvBlock first_block(const SearchSpace& space, double width_mult) {
  MBConvBlock b;
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

MBConvBlock stage_block(const SearchSpace& space, double width_mult, int index, size_t stage,
                        int position, int in_channels, const BlockArch& arch) {
  const StageSpec& spec = space.stages[stage];
  MBConvBlock b;
  b.index = index;
  b.in_channels = in_channels;
  b.has_expand = arch.expand != 1;
  b.middle_channels = b.has_expand ? space.middle_channels(in_channels, arch.expand) : in_channels;
  b.out_channels = space.channels(spec.base_channels, width_mult);
  b.kernel = arch.kernel;
  b.stride = position == 0 ? spec.stride : 1;
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
  t.blocks.push_back(first_block(space, w));
  for (size_t s = 0; s < arch.stages.size(); ++s) {
    const auto& blocks = arch.stages[s].blocks;
    for (size_t b = 0; b < blocks.size(); ++b) {
      const MBConvBlock& previous = t.blocks.back();
      t.blocks.push_back(stage_block(space, w, previous.index + 1, s, static_cast<int>(b),
                                     previous.out_channels, blocks[b]));
    }
  }
  t.classifier_in = t.blocks.back().out_channels;
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
