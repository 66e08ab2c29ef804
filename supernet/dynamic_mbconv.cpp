#include "supernet/dynamic_mbconv.h"

namespace tinynas::supernet {

DynamicMBConvImpl::DynamicMBConvImpl(const nas::SearchSpace& space, int in, int out, int stride_,
                                     const SupernetOptions& o)
    : in_channels(in),
      out_channels(out),
      stride(stride_),
      max_middle(space.middle_channels(in, space.expands.back())),
      residual(stride_ == 1 && in == out),
      space_(space) {
  const double eps = o.bn_eps, momentum = o.bn_momentum;
  expand = register_module("expand", DynamicConv2d(in, max_middle, 1, 1));
  expand_bn = register_module("expand_bn", DynamicBatchNorm2d(max_middle, eps, momentum));
  dw = register_module("dw", DynamicDepthwiseConv2d(max_middle, space.kernels, stride));
  dw_bn = register_module("dw_bn", DynamicBatchNorm2d(max_middle, eps, momentum));
  project = register_module("project", DynamicConv2d(max_middle, out, 1, 1));
  project_bn = register_module("project_bn", DynamicBatchNorm2d(out, eps, momentum));
  set_active({space.kernels.back(), space.expands.back()});
}

void DynamicMBConvImpl::set_active(const nas::BlockArch& block) {
  kernel_ = block.kernel;
  middle_ = middle_for(block.expand);
}

torch::Tensor DynamicMBConvImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = torch::hardtanh(expand_bn(expand(x, middle_)), 0, 6);
  h = torch::hardtanh(dw_bn(dw(h, kernel_)), 0, 6);
  h = project_bn(project(h, out_channels));
  return residual ? h + x : h;
}

void DynamicMBConvImpl::sort_channels() {
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
