// The dynamic ops of the OFA supernet (the bottom of OFA's ladder: ops -> block -> network ->
// training). Each holds weights for its largest configuration and computes a smaller one on
// demand: the first channels of a conv or batch norm, or a smaller depthwise kernel obtained from
// the 7x7 by centre crops chained through learnable kernel-transformation matrices
// (Once-for-All, Cai et al. 2020), and extracts that configuration's weights in
// memory::FloatWeights form (OFA's get_active_subnet, op by op). LibTorch header: include only from
// supernet/ sources and tests.
//
//   DynamicDepthwiseConv2d dw(48, {3, 5, 7}, /*stride=*/2);
//   torch::Tensor y = dw->forward(x, /*kernel=*/5);     // x has up to 48 channels
#pragma once

#include <torch/torch.h>

#include <vector>

#include "memory_model/float_weights.h"
#include "nas/network_topology.h"

namespace tinynas::supernet {

// Batch norm over the first C channels of its max_channels statistics and affine parameters (C =
// the input's channel count). Slices are views, so training updates the stored statistics.
class DynamicBatchNorm2dImpl : public torch::nn::Module {
 public:
  DynamicBatchNorm2dImpl(int64_t max_channels, double eps, double momentum);
  torch::Tensor forward(const torch::Tensor& x);
  // Reorders the channels (importance sorting of the block's middle channels).
  void permute(const torch::Tensor& order);
  void reset_running_stats();
  // The statistics and affine parameters of the first `channels` channels (sub-net extraction).
  memory::BatchNorm extract(int64_t channels) const;

  torch::Tensor weight, bias, running_mean, running_var;
  double eps;
  double momentum;  // BN re-calibration sets 1/k for a cumulative average
};
TORCH_MODULE(DynamicBatchNorm2d);

// A regular convolution (no bias, "same" padding) stored as [max_out, max_in, k, k]; forward uses
// the first out_channels filters, the first in channels (in = the input's channel count) and, for
// a smaller kernel, the centre of each filter (kernel 0: the stored one).
class DynamicConv2dImpl : public torch::nn::Module {
 public:
  DynamicConv2dImpl(int64_t max_in, int64_t max_out, int kernel, int stride);
  torch::Tensor forward(const torch::Tensor& x, int64_t out_channels, int kernel = 0);
  torch::Tensor active_weight(int64_t in_channels, int64_t out_channels, int kernel = 0) const;
  // active_weight in the weights file's OHWI layout (sub-net extraction).
  memory::FloatTensor extract(int64_t in_channels, int64_t out_channels, int kernel = 0) const;

  torch::Tensor weight;
  int kernel;
  int stride;
};
TORCH_MODULE(DynamicConv2d);

// Depthwise convolution with an elastic kernel. Weights are stored at the largest kernel; kernel
// k < max is the centre crop transformed by one matrix per step down the kernel list (7x7 -> 5x5:
// a 25x25 matrix, 5x5 -> 3x3: 9x9), identity-initialised and shared across channels.
class DynamicDepthwiseConv2dImpl : public torch::nn::Module {
 public:
  DynamicDepthwiseConv2dImpl(int64_t max_channels, std::vector<int> kernels, int stride);
  torch::Tensor forward(const torch::Tensor& x, int kernel);
  // The [channels, 1, kernel, kernel] filter that forward uses.
  torch::Tensor active_filter(int64_t channels, int kernel) const;
  // active_filter as [channels, kernel, kernel, 1] (sub-net extraction).
  memory::FloatTensor extract(int64_t channels, int kernel) const;
  // Matrix that maps the centre of a `from`x`from` filter to the next smaller kernel.
  torch::Tensor& transform(int from);
  void permute(const torch::Tensor& order);

  torch::Tensor weight;
  std::vector<int> kernels;             // ascending
  std::vector<torch::Tensor> matrices;  // matrices[i]: kernels[i+1] -> kernels[i]
  int stride;
};
TORCH_MODULE(DynamicDepthwiseConv2d);

// A tensor's values and shape in the weights file's form (copied to the CPU as float).
memory::FloatTensor float_tensor(const torch::Tensor& t);

// The layers of one block of the topology (MBConv or residual), computing and extracting the
// configuration `active` of their slot describes.
struct BlockLayersBase {
  virtual ~BlockLayersBase() = default;
  virtual torch::Tensor run(const torch::Tensor& x, const nas::NetworkBlock& active) = 0;
  virtual void extract(const nas::NetworkBlock& active,
                       std::vector<memory::LayerWeights>& out) const = 0;
  virtual void append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const = 0;
  virtual void sort_channels() = 0;
};

// ReLU6 as a clamp to [0, 6], the activation of every layer of the topology that has one.
torch::Tensor relu6_clamp(const torch::Tensor& x);

// The extracted weights of one layer of the topology, named after it, with its BN cut to its
// output channels.
memory::LayerWeights layer_weights(const nas::ConvLayer& layer, memory::FloatTensor weight,
                                   const DynamicBatchNorm2d& bn);
// The same for a regular convolution: its filters cut to the layer's channels and kernel.
memory::LayerWeights layer_weights(const nas::ConvLayer& layer, const DynamicConv2d& conv,
                                   const DynamicBatchNorm2d& bn);

}  // namespace tinynas::supernet
