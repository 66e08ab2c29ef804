#include "supernet/dynamic_residual.h"

namespace tinynas::supernet {

void ResidualLayers::create(torch::nn::Module& owner, const std::string& prefix,
                            const nas::NetworkBlock& largest, int max_kernel,
                            const SupernetOptions& o) {
  const double eps = o.bn_eps, momentum = o.bn_momentum;
  const int64_t in = largest.in_channels, middle = largest.middle_channels,
                out = largest.out_channels;
  conv1 = owner.register_module(prefix + "conv1",
                                DynamicConv2d(in, middle, max_kernel, largest.stride));
  conv1_bn = owner.register_module(prefix + "conv1_bn", DynamicBatchNorm2d(middle, eps, momentum));
  conv2 = owner.register_module(prefix + "conv2", DynamicConv2d(middle, out, max_kernel, 1));
  conv2_bn = owner.register_module(prefix + "conv2_bn", DynamicBatchNorm2d(out, eps, momentum));
  if (largest.projection) {
    shortcut =
        owner.register_module(prefix + "shortcut", DynamicConv2d(in, out, 1, largest.stride));
    shortcut_bn =
        owner.register_module(prefix + "shortcut_bn", DynamicBatchNorm2d(out, eps, momentum));
  }
}

torch::Tensor ResidualLayers::run(const torch::Tensor& x, const nas::NetworkBlock& active) {
  const torch::Tensor skip = active.projection ? shortcut_bn(shortcut(x, active.out_channels)) : x;
  torch::Tensor h = relu6_clamp(conv1_bn(conv1(x, active.middle_channels, active.kernel)));
  h = conv2_bn(conv2(h, active.out_channels, active.kernel));
  return relu6_clamp(h + skip);
}

void ResidualLayers::extract(const nas::NetworkBlock& active,
                             std::vector<memory::LayerWeights>& out) const {
  if (active.projection) out.push_back(layer_weights(active.shortcut(), shortcut, shortcut_bn));
  out.push_back(layer_weights(active.conv1(), conv1, conv1_bn));
  out.push_back(layer_weights(active.conv2(), conv2, conv2_bn));
}

void ResidualLayers::append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const {
  if (shortcut_bn) out.push_back(shortcut_bn);
  out.insert(out.end(), {conv1_bn, conv2_bn});
}

void ResidualLayers::sort_channels() {
  torch::NoGradGuard no_grad;
  const torch::Tensor importance = conv2->weight.abs().sum({0, 2, 3});
  const torch::Tensor order =
      std::get<1>(torch::sort(importance, /*stable=*/true, /*dim=*/0, /*descending=*/true));
  conv2->weight.copy_(conv2->weight.index_select(1, order));
  conv1->weight.copy_(conv1->weight.index_select(0, order));
  conv1_bn->permute(order);
}

}  // namespace tinynas::supernet
