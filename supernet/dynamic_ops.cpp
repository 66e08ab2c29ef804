#include "supernet/dynamic_ops.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tinynas::supernet {
namespace {

// Kaiming-normal (fan_out), as OFA initialises its convolutions.
torch::Tensor kaiming(std::vector<int64_t> shape, int64_t fan_out) {
  return torch::randn(shape) * std::sqrt(2.0 / static_cast<double>(fan_out));
}

torch::Tensor centre(const torch::Tensor& filter, int from, int to) {
  const int start = (from - to) / 2;
  return filter.slice(2, start, start + to).slice(3, start, start + to);
}

std::vector<float> values(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// OIHW -> OHWI (the weights file's layout, matching HWC activations).
memory::FloatTensor ohwi(const torch::Tensor& w) {
  return float_tensor(w.detach().permute({0, 2, 3, 1}));
}

}  // namespace

memory::FloatTensor float_tensor(const torch::Tensor& t) {
  memory::FloatTensor out;
  for (const int64_t d : t.sizes()) out.shape.push_back(static_cast<int>(d));
  out.data = values(t);
  return out;
}

torch::Tensor relu6_clamp(const torch::Tensor& x) {
  return torch::hardtanh(x, 0, 6);
}

memory::LayerWeights layer_weights(const nas::ConvLayer& layer, memory::FloatTensor weight,
                                   const DynamicBatchNorm2d& bn) {
  memory::LayerWeights l;
  l.name = layer.name();
  l.type = layer.type;
  l.weight = std::move(weight);
  l.bn = bn->extract(layer.out_channels);
  return l;
}

memory::LayerWeights layer_weights(const nas::ConvLayer& layer, const DynamicConv2d& conv,
                                   const DynamicBatchNorm2d& bn) {
  return layer_weights(layer, conv->extract(layer.in_channels, layer.out_channels, layer.kernel),
                       bn);
}

DynamicBatchNorm2dImpl::DynamicBatchNorm2dImpl(int64_t max_channels, double eps_, double momentum_)
    : eps(static_cast<float>(eps_)), momentum(momentum_) {  // float: as the weights file stores it
  weight = register_parameter("weight", torch::ones({max_channels}));
  bias = register_parameter("bias", torch::zeros({max_channels}));
  running_mean = register_buffer("running_mean", torch::zeros({max_channels}));
  running_var = register_buffer("running_var", torch::ones({max_channels}));
}

torch::Tensor DynamicBatchNorm2dImpl::forward(const torch::Tensor& x) {
  const int64_t c = x.size(1);
  if (c == weight.size(0))
    return torch::batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum,
                             eps, false);
  return torch::batch_norm(x, weight.slice(0, 0, c), bias.slice(0, 0, c),
                           running_mean.slice(0, 0, c), running_var.slice(0, 0, c), is_training(),
                           momentum, eps, false);
}

void DynamicBatchNorm2dImpl::permute(const torch::Tensor& order) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor* t : {&weight, &bias, &running_mean, &running_var})
    t->copy_(t->index_select(0, order));
}

void DynamicBatchNorm2dImpl::reset_running_stats() {
  torch::NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
}

memory::BatchNorm DynamicBatchNorm2dImpl::extract(int64_t channels) const {
  memory::BatchNorm out;
  out.gamma = values(weight.slice(0, 0, channels));
  out.beta = values(bias.slice(0, 0, channels));
  out.mean = values(running_mean.slice(0, 0, channels));
  out.var = values(running_var.slice(0, 0, channels));
  out.eps = static_cast<float>(eps);
  return out;
}

DynamicConv2dImpl::DynamicConv2dImpl(int64_t max_in, int64_t max_out, int kernel_, int stride_)
    : kernel(kernel_), stride(stride_) {
  weight = register_parameter(
      "weight", kaiming({max_out, max_in, kernel, kernel}, max_out * kernel * kernel));
}

torch::Tensor DynamicConv2dImpl::active_weight(int64_t in_channels, int64_t out_channels,
                                               int active_kernel) const {
  const int k = active_kernel > 0 ? active_kernel : kernel;
  if (k > kernel || k % 2 == 0)
    throw std::logic_error("conv: kernel " + std::to_string(k) + " from a " +
                           std::to_string(kernel) + "x" + std::to_string(kernel) + " filter");
  if (in_channels == weight.size(1) && out_channels == weight.size(0) && k == kernel) return weight;
  // A view: convolution reads strided weights, and the gradient flows into the stored tensor.
  const torch::Tensor w = weight.slice(0, 0, out_channels).slice(1, 0, in_channels);
  return k == kernel ? w : centre(w, kernel, k);
}

memory::FloatTensor DynamicConv2dImpl::extract(int64_t in_channels, int64_t out_channels,
                                               int active_kernel) const {
  return ohwi(active_weight(in_channels, out_channels, active_kernel));
}

torch::Tensor DynamicConv2dImpl::forward(const torch::Tensor& x, int64_t out_channels,
                                         int active_kernel) {
  const int k = active_kernel > 0 ? active_kernel : kernel;
  return torch::conv2d(x, active_weight(x.size(1), out_channels, k), {}, stride, k / 2);
}

DynamicDepthwiseConv2dImpl::DynamicDepthwiseConv2dImpl(int64_t max_channels,
                                                       std::vector<int> kernels_, int stride_)
    : kernels(std::move(kernels_)), stride(stride_) {
  if (kernels.empty() || !std::is_sorted(kernels.begin(), kernels.end()))
    throw std::invalid_argument("depthwise conv: kernel list must be ascending and not empty");
  const int k = kernels.back();
  weight = register_parameter("weight", kaiming({max_channels, 1, k, k}, k * k));
  for (size_t i = 0; i + 1 < kernels.size(); ++i) {
    const int64_t n = int64_t{kernels[i]} * kernels[i];
    matrices.push_back(register_parameter(
        std::to_string(kernels[i + 1]) + "to" + std::to_string(kernels[i]) + "_matrix",
        torch::eye(n)));
  }
}

torch::Tensor& DynamicDepthwiseConv2dImpl::transform(int from) {
  for (size_t i = 0; i + 1 < kernels.size(); ++i)
    if (kernels[i + 1] == from) return matrices[i];
  throw std::invalid_argument("depthwise conv: no transformation from kernel " +
                              std::to_string(from));
}

torch::Tensor DynamicDepthwiseConv2dImpl::active_filter(int64_t channels, int kernel) const {
  torch::Tensor filter = channels == weight.size(0) ? weight : weight.slice(0, 0, channels);
  // Walk down the kernel list: crop the centre, then mix its taps with the step's matrix.
  for (size_t i = kernels.size() - 1; i > 0 && kernels[i] > kernel; --i) {
    const int to = kernels[i - 1];
    const torch::Tensor crop = centre(filter, kernels[i], to).reshape({-1, int64_t{to} * to});
    filter = torch::linear(crop, matrices[i - 1]).reshape({channels, 1, to, to});
  }
  if (filter.size(2) != kernel)
    throw std::invalid_argument("depthwise conv: kernel " + std::to_string(kernel) +
                                " is not one of the supernet's kernels");
  return filter.contiguous();
}

memory::FloatTensor DynamicDepthwiseConv2dImpl::extract(int64_t channels, int kernel) const {
  return ohwi(active_filter(channels, kernel));
}

torch::Tensor DynamicDepthwiseConv2dImpl::forward(const torch::Tensor& x, int kernel) {
  const int64_t c = x.size(1);
  return torch::conv2d(x, active_filter(c, kernel), {}, stride, kernel / 2, 1, c);
}

void DynamicDepthwiseConv2dImpl::permute(const torch::Tensor& order) {
  torch::NoGradGuard no_grad;
  weight.copy_(weight.index_select(0, order));
}

}  // namespace tinynas::supernet
