#include "nas/lowering.h"

namespace tinynas::nas {

using memory::Activation;
using memory::LayerRole;
using memory::OpType;

void lower(const Arch& arch, const SearchSpace& space, memory::Graph& graph) {
  graph.clear();
  const double w = arch.width_mult;
  int x = graph.add_input({arch.resolution, arch.resolution, space.input_channels});
  x = graph.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x,
                     space.channels(space.stem_base_channels, w), space.stem_kernel,
                     space.stem_stride, Activation::kRelu6);

  int block = 0;
  const int stem_channels = graph.tensor(x).shape.c;
  x = graph.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, block, x, stem_channels,
                     space.first_block_kernel, 1, Activation::kRelu6);
  x = graph.add_conv(OpType::kConv2d, LayerRole::kProject, block, x,
                     space.channels(space.first_block_base_channels, w), 1, 1, Activation::kNone);

  for (size_t s = 0; s < arch.stages.size(); ++s) {
    const StageSpec& spec = space.stages[s];
    const int out_channels = space.channels(spec.base_channels, w);
    const auto& blocks = arch.stages[s].blocks;
    for (size_t b = 0; b < blocks.size(); ++b) {
      ++block;
      const int stride = b == 0 ? spec.stride : 1;
      const int block_input = x;
      const int in_channels = graph.tensor(x).shape.c;
      const int mid = space.middle_channels(in_channels, blocks[b].expand);
      if (blocks[b].expand != 1)
        x = graph.add_conv(OpType::kConv2d, LayerRole::kExpand, block, x, mid, 1, 1,
                           Activation::kRelu6);
      x = graph.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, block, x,
                         graph.tensor(x).shape.c, blocks[b].kernel, stride, Activation::kRelu6);
      x = graph.add_conv(OpType::kConv2d, LayerRole::kProject, block, x, out_channels, 1, 1,
                         Activation::kNone);
      if (stride == 1 && in_channels == out_channels) x = graph.add_residual(block, block_input, x);
    }
  }

  const int mix = space.feature_mix_channels(w);
  if (mix > 0)
    x = graph.add_conv(OpType::kConv2d, LayerRole::kFeatureMix, -1, x, mix, 1, 1,
                       Activation::kRelu6);
  x = graph.add_global_avg_pool(x);
  x = graph.add_linear(x, arch.num_classes);
  graph.set_output(x);
}

memory::Graph lower(const Arch& arch, const SearchSpace& space) {
  memory::Graph graph;
  lower(arch, space, graph);
  return graph;
}

}  // namespace tinynas::nas
