// Activations and convolution weights in channels_last (NHWC) memory format. oneDNN, which
// LibTorch's CPU convolutions use, works natively in NHWC; in NCHW every convolution converts its
// input and output, and the depthwise ones fall back to a slow path. Training the largest CIFAR-10
// sub-net is about 2.5x faster in channels_last on this machine (docs/benchmarks.md). The layout is
// a property of the tensors, not of the maths: results equal NCHW's up to float rounding.
// LibTorch header: include only from supernet/ sources, tests and benchmarks.
//
//   torch::Tensor y = net->forward(channels_last(images));
//   to_channels_last(*net);   // after building or loading a network
#pragma once

#include <torch/torch.h>

namespace tinynas::supernet {

// t in channels_last layout when it is 4-D (a no-op when already), t itself otherwise.
inline torch::Tensor channels_last(const torch::Tensor& t) {
  return t.dim() == 4 ? t.contiguous(at::MemoryFormat::ChannelsLast) : t;
}

// Every 4-D parameter and buffer of the module and its children, re-laid out in place (the tensors
// stay the same objects, so optimizers and views that hold them keep working).
inline void to_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : module.parameters(/*recurse=*/true))
    if (p.dim() == 4) p.set_data(channels_last(p));
  for (torch::Tensor& b : module.buffers(/*recurse=*/true))
    if (b.dim() == 4) b.set_data(channels_last(b));
}

}  // namespace tinynas::supernet
