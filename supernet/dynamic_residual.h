// The elastic residual block of the supernet (the ResNet basic block), built from the block's
// description in nas/network_topology.h: kxk conv + BN + ReLU6, kxk conv + BN, the skip (identity,
// or 1x1 conv + BN where the shape changes), ReLU6 after the sum. The modules hold the largest
// configuration of their slot; run() computes a smaller one (the first middle channels after
// importance sorting, the centre of each filter for a smaller kernel) and extract() cuts its
// weights out. LibTorch header: include only from supernet/ sources and tests.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "memory_model/float_weights.h"
#include "nas/network_topology.h"
#include "supernet/dynamic_ops.h"
#include "supernet/options.h"

namespace tinynas::supernet {

// Registered on `owner` as prefix + "conv1", "conv1_bn", "conv2", "conv2_bn" and, where the slot
// projects its skip, "shortcut", "shortcut_bn" (the checkpoint's names).
struct ResidualLayers final : BlockLayersBase {
  // largest: the slot's largest configuration; max_kernel: its largest kernel choice.
  void create(torch::nn::Module& owner, const std::string& prefix, const nas::NetworkBlock& largest,
              int max_kernel, const SupernetOptions& options);
  torch::Tensor run(const torch::Tensor& x, const nas::NetworkBlock& active) override;
  // The weights `active` uses in the lowered graph's order (shortcut, conv1, conv2).
  void extract(const nas::NetworkBlock& active,
               std::vector<memory::LayerWeights>& out) const override;
  void append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const override;
  // Sorts the middle channels by importance (L1 norm of the conv2 weights reading each one), most
  // important first, permuting conv1's filters and its BN to match: same function afterwards.
  void sort_channels() override;

  DynamicConv2d conv1{nullptr};
  DynamicBatchNorm2d conv1_bn{nullptr};
  DynamicConv2d conv2{nullptr};
  DynamicBatchNorm2d conv2_bn{nullptr};
  DynamicConv2d shortcut{nullptr};  // null when the skip is the identity
  DynamicBatchNorm2d shortcut_bn{nullptr};
};

}  // namespace tinynas::supernet
