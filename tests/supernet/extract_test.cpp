// Extraction: the static sub-net built from the exported weights computes what the supernet
// computes for the same arch, and its weights file follows memory/float_weights.h.
#include "supernet/extract.h"

#include <gtest/gtest.h>

#include "memory_model/float_weights.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "supernet/static_network.h"
#include "test_support.h"

namespace tinynas::supernet {
namespace {

using testing::TempDir;
using testing::tiny_space;

TEST(ExtractTest, StaticSubnetOutputEqualsSupernetOutput) {
  TempDir tmp;
  torch::manual_seed(5);
  SupernetOptions o;
  o.width_mult = 1.0;
  OFANetwork net(tiny_space(), o, 4);
  {
    torch::NoGradGuard g;  // trained-looking BN statistics and non-identity kernel transforms
    for (auto& bn : net->batch_norms()) {
      bn->weight.uniform_(0.5, 1.5);
      bn->running_mean.uniform_(-0.1, 0.1);
      bn->running_var.uniform_(0.5, 2);
    }
    for (auto& stage : net->stages)
      for (auto& b : stage)
        for (auto& m : b->dw->matrices) m.add_(torch::randn_like(m) * 0.1);
  }
  net->eval();
  nas::Rng rng(11);
  for (int trial = 0; trial < 4; ++trial) {
    nas::Arch arch = nas::sample_arch(net->space(), 12, 1.0, rng);
    arch.num_classes = 4;
    const memory::FloatWeights w = extract_weights(net, arch);
    memory::save_float_weights(tmp.str(), w);
    StaticNetwork plain(nas::lower(arch, net->space()), memory::load_float_weights(tmp.str()));
    const torch::Tensor x = torch::randn({3, 3, 12, 12});
    torch::NoGradGuard g;
    const torch::Tensor expected = net->forward(x);
    const torch::Tensor got = plain->forward(x);
    EXPECT_LE((got - expected).abs().max().item<float>(), 1e-5f) << arch.summary();
  }
}

TEST(ExtractTest, WeightsAreNamedAfterTheLoweredGraphInOhwiLayout) {
  torch::manual_seed(6);
  SupernetOptions o;
  o.width_mult = 1.0;
  OFANetwork net(tiny_space(), o, 4);
  nas::Arch arch = net->smallest(8);
  arch.stages[1].blocks.push_back({5, 4});  // depth 2 in the second stage
  const memory::FloatWeights w = extract_weights(net, arch);
  std::vector<std::string> names;
  for (const auto& l : w.layers) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"stem", "b0.dw", "b0.project", "b1.expand", "b1.dw",
                                             "b1.project", "b2.expand", "b2.dw", "b2.project",
                                             "b3.expand", "b3.dw", "b3.project", "classifier"}));
  const memory::LayerWeights* dw = w.find("b3.dw");
  EXPECT_EQ(dw->weight.shape, (std::vector<int>{64, 5, 5, 1}));  // make_divisible(16 * 4)
  // OHWI: element [o, y, x, i] of the stem is torch's weight[o, i, y, x].
  const memory::LayerWeights* stem = w.find("stem");
  EXPECT_FLOAT_EQ(stem->weight.data[((2 * 3 + 1) * 3 + 0) * 3 + 2],
                  net->stem->weight[2][2][1][0].item<float>());
  EXPECT_TRUE(w.find("classifier")->bias.has_value());
  EXPECT_FALSE(w.find("b3.project")->bias.has_value());
}

}  // namespace
}  // namespace tinynas::supernet
