#include "supernet/ofa_network.h"

#include <stdexcept>

#include "nas/sampling.h"
#include "supernet/memory_format.h"

namespace tinynas::supernet {

OFANetworkImpl::OFANetworkImpl(const nas::SearchSpace& space, const SupernetOptions& o,
                               int num_classes)
    : space_(std::make_shared<const nas::SearchSpace>(space)),
      options_(o),
      num_classes_(num_classes) {
  dropout = o.dropout;
  const nas::SearchSpace& s = *space_;
  if (num_classes < 1) throw std::invalid_argument("supernet: num_classes must be positive");
  // Every module holds its slot's largest configuration.
  active_ = largest(s.resolutions.empty() ? 32 : s.resolutions.back());
  topology_ = nas::network_topology(active_, s);
  const nas::NetworkTopology& t = topology_;
  const double eps = o.bn_eps, momentum = o.bn_momentum;
  stem = register_module(
      "stem", DynamicConv2d(t.stem.in_channels, t.stem.out_channels, t.stem.kernel, t.stem.stride));
  stem_bn = register_module("stem_bn", DynamicBatchNorm2d(t.stem.out_channels, eps, momentum));
  if (t.has_first_block)
    first_block.create(*this, "first_", t.blocks[0], {s.first_block_kernel}, o);
  size_t next = t.has_first_block ? 1 : 0;
  for (size_t i = 0; i < s.stages.size(); ++i) {
    stages.emplace_back();
    for (int b = 0; b < s.stages[i].max_depth(); ++b)
      stages.back().push_back(register_module("s" + std::to_string(i) + "_b" + std::to_string(b),
                                              DynamicBlock(t.blocks[next++], s.kernels_of(i), o)));
  }
  if (t.feature_mix) {
    const nas::ConvLayer& m = *t.feature_mix;
    mix = register_module("mix", DynamicConv2d(m.in_channels, m.out_channels, 1, 1));
    mix_bn = register_module("mix_bn", DynamicBatchNorm2d(m.out_channels, eps, momentum));
  }
  classifier = register_module("classifier", torch::nn::Linear(t.classifier_in, num_classes));
  to_channels_last(*this);
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
  nas::NetworkTopology t = nas::network_topology(arch, *space_);
  size_t next = t.has_first_block ? 1 : 0;
  for (size_t s = 0; s < stages.size(); ++s)
    for (int b = 0; b < arch.stages[s].depth(); ++b)
      stages[s][static_cast<size_t>(b)]->set_active(t.blocks[next++]);
  active_ = arch;
  topology_ = std::move(t);
}

torch::Tensor OFANetworkImpl::forward(const torch::Tensor& input) {
  const nas::NetworkTopology& t = topology_;
  // The network computes in its weights' layout (channels_last unless a benchmark changed it).
  const torch::Tensor in = input.contiguous(stem->weight.suggest_memory_format());
  torch::Tensor x = relu6_clamp(stem_bn(stem(in, t.stem.out_channels)));
  if (t.has_first_block) x = first_block.run(x, t.blocks[0]);
  for (size_t s = 0; s < stages.size(); ++s)
    for (int b = 0; b < active_.stages[s].depth(); ++b) x = stages[s][b]->forward(x);
  if (mix) x = relu6_clamp(mix_bn(mix(x, t.feature_mix->out_channels)));
  x = x.mean({2, 3});
  x = torch::dropout(x, dropout, is_training() && dropout > 0);
  return classifier(x);
}

std::vector<memory::LayerWeights> OFANetworkImpl::active_weights() const {
  torch::NoGradGuard no_grad;
  const nas::NetworkTopology& t = topology_;
  std::vector<memory::LayerWeights> out;
  out.push_back(layer_weights(t.stem, stem, stem_bn));
  if (t.has_first_block) first_block.extract(t.blocks[0], out);
  for (size_t s = 0; s < stages.size(); ++s)
    for (int b = 0; b < active_.stages[s].depth(); ++b) stages[s][b]->extract(out);
  if (mix) out.push_back(layer_weights(*t.feature_mix, mix, mix_bn));
  memory::LayerWeights fc;
  fc.name = "classifier";
  fc.type = memory::OpType::kLinear;
  fc.weight = float_tensor(classifier->weight);
  fc.bias = float_tensor(classifier->bias);
  out.push_back(std::move(fc));
  return out;
}

void OFANetworkImpl::sort_channels() {
  for (auto& stage : stages)
    for (auto& block : stage) block->sort_channels();
}

std::vector<DynamicBatchNorm2d> OFANetworkImpl::batch_norms() const {
  std::vector<DynamicBatchNorm2d> out = {stem_bn};
  if (space_->has_first_block()) first_block.append_batch_norms(out);
  for (const auto& stage : stages)
    for (const auto& b : stage) b->append_batch_norms(out);
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
