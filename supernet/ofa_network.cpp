#include "supernet/ofa_network.h"

#include <stdexcept>

#include "nas/sampling.h"

namespace tinynas::supernet {
namespace {

torch::Tensor clamp6(const torch::Tensor& x) {
  return torch::hardtanh(x, 0, 6);
}

}  // namespace

OFANetworkImpl::OFANetworkImpl(const nas::SearchSpace& space, const SupernetOptions& o,
                               int num_classes)
    : space_(std::make_shared<const nas::SearchSpace>(space)),
      options_(o),
      num_classes_(num_classes) {
  dropout = o.dropout;
  const nas::SearchSpace& s = *space_;
  const double w = o.width_mult;
  if (num_classes < 1) throw std::invalid_argument("supernet: num_classes must be positive");
  if (s.expands.empty() || s.expands.front() < 2)
    throw std::invalid_argument("supernet: space '" + s.name +
                                "' has expansion 1 (a block without expand layer), which the "
                                "elastic block does not support");
  const double eps = o.bn_eps, momentum = o.bn_momentum;
  const int stem_c = s.channels(s.stem_base_channels, w);
  stem = register_module("stem",
                         DynamicConv2d(s.input_channels, stem_c, s.stem_kernel, s.stem_stride));
  stem_bn = register_module("stem_bn", DynamicBatchNorm2d(stem_c, eps, momentum));
  first_dw = register_module(
      "first_dw", DynamicDepthwiseConv2d(stem_c, std::vector<int>{s.first_block_kernel}, 1));
  first_dw_bn = register_module("first_dw_bn", DynamicBatchNorm2d(stem_c, eps, momentum));
  int c = s.channels(s.first_block_base_channels, w);
  first_project = register_module("first_project", DynamicConv2d(stem_c, c, 1, 1));
  first_project_bn = register_module("first_project_bn", DynamicBatchNorm2d(c, eps, momentum));
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const int out = s.channels(s.stages[i].base_channels, w);
    stages.emplace_back();
    for (int b = 0; b < s.stages[i].max_depth(); ++b) {
      stages.back().push_back(
          register_module("s" + std::to_string(i) + "_b" + std::to_string(b),
                          DynamicMBConv(s, c, out, b == 0 ? s.stages[i].stride : 1, o)));
      c = out;
    }
  }
  const int mix_c = s.feature_mix_channels(w);
  if (mix_c > 0) {
    mix = register_module("mix", DynamicConv2d(c, mix_c, 1, 1));
    mix_bn = register_module("mix_bn", DynamicBatchNorm2d(mix_c, eps, momentum));
    c = mix_c;
  }
  classifier = register_module("classifier", torch::nn::Linear(c, num_classes));
  active_ = largest(s.resolutions.empty() ? 32 : s.resolutions.back());
}

nas::Arch OFANetworkImpl::largest(int resolution) const {
  nas::Arch a = nas::largest_arch(*space_, resolution, options_.width_mult);
  a.num_classes = num_classes_;
  return a;
}

nas::Arch OFANetworkImpl::smallest(int resolution) const {
  nas::Arch a = nas::smallest_arch(*space_, resolution, options_.width_mult);
  a.num_classes = num_classes_;
  return a;
}

void OFANetworkImpl::set_active(const nas::Arch& arch) {
  nas::validate(arch, *space_);
  if (!nas::same_width(arch.width_mult, options_.width_mult))
    throw std::invalid_argument("arch: 'width_mult' is " + std::to_string(arch.width_mult) +
                                " but the supernet was built at " +
                                std::to_string(options_.width_mult));
  if (arch.num_classes != num_classes_)
    throw std::invalid_argument("arch: 'num_classes' is " + std::to_string(arch.num_classes) +
                                " but the supernet has " + std::to_string(num_classes_));
  for (size_t s = 0; s < stages.size(); ++s)
    for (size_t b = 0; b < arch.stages[s].blocks.size(); ++b)
      stages[s][b]->set_active(arch.stages[s].blocks[b]);
  active_ = arch;
}

torch::Tensor OFANetworkImpl::forward(const torch::Tensor& input) {
  torch::Tensor x = clamp6(stem_bn(stem(input, stem->weight.size(0))));
  x = clamp6(first_dw_bn(first_dw(x, first_dw->kernels.back())));
  x = first_project_bn(first_project(x, first_project->weight.size(0)));
  for (size_t s = 0; s < stages.size(); ++s)
    for (int b = 0; b < active_.stages[s].depth(); ++b) x = stages[s][b]->forward(x);
  if (mix) x = clamp6(mix_bn(mix(x, mix->weight.size(0))));
  x = x.mean({2, 3});
  x = torch::dropout(x, dropout, is_training() && dropout > 0);
  return classifier(x);
}

void OFANetworkImpl::sort_channels() {
  for (auto& stage : stages)
    for (auto& block : stage) block->sort_channels();
}

std::vector<DynamicBatchNorm2d> OFANetworkImpl::batch_norms() const {
  std::vector<DynamicBatchNorm2d> out = {stem_bn, first_dw_bn, first_project_bn};
  for (const auto& stage : stages)
    for (const auto& b : stage) out.insert(out.end(), {b->expand_bn, b->dw_bn, b->project_bn});
  if (mix_bn) out.push_back(mix_bn);
  return out;
}

void OFANetworkImpl::set_bn_momentum(double momentum) {
  for (auto& bn : batch_norms()) bn->momentum = momentum;
}

void OFANetworkImpl::reset_bn_running_stats() {
  for (auto& bn : batch_norms()) bn->reset_running_stats();
}

void copy_state(const torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  const auto src_p = from.named_parameters(true);
  for (auto& p : to.named_parameters(true)) p.value().copy_(src_p[p.key()]);
  const auto src_b = from.named_buffers(true);
  for (auto& b : to.named_buffers(true)) b.value().copy_(src_b[b.key()]);
}

}  // namespace tinynas::supernet
