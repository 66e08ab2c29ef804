// The network topology, defined once: which convolutions a sub-net has, with their names, roles,
// channels, kernels, strides and activations, and where the shortcuts are. nas::lower() turns it
// into a Graph; the supernet builds its modules from the largest sub-net's topology, runs the
// active sub-net's, and extracts the weights each layer names. Torch-free.
//
// The rules:
//   stem       kxk conv, stride space.stem_stride, ReLU6, channels(stem_base_channels)
//   block 0    the optional fixed first block: kxk depthwise (stride 1, ReLU6) then linear 1x1
//              project, no expansion and no residual
//   block i>0  by its stage's kind (the stage's stride on its first block, else 1):
//     mbconv   1x1 expand to make_divisible(in * e) + ReLU6 (left out when e = 1: the depthwise
//              then runs on the block's input), kxk depthwise + ReLU6, linear 1x1 project to the
//              stage's channels; identity shortcut when the stride is 1 and the channels match
//     residual the ResNet basic block: kxk conv to make_divisible(out * e) + ReLU6, kxk conv to
//              the stage's channels, plus the skip (identity, or a linear 1x1 projection with the
//              block's stride where the shape changes), then ReLU6 after the sum
//   feature mix optional 1x1 conv + ReLU6; then global average pooling and the linear classifier
//
//   NetworkTopology t = network_topology(arch, space);
//   for (const NetworkBlock& b : t.blocks)
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
  int block = -1;  // block index (0 = the fixed first block); -1 outside blocks
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

// One block of a sub-net: an MBConv block or a residual (ResNet basic) block.
struct NetworkBlock {
  BlockKind kind = BlockKind::kMBConv;
  int index = 0;  // 0 = the fixed first block, then 1, 2, ... over the active blocks
  int in_channels = 0;
  // MBConv: the depthwise's channels (in_channels when there is no expansion); residual: the
  // first convolution's output channels.
  int middle_channels = 0;
  int out_channels = 0;
  int kernel = 3;
  int stride = 1;
  bool has_expand = true;   // MBConv: false for expand ratio 1 and for the first block
  bool residual = false;    // the block ends in a shortcut add
  bool projection = false;  // residual blocks: the skip is a 1x1 convolution, not the identity

  // MBConv layers; expand() is defined only when has_expand.
  ConvLayer expand() const;
  ConvLayer depthwise() const;
  ConvLayer project() const;
  // Residual-block layers; shortcut() is defined only when projection.
  ConvLayer conv1() const;
  ConvLayer conv2() const;
  ConvLayer shortcut() const;
  // The activation after the shortcut add: ReLU6 for residual blocks, none for MBConv's linear
  // bottleneck.
  memory::Activation add_activation() const;
  // The body's convolutions in order: [expand,] depthwise, project; or conv1, conv2.
  BlockLayers layers() const;
  bool operator==(const NetworkBlock& o) const;
};

// The fixed first block of space at width_mult; the space must have one.
NetworkBlock first_block(const SearchSpace& space, double width_mult);
// Block `index` (>= 1) of a sub-net: `position` within stage `stage` (stride on position 0), with
// the given input channels (the previous block's output) and kernel / expansion.
NetworkBlock stage_block(const SearchSpace& space, double width_mult, int index, size_t stage,
                         int position, int in_channels, const BlockArch& block);

struct NetworkTopology {
  int resolution = 0;
  int input_channels = 0;
  ConvLayer stem;
  // The first block when the space has one (index 0), then the active blocks stage by stage
  // (indices from 1).
  std::vector<NetworkBlock> blocks;
  bool has_first_block = false;
  std::optional<ConvLayer> feature_mix;
  int classifier_in = 0;  // channels entering global pooling and the classifier
  int num_classes = 0;
};

// arch must be valid for space (see validate()).
NetworkTopology network_topology(const Arch& arch, const SearchSpace& space);

}  // namespace tinynas::nas
