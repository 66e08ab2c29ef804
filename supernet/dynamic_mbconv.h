// The elastic MBConv block of the supernet (OFA's DynamicMBConvLayer): 1x1 expand + BN + ReLU6,
// kxk depthwise + BN + ReLU6, linear 1x1 project + BN, identity shortcut when the stride is 1 and
// the channel counts match. Holds the largest expansion and kernel; set_active(k, e) picks a
// smaller one (middle channels = the first make_divisible(in * e) after importance sorting).
// LibTorch header: include only from supernet/ sources and tests.
#pragma once

#include <torch/torch.h>

#include "nas/arch.h"
#include "nas/search_space.h"
#include "supernet/dynamic_ops.h"
#include "supernet/options.h"

namespace tinynas::supernet {

class DynamicMBConvImpl : public torch::nn::Module {
 public:
  DynamicMBConvImpl(const nas::SearchSpace& space, int in_channels, int out_channels, int stride,
                    const SupernetOptions& options);
  torch::Tensor forward(const torch::Tensor& x);

  // kernel and expand must be choices of the space (the network checks the arch first).
  void set_active(const nas::BlockArch& block);
  int active_kernel() const { return kernel_; }
  int active_middle() const { return middle_; }
  int middle_for(int expand) const { return space_.middle_channels(in_channels, expand); }

  // Sorts the middle channels by importance (L1 norm of the project weights reading each one),
  // most important first, permuting expand filters, depthwise filters and both BNs to match:
  // the largest block computes exactly the same function afterwards.
  void sort_channels();

  const int in_channels;
  const int out_channels;
  const int stride;
  const int max_middle;
  const bool residual;
  DynamicConv2d expand{nullptr};
  DynamicBatchNorm2d expand_bn{nullptr};
  DynamicDepthwiseConv2d dw{nullptr};
  DynamicBatchNorm2d dw_bn{nullptr};
  DynamicConv2d project{nullptr};
  DynamicBatchNorm2d project_bn{nullptr};

 private:
  const nas::SearchSpace& space_;
  int kernel_ = 0;
  int middle_ = 0;
};
TORCH_MODULE(DynamicMBConv);

}  // namespace tinynas::supernet
