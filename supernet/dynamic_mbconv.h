// The elastic MBConv block of the supernet (OFA's DynamicMBConvLayer), built from the block's
// description in nas/mbconv.h: 1x1 expand + BN + ReLU6, kxk depthwise + BN + ReLU6, linear 1x1
// project + BN, identity shortcut when the description says so. The modules hold the largest
// configuration of their slot; set_active() picks a smaller one (middle channels = the first
// make_divisible(in * e) after importance sorting; expand ratio 1 skips the expansion and the
// depthwise runs on the block's input) and extract() cuts that configuration's weights out.
// LibTorch header: include only from supernet/ sources and tests.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "memory_model/float_weights.h"
#include "nas/mbconv.h"
#include "supernet/dynamic_ops.h"
#include "supernet/options.h"

namespace tinynas::supernet {

// The dynamic layers of one block, registered on `owner` as prefix + "expand", "expand_bn", "dw",
// "dw_bn", "project", "project_bn" (the checkpoint's names). Shared by the elastic blocks and the
// network's fixed first block.
struct MBConvLayers {
  // largest: the block's largest configuration; kernels: the depthwise's kernel choices.
  void create(torch::nn::Module& owner, const std::string& prefix, const nas::MBConvBlock& largest,
              const std::vector<int>& kernels, const SupernetOptions& options);
  // Computes the block as `active` (a configuration of the same slot) describes it.
  torch::Tensor run(const torch::Tensor& x, const nas::MBConvBlock& active);
  // The weights `active` uses, cut to its sizes and named after its layers, appended to out.
  void extract(const nas::MBConvBlock& active, std::vector<memory::LayerWeights>& out) const;
  void append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const;

  DynamicConv2d expand{nullptr};  // null when no configuration of the slot expands
  DynamicBatchNorm2d expand_bn{nullptr};
  DynamicDepthwiseConv2d dw{nullptr};
  DynamicBatchNorm2d dw_bn{nullptr};
  DynamicConv2d project{nullptr};
  DynamicBatchNorm2d project_bn{nullptr};
};

class DynamicMBConvImpl : public torch::nn::Module, public MBConvLayers {
 public:
  DynamicMBConvImpl(const nas::MBConvBlock& largest, const std::vector<int>& kernels,
                    const SupernetOptions& options);
  torch::Tensor forward(const torch::Tensor& x) { return run(x, active_); }

  // active: a configuration of this slot (the network derives it from the arch with
  // nas::network_topology); throws std::logic_error for another slot's block.
  void set_active(const nas::MBConvBlock& active);
  const nas::MBConvBlock& active() const { return active_; }
  int active_kernel() const { return active_.kernel; }
  int active_middle() const { return active_.middle_channels; }
  void extract(std::vector<memory::LayerWeights>& out) const {
    MBConvLayers::extract(active_, out);
  }

  // Sorts the middle channels by importance (L1 norm of the project weights reading each one),
  // most important first, permuting expand filters, depthwise filters and both BNs to match:
  // the largest block computes exactly the same function afterwards. Does nothing without an
  // expansion (the depthwise channels are then the block's input channels).
  void sort_channels();

  const nas::MBConvBlock largest;

 private:
  nas::MBConvBlock active_;
};
TORCH_MODULE(DynamicMBConv);

}  // namespace tinynas::supernet
