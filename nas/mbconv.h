// The MBConv network topology, defined once: which convolutions a sub-net has, with their names,
// roles, channels, kernels, strides and activations, and where the identity shortcuts are.
// nas::lower() turns it into a Graph; the supernet builds its modules from the largest sub-net's
// topology, runs the active sub-net's, and extracts the weights each layer names. Torch-free.
//
// The rules:
//   stem       kxk conv, stride space.stem_stride, ReLU6, channels(stem_base_channels)
//   block 0    the fixed first block: kxk depthwise (stride 1, ReLU6) then linear 1x1 project, no
//              expansion and no residual
//   block i>0  1x1 expand to make_divisible(in * e) + ReLU6 (left out when e = 1: the depthwise
//              then runs on the block's input), kxk depthwise + ReLU6 (the stage's stride on its
//              first block, else 1), linear 1x1 project to the stage's channels; identity
//              shortcut when the stride is 1 and the input and output channels match
//   feature mix optional 1x1 conv + ReLU6; then global average pooling and the linear classifier
//
//   NetworkTopology t = network_topology(arch, space);
//   for (const MBConvBlock& b : t.blocks)
//     for (const ConvLayer& l : b.layers()) std::cout << l.name() << "\n";   // "b0.dw", ...
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "memory_model/graph.h"
#include "nas/arch.h"
#include "nas/search_space.h"

namespace tinynas::nas {

// One convolution with its batch norm and activation.
struct ConvLayer {
  memory::OpType type = memory::OpType::kConv2d;  // kConv2d or kDepthwiseConv2d
  memory::LayerRole role = memory::LayerRole::kStem;
  int block = -1;  // MBConv block index (0 = the fixed first block); -1 outside blocks
  int in_channels = 0;
  int out_channels = 0;
  int kernel = 1;
  int stride = 1;
  memory::Activation activation = memory::Activation::kNone;

  // The name of its op in the lowered graph (memory::Op::name): "stem", "b3.expand", "mix".
  std::string name() const;
  bool operator==(const ConvLayer& o) const;
};

// A block's convolutions in order, without allocating (lowering runs in the search's hot loop).
class BlockLayers {
 public:
  void push_back(const ConvLayer& layer) { layers_[static_cast<size_t>(size_++)] = layer; }
  const ConvLayer* begin() const { return layers_.data(); }
  const ConvLayer* end() const { return layers_.data() + size_; }
  int size() const { return size_; }
  const ConvLayer& operator[](int i) const { return layers_[static_cast<size_t>(i)]; }

 private:
  std::array<ConvLayer, 3> layers_{};
  int size_ = 0;
};

// One MBConv block of a sub-net.
struct MBConvBlock {
  int index = 0;  // 0 = the fixed first block, then 1, 2, ... over the active blocks
  int in_channels = 0;
  int middle_channels = 0;  // the depthwise's channels: in_channels when there is no expansion
  int out_channels = 0;
  int kernel = 3;
  int stride = 1;
  bool has_expand = true;  // false for expand ratio 1 and for the first block
  bool residual = false;

  // Defined only when has_expand.
  ConvLayer expand() const;
  ConvLayer depthwise() const;
  ConvLayer project() const;
  // [expand,] depthwise, project.
  BlockLayers layers() const;
  bool operator==(const MBConvBlock& o) const;
};

// The fixed first block of space at width_mult.
MBConvBlock first_block(const SearchSpace& space, double width_mult);
// Block `index` (>= 1) of a sub-net: `position` within stage `stage` (stride on position 0), with
// the given input channels (the previous block's output) and kernel / expansion.
MBConvBlock stage_block(const SearchSpace& space, double width_mult, int index, size_t stage,
                        int position, int in_channels, const BlockArch& block);

struct NetworkTopology {
  int resolution = 0;
  int input_channels = 0;
  ConvLayer stem;
  std::vector<MBConvBlock> blocks;  // [0] the first block, then the active blocks stage by stage
  std::optional<ConvLayer> feature_mix;
  int classifier_in = 0;  // channels entering global pooling and the classifier
  int num_classes = 0;
};

// arch must be valid for space (see validate()).
NetworkTopology network_topology(const Arch& arch, const SearchSpace& space);

}  // namespace tinynas::nas
