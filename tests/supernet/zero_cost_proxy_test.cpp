// Training-free proxies: the static network's probe (batch statistics, nothing stored moves),
// Zen-score and NASWOT reproducible for a seed and growing with the network, the fitness cache,
// and bad options refused.
#include "supernet/zero_cost_proxy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "engine/random_weights.h"
#include "nas/arch_cost.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "supernet/static_network.h"
#include "test_support.h"

namespace tinynas::supernet {
namespace {

using testing::tiny_residual_space;
using testing::tiny_space;

ZeroCostOptions options(ZeroCostProxy proxy, uint64_t seed = 3) {
  ZeroCostOptions o;
  o.proxy = proxy;
  o.seed = seed;
  return o;
}

TEST(ForwardProbeTest, NormalisesWithBatchStatisticsAndLeavesTheStoredOnesAlone) {
  const nas::SearchSpace space = tiny_residual_space();
  const memory::Graph graph = nas::lower(nas::largest_arch(space, 12, 1.0), space);
  StaticNetwork net(graph, engine::random_float_weights(graph, 1));
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({6, 3, 12, 12});
  const torch::Tensor before = net->forward(x);

  int batch_norms = 0, activations = 0;
  torch::Tensor pooled_input;
  ForwardProbe probe;
  probe.on_batch_norm = [&](const torch::Tensor& y) {
    ++batch_norms;
    EXPECT_EQ(y.size(0), 6);
  };
  probe.on_activation = [&](const torch::Tensor& y) {
    ++activations;
    EXPECT_GE(y.min().item<float>(), 0.0f);
    EXPECT_LE(y.max().item<float>(), 6.0f);
  };
  probe.on_pooled_input = [&](const torch::Tensor& f) { pooled_input = f; };
  const torch::Tensor probed = net->forward(x, probe);

  int weighted_convs = 0;
  for (const memory::Op& op : graph.ops())
    if (memory::has_weights(op) && op.type != memory::OpType::kLinear) ++weighted_convs;
  EXPECT_EQ(batch_norms, weighted_convs);
  EXPECT_GT(activations, 0);
  ASSERT_TRUE(pooled_input.defined());
  EXPECT_EQ(pooled_input.dim(), 4);
  EXPECT_FALSE(
      torch::allclose(probed, before));  // random stored statistics are far from the batch's
  EXPECT_TRUE(torch::equal(net->forward(x), before));  // and did not move
}

TEST(ZeroCostProxyTest, SameSeedSameScoreAndOtherSeedsOtherDraws) {
  const nas::SearchSpace space = tiny_residual_space();
  nas::Rng rng(4);
  const nas::Arch arch = nas::sample_arch(space, 12, 1.0, rng);
  for (auto proxy : {ZeroCostProxy::kZen, ZeroCostProxy::kNaswot}) {
    const double a = zero_cost_score(arch, space, options(proxy));
    EXPECT_TRUE(std::isfinite(a)) << to_string(proxy);
    EXPECT_DOUBLE_EQ(zero_cost_score(arch, space, options(proxy)), a) << to_string(proxy);
    EXPECT_NE(zero_cost_score(arch, space, options(proxy, 4)), a) << to_string(proxy);
  }
}

// Both proxies reward capacity: the largest sub-net outscores the smallest, in an MBConv space and
// in a residual one.
TEST(ZeroCostProxyTest, LargestSubnetOutscoresSmallest) {
  for (const nas::SearchSpace& space : {tiny_space(), tiny_residual_space()}) {
    const nas::Arch largest = nas::largest_arch(space, 16, 1.0);
    const nas::Arch smallest = nas::smallest_arch(space, 16, 1.0);
    for (auto proxy : {ZeroCostProxy::kZen, ZeroCostProxy::kNaswot})
      EXPECT_GT(zero_cost_score(largest, space, options(proxy)),
                zero_cost_score(smallest, space, options(proxy)))
          << space.name << " " << to_string(proxy);
  }
}

TEST(ZeroCostProxyTest, FitnessCachesPerSubnetAndNamesItsKind) {
  const nas::SearchSpace space = tiny_space();
  ZeroCostFitness fitness(space, options(ZeroCostProxy::kZen));
  EXPECT_EQ(fitness.kind(), "zen");
  EXPECT_EQ(ZeroCostFitness(space, options(ZeroCostProxy::kNaswot)).kind(), "naswot");
  const nas::Arch a = nas::largest_arch(space, 12, 1.0), b = nas::smallest_arch(space, 12, 1.0);
  const double score = fitness.fitness(a, nas::ArchCost{});
  EXPECT_DOUBLE_EQ(fitness.fitness(a, nas::ArchCost{}), score);
  EXPECT_EQ(fitness.evaluations(), 1);
  fitness.fitness(b, nas::ArchCost{});
  EXPECT_EQ(fitness.evaluations(), 2);
  EXPECT_DOUBLE_EQ(score, zero_cost_score(a, space, options(ZeroCostProxy::kZen)));
}

TEST(ZeroCostProxyTest, RefusesBadNamesOptionsAndArchs) {
  EXPECT_EQ(zero_cost_proxy_from_string("zen"), ZeroCostProxy::kZen);
  EXPECT_EQ(zero_cost_proxy_from_string("naswot"), ZeroCostProxy::kNaswot);
  EXPECT_THROW(zero_cost_proxy_from_string("synflow"), std::invalid_argument);
  const nas::SearchSpace space = tiny_space();
  const nas::Arch arch = nas::smallest_arch(space, 12, 1.0);
  ZeroCostOptions o = options(ZeroCostProxy::kZen);
  o.batch = 1;
  EXPECT_THROW(zero_cost_score(arch, space, o), std::invalid_argument);
  o = options(ZeroCostProxy::kZen);
  o.repeats = 0;
  EXPECT_THROW(zero_cost_score(arch, space, o), std::invalid_argument);
  nas::Arch outside = arch;
  outside.stages[0].blocks[0].kernel = 9;  // not one of the space's kernels
  EXPECT_THROW(zero_cost_score(outside, space, options(ZeroCostProxy::kNaswot)),
               std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::supernet
