// The once-for-all supernet of one search space at one width multiplier: stem, the optional fixed
// first block, per stage max-depth elastic blocks (MBConv or residual, as the stage says), the
// optional feature-mix layer and the classifier, built from the largest sub-net's
// nas::network_topology (the description nas::lower turns into a graph). set_active(arch) selects a
// sub-net (kernel, expansion and depth per block; the resolution is the input's size) from its
// topology; forward then computes that sub-net and active_weights() extracts its weights. LibTorch
// header: include only from supernet/ sources and tests.
//
//   OFANetwork net(space, options, /*num_classes=*/10);
//   net->set_active(arch);                    // throws std::invalid_argument outside the space
//   torch::Tensor logits = net->forward(images_at_arch_resolution);
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "memory_model/float_weights.h"
#include "nas/arch.h"
#include "nas/network_topology.h"
#include "nas/search_space.h"
#include "supernet/dynamic_block.h"
#include "supernet/dynamic_mbconv.h"
#include "supernet/dynamic_ops.h"
#include "supernet/options.h"

namespace tinynas::supernet {

class OFANetworkImpl : public torch::nn::Module {
 public:
  OFANetworkImpl(const nas::SearchSpace& space, const SupernetOptions& options, int num_classes);

  // Throws std::invalid_argument (naming the field) when arch is not a sub-net of this supernet:
  // outside the space, another width multiplier or another class count.
  void set_active(const nas::Arch& arch);
  const nas::Arch& active() const { return active_; }
  nas::Arch largest(int resolution) const;
  nas::Arch smallest(int resolution) const;

  torch::Tensor forward(const torch::Tensor& x);
  // The active sub-net's weights, cut to its sizes and named after its lowered graph's ops
  // (every module extracts its own part; BN statistics as they are now).
  std::vector<memory::LayerWeights> active_weights() const;

  // Importance-sorts the middle channels of every block (before elastic-expansion training).
  void sort_channels();
  // BN re-calibration support: momentum of every BN, and running statistics back to (0, 1).
  void set_bn_momentum(double momentum);
  void reset_bn_running_stats();
  std::vector<DynamicBatchNorm2d> batch_norms() const;
  // Dropout probability before the classifier (BN re-calibration turns it off).
  double dropout = 0;

  const nas::SearchSpace& space() const { return *space_; }
  const SupernetOptions& options() const { return options_; }
  int num_classes() const { return num_classes_; }

  // The layers in nas::lower's order.
  DynamicConv2d stem{nullptr};
  DynamicBatchNorm2d stem_bn{nullptr};
  // "first_dw", "first_dw_bn", "first_project", "first_project_bn"; null without a first block.
  MBConvLayers first_block;
  std::vector<std::vector<DynamicBlock>> stages;  // max depth per stage
  DynamicConv2d mix{nullptr};                     // null when the space has no feature-mix layer
  DynamicBatchNorm2d mix_bn{nullptr};
  torch::nn::Linear classifier{nullptr};

 private:
  std::shared_ptr<const nas::SearchSpace> space_;  // blocks keep a reference to it
  SupernetOptions options_;
  int num_classes_;
  nas::Arch active_;
  nas::NetworkTopology topology_;  // of active_
};
TORCH_MODULE(OFANetwork);

// Copies parameters and buffers (same structure required), e.g. the teacher snapshot.
void copy_state(const torch::nn::Module& from, torch::nn::Module& to);

}  // namespace tinynas::supernet
