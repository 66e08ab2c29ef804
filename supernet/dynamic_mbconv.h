// The elastic MBConv block of the supernet (OFA's DynamicMBConvLayer), built from the block's
// description in nas/network_topology.h: 1x1 expand + BN + ReLU6, kxk depthwise + BN + ReLU6,
// linear 1x1 project + BN, identity shortcut when the description says so. The modules hold the
// largest configuration of their slot; run() computes a smaller one (middle channels = the first
// make_divisible(in * e) after importance sorting; expand ratio 1 skips the expansion and the
// depthwise runs on the block's input) and extract() cuts that configuration's weights out.
// LibTorch header: include only from supernet/ sources and tests.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "memory_model/float_weights.h"
#include "nas/network_topology.h"
#include "supernet/dynamic_ops.h"
#include "supernet/options.h"

namespace tinynas::supernet {

// The dynamic layers of one block, registered on `owner` as prefix + "expand", "expand_bn", "dw",
// "dw_bn", "project", "project_bn" (the checkpoint's names). Shared by the elastic blocks and the
// network's fixed first block.
struct MBConvLayers final : BlockLayersBase {
  // largest: the block's largest configuration; kernels: the depthwise's kernel choices.
  void create(torch::nn::Module& owner, const std::string& prefix, const nas::NetworkBlock& largest,
              const std::vector<int>& kernels, const SupernetOptions& options);
  // Computes the block as `active` (a configuration of the same slot) describes it.
  torch::Tensor run(const torch::Tensor& x, const nas::NetworkBlock& active) override;
  // The weights `active` uses, cut to its sizes and named after its layers, appended to out.
  void extract(const nas::NetworkBlock& active,
               std::vector<memory::LayerWeights>& out) const override;
  void append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const override;
  // Sorts the middle channels by importance (L1 norm of the project weights reading each one),
  // most important first, permuting expand filters, depthwise filters and both BNs to match:
  // the largest block computes exactly the same function afterwards. Does nothing without an
  // expansion (the depthwise channels are then the block's input channels).
  void sort_channels() override;

  DynamicConv2d expand{nullptr};  // null when no configuration of the slot expands
  DynamicBatchNorm2d expand_bn{nullptr};
  DynamicDepthwiseConv2d dw{nullptr};
  DynamicBatchNorm2d dw_bn{nullptr};
  DynamicConv2d project{nullptr};
  DynamicBatchNorm2d project_bn{nullptr};
};

}  // namespace tinynas::supernet
