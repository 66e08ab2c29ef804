#include "engine/random_weights.h"

#include <cmath>
#include <random>

namespace tinynas::engine {
namespace {

// Normal and uniform draws defined here (not by the standard library's distributions) so a seed
// gives the same weights with any standard library.
class Draw {
 public:
  explicit Draw(uint64_t seed) : engine_(seed * 0x9E3779B97F4A7C15ULL + 7) {}
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  }
  double normal() {  // Box-Muller
    const double u1 = uniform(0x1.0p-53, 1.0);
    const double u2 = uniform(0.0, 1.0);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace

memory::FloatWeights random_float_weights(const memory::Graph& graph, uint64_t seed) {
  using memory::OpType;
  Draw draw(seed);
  memory::FloatWeights weights;
  for (const memory::Op& op : graph.ops()) {
    if (!memory::has_weights(op)) continue;
    memory::LayerWeights layer;
    layer.name = op.name();
    layer.type = op.type;
    layer.weight.shape = memory::expected_weight_shape(graph, op);
    const size_t n = layer.weight.expected_size();
    const int out = layer.weight.shape[0];
    const double fan_in = static_cast<double>(n) / out;
    // He for convs followed by ReLU6 and for the linear projections alike; the classifier uses
    // 1/fan_in so logits stay moderate.
    const double stddev =
        op.type == OpType::kLinear ? std::sqrt(1.0 / fan_in) : std::sqrt(2.0 / fan_in);
    layer.weight.data.resize(n);
    for (float& v : layer.weight.data) v = static_cast<float>(stddev * draw.normal());
    if (op.type == OpType::kLinear) {
      memory::FloatTensor bias{{out}, std::vector<float>(static_cast<size_t>(out))};
      for (float& v : bias.data) v = static_cast<float>(draw.uniform(-0.1, 0.1));
      layer.bias = std::move(bias);
    } else {
      memory::BatchNorm bn;
      bn.eps = 1e-5f;
      for (int c = 0; c < out; ++c) {
        bn.gamma.push_back(static_cast<float>(draw.uniform(0.5, 1.5)));
        bn.beta.push_back(static_cast<float>(draw.uniform(-0.3, 0.5)));
        bn.mean.push_back(static_cast<float>(0.2 * draw.normal()));
        bn.var.push_back(static_cast<float>(draw.uniform(0.5, 2.0)));
      }
      layer.bn = std::move(bn);
    }
    weights.layers.push_back(std::move(layer));
  }
  return weights;
}

}  // namespace tinynas::engine
