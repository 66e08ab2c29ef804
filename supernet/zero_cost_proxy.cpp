#include "supernet/zero_cost_proxy.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "memory_model/float_weights.h"
#include "nas/lowering.h"
#include "supernet/static_network.h"

namespace tinynas::supernet {
namespace {

// A static network of the arch with placeholder weights; draw() fills them.
StaticNetwork placeholder_network(const memory::Graph& graph) {
  memory::FloatWeights weights;
  for (const memory::Op& op : graph.ops()) {
    if (!memory::has_weights(op)) continue;
    memory::LayerWeights layer;
    layer.name = op.name();
    layer.type = op.type;
    layer.weight.shape = memory::expected_weight_shape(graph, op);
    layer.weight.data.assign(layer.weight.expected_size(), 0.0f);
    const size_t out = static_cast<size_t>(layer.weight.shape[0]);
    if (op.type == memory::OpType::kLinear) {
      layer.bias = memory::FloatTensor{{layer.weight.shape[0]}, std::vector<float>(out)};
    } else {
      memory::BatchNorm bn;
      bn.gamma.assign(out, 1.0f);
      bn.beta.assign(out, 0.0f);
      bn.mean.assign(out, 0.0f);
      bn.var.assign(out, 1.0f);
      layer.bn = std::move(bn);
    }
    weights.layers.push_back(std::move(layer));
  }
  return StaticNetwork(graph, weights);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Zen-score draws every weight from N(0, 1), as its paper does (BN normalises each layer, and the
// BN term measures the scale that the weights' fan-in gives); NASWOT uses He initialisation.
// BN's gamma and beta stay 1 and 0.
void draw_weights(StaticNetwork& net, ZeroCostProxy proxy, at::Generator& gen) {
  for (auto& buffer : net->named_buffers()) {
    torch::Tensor& w = buffer.value();
    if (ends_with(buffer.key(), "_weight")) {
      const double fan_in = static_cast<double>(w.numel() / w.size(0));
      const double stddev = proxy == ZeroCostProxy::kZen ? 1.0 : std::sqrt(2.0 / fan_in);
      w.normal_(0.0, stddev, gen);
    } else if (ends_with(buffer.key(), "_bias")) {
      w.zero_();
    }
  }
}

torch::Tensor gaussian_inputs(const memory::Graph& graph, int batch, at::Generator& gen) {
  const memory::Shape& s = graph.tensors()[static_cast<size_t>(graph.input())].shape;
  return torch::randn({batch, s.c, s.h, s.w}, gen);
}

double zen_score(StaticNetwork& net, const memory::Graph& graph, const ZeroCostOptions& options,
                 at::Generator& gen) {
  const torch::Tensor x = gaussian_inputs(graph, options.batch, gen);
  const torch::Tensor noise = gaussian_inputs(graph, options.batch, gen);
  double log_bn_scale = 0;
  torch::Tensor features, moved;
  ForwardProbe probe;
  probe.on_pooled_input = [&](const torch::Tensor& f) { features = f; };
  probe.on_batch_norm = [&](const torch::Tensor& y) {
    // The layer's standard deviation: root of its channels' mean batch variance.
    const double var =
        y.to(torch::kDouble).var({0, 2, 3}, /*unbiased=*/false).mean().item<double>();
    log_bn_scale += 0.5 * std::log(std::max(var, 1e-30));
  };
  net->forward(x, probe);
  probe.on_batch_norm = nullptr;
  probe.on_pooled_input = [&](const torch::Tensor& f) { moved = f; };
  net->forward(x + options.alpha * noise, probe);
  if (!features.defined() || !moved.defined())
    throw std::invalid_argument("Zen-score needs a global pooling layer in the network");
  const double delta =
      (features - moved).abs().to(torch::kDouble).sum({1, 2, 3}).mean().item<double>();
  return std::log(std::max(delta, 1e-30)) + log_bn_scale;
}

double naswot_score(StaticNetwork& net, const memory::Graph& graph, const ZeroCostOptions& options,
                    at::Generator& gen) {
  const torch::Tensor x = gaussian_inputs(graph, options.batch, gen);
  torch::Tensor kernel = torch::zeros({options.batch, options.batch}, torch::kDouble);
  ForwardProbe probe;
  probe.on_activation = [&](const torch::Tensor& y) {
    // Pairs agreeing on a unit: both on (c c^T) or both off ((1 - c)(1 - c)^T).
    const torch::Tensor on = (y > 0).flatten(1).to(torch::kDouble);
    const torch::Tensor off = 1.0 - on;
    kernel += on.matmul(on.t()) + off.matmul(off.t());
  };
  net->forward(x, probe);
  return std::get<1>(torch::slogdet(kernel)).item<double>();
}

}  // namespace

std::string to_string(ZeroCostProxy proxy) {
  return proxy == ZeroCostProxy::kZen ? "zen" : "naswot";
}

ZeroCostProxy zero_cost_proxy_from_string(const std::string& name) {
  if (name == "zen") return ZeroCostProxy::kZen;
  if (name == "naswot") return ZeroCostProxy::kNaswot;
  throw std::invalid_argument("unknown zero-cost proxy '" + name + "' (zen or naswot)");
}

double zero_cost_score(const nas::Arch& arch, const nas::SearchSpace& space,
                       const ZeroCostOptions& options) {
  ZeroCostOptions o = options;
  if (o.batch == 0) o.batch = o.proxy == ZeroCostProxy::kZen ? 16 : 32;
  if (o.batch < 2) throw std::invalid_argument("zero-cost proxy batch must be at least 2");
  if (o.repeats < 1) throw std::invalid_argument("zero-cost proxy repeats must be at least 1");
  if (!(o.alpha > 0)) throw std::invalid_argument("Zen-score alpha must be positive");
  nas::validate(arch, space);
  const memory::Graph graph = nas::lower(arch, space);
  StaticNetwork net = placeholder_network(graph);
  torch::NoGradGuard no_grad;
  double sum = 0;
  for (int r = 0; r < o.repeats; ++r) {
    at::Generator gen =
        at::detail::createCPUGenerator(o.seed * 1000003ULL + static_cast<uint64_t>(r));
    draw_weights(net, o.proxy, gen);
    sum += o.proxy == ZeroCostProxy::kZen ? zen_score(net, graph, o, gen)
                                          : naswot_score(net, graph, o, gen);
  }
  return sum / o.repeats;
}

ZeroCostFitness::ZeroCostFitness(nas::SearchSpace space, ZeroCostOptions options)
    : space_(std::move(space)), options_(options) {}

double ZeroCostFitness::fitness(const nas::Arch& arch, const nas::ArchCost&) {
  const std::string key = nas::arch_to_json(arch).dump();
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  const double score = zero_cost_score(arch, space_, options_);
  ++evaluations_;
  cache_[key] = score;
  return score;
}

}  // namespace tinynas::supernet
