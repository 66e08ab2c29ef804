#include "supernet/dynamic_mbconv.h"

namespace tinynas::supernet {

void MBConvLayers::create(torch::nn::Module& owner, const std::string& prefix,
                          const nas::NetworkBlock& largest, const std::vector<int>& kernels,
                          const SupernetOptions& o) {
  const double eps = o.bn_eps, momentum = o.bn_momentum;
  const int64_t middle = largest.middle_channels;
  if (largest.has_expand) {
    expand =
        owner.register_module(prefix + "expand", DynamicConv2d(largest.in_channels, middle, 1, 1));
    expand_bn =
        owner.register_module(prefix + "expand_bn", DynamicBatchNorm2d(middle, eps, momentum));
  }
  dw =
      owner.register_module(prefix + "dw", DynamicDepthwiseConv2d(middle, kernels, largest.stride));
  dw_bn = owner.register_module(prefix + "dw_bn", DynamicBatchNorm2d(middle, eps, momentum));
  project =
      owner.register_module(prefix + "project", DynamicConv2d(middle, largest.out_channels, 1, 1));
  project_bn = owner.register_module(prefix + "project_bn",
                                     DynamicBatchNorm2d(largest.out_channels, eps, momentum));
}

torch::Tensor MBConvLayers::run(const torch::Tensor& x, const nas::NetworkBlock& active) {
  torch::Tensor h = x;
  if (active.has_expand) h = relu6_clamp(expand_bn(expand(h, active.middle_channels)));
  h = relu6_clamp(dw_bn(dw(h, active.kernel)));
  h = project_bn(project(h, active.out_channels));
  return active.residual ? h + x : h;
}

void MBConvLayers::extract(const nas::NetworkBlock& active,
                           std::vector<memory::LayerWeights>& out) const {
  if (active.has_expand) {
    const nas::ConvLayer l = active.expand();
    out.push_back(layer_weights(l, expand->extract(l.in_channels, l.out_channels), expand_bn));
  }
  const nas::ConvLayer d = active.depthwise();
  out.push_back(layer_weights(d, dw->extract(d.out_channels, d.kernel), dw_bn));
  const nas::ConvLayer p = active.project();
  out.push_back(layer_weights(p, project->extract(p.in_channels, p.out_channels), project_bn));
}

void MBConvLayers::append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const {
  if (expand_bn) out.push_back(expand_bn);
  out.insert(out.end(), {dw_bn, project_bn});
}

void MBConvLayers::sort_channels() {
  if (!expand) return;
  torch::NoGradGuard no_grad;
  const torch::Tensor importance = project->weight.abs().sum({0, 2, 3});
  const torch::Tensor order =
      std::get<1>(torch::sort(importance, /*stable=*/true, /*dim=*/0, /*descending=*/true));
  project->weight.copy_(project->weight.index_select(1, order));
  dw->permute(order);
  dw_bn->permute(order);
  expand->weight.copy_(expand->weight.index_select(0, order));
  expand_bn->permute(order);
}

}  // namespace tinynas::supernet
