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
using testing::tiny_residual_space;
using testing::tiny_space;

// A supernet of space with trained-looking BN statistics and non-identity kernel transforms.
OFANetwork trained_looking(const nas::SearchSpace& space, uint64_t seed) {
  torch::manual_seed(seed);
  SupernetOptions o;
  o.width_mult = 1.0;
  OFANetwork net(space, o, 4);
  torch::NoGradGuard g;
  for (auto& bn : net->batch_norms()) {
    bn->weight.uniform_(0.5, 1.5);
    bn->running_mean.uniform_(-0.1, 0.1);
    bn->running_var.uniform_(0.5, 2);
  }
  for (auto& stage : net->stages)
    for (auto& b : stage)
      if (b->mbconv.dw)
        for (auto& m : b->mbconv.dw->matrices) m.add_(torch::randn_like(m) * 0.1);
  net->eval();
  return net;
}

// Extracts arch, saves and reloads the weights, runs them as a static network and returns the
// largest difference from the supernet's output.
float extracted_vs_supernet(OFANetwork& net, const nas::Arch& arch, const TempDir& tmp) {
  const memory::FloatWeights w = extract_weights(net, arch);
  memory::save_float_weights(tmp.str(), w);
  StaticNetwork plain(nas::lower(arch, net->space()), memory::load_float_weights(tmp.str()));
  const torch::Tensor x = torch::randn({3, 3, arch.resolution, arch.resolution});
  torch::NoGradGuard g;
  const torch::Tensor expected = net->forward(x);
  const torch::Tensor got = plain->forward(x);
  return (got - expected).abs().max().item<float>();
}

TEST(ExtractTest, StaticSubnetOutputEqualsSupernetOutput) {
  TempDir tmp;
  OFANetwork net = trained_looking(tiny_space(), 5);
  nas::Rng rng(11);
  for (int trial = 0; trial < 4; ++trial) {
    nas::Arch arch = nas::sample_arch(net->space(), 12, 1.0, rng);
    arch.num_classes = 4;
    EXPECT_LE(extracted_vs_supernet(net, arch, tmp), 1e-5f) << arch.summary();
  }
}

// Expand ratio 1 (a block without expansion layer, as nas::lower builds it) in the supernet:
// alongside larger ratios (the depthwise then reads the block input through the first channels
// of the shared filters) and as the only choice (the blocks have no expansion modules at all).
TEST(ExtractTest, ExpandRatioOneBlocksHaveNoExpansionAndMatchTheSupernet) {
  TempDir tmp;
  for (const std::vector<int>& expands : {std::vector<int>{1, 3, 6}, std::vector<int>{1}}) {
    nas::SearchSpace space = tiny_space();
    space.expands = expands;
    OFANetwork net = trained_looking(space, 7);
    EXPECT_EQ(static_cast<bool>(net->stages[0][0]->mbconv.expand), expands.back() != 1);
    nas::Rng rng(13);
    int without_expansion = 0;
    for (int trial = 0; trial < 6; ++trial) {
      nas::Arch arch = trial == 0 ? net->smallest(12) : nas::sample_arch(space, 12, 1.0, rng);
      arch.num_classes = 4;
      EXPECT_LE(extracted_vs_supernet(net, arch, tmp), 1e-5f) << arch.summary();
      const memory::FloatWeights w = extract_weights(net, arch);
      int block = 0, in = 8;  // the first block's output channels
      for (const nas::StageArch& stage : arch.stages)
        for (const nas::BlockArch& b : stage.blocks) {
          const std::string prefix = "b" + std::to_string(++block) + ".";
          EXPECT_EQ(w.find(prefix + "expand") == nullptr, b.expand == 1) << prefix;
          if (b.expand == 1) {
            ++without_expansion;
            EXPECT_EQ(w.find(prefix + "dw")->weight.shape[0], in) << prefix;
          }
          in = 16;
        }
    }
    EXPECT_GT(without_expansion, 3);
  }
}

// Residual blocks beside MBConv blocks, no first block: identity and projected skips, elastic
// kernels (centre crops of the regular filters) and elastic middle widths.
TEST(ExtractTest, ResidualBlocksMatchTheSupernet) {
  TempDir tmp;
  OFANetwork net = trained_looking(tiny_residual_space(), 9);
  nas::Rng rng(21);
  bool identity = false, projected = false, small_kernel = false;
  for (int trial = 0; trial < 8; ++trial) {
    nas::Arch arch = trial == 0 ? net->smallest(12) : nas::sample_arch(net->space(), 12, 1.0, rng);
    arch.num_classes = 4;
    EXPECT_LE(extracted_vs_supernet(net, arch, tmp), 1e-5f) << arch.summary();
    for (const nas::NetworkBlock& b : nas::network_topology(arch, net->space()).blocks) {
      if (b.kind != nas::BlockKind::kResidual) continue;
      (b.projection ? projected : identity) = true;
      small_kernel |= b.kernel == 3;
    }
  }
  EXPECT_TRUE(identity && projected && small_kernel);
}

TEST(ExtractTest, ResidualWeightsAreNamedAfterTheLoweredGraph) {
  torch::manual_seed(6);
  SupernetOptions o;
  o.width_mult = 1.0;
  OFANetwork net(tiny_residual_space(), o, 4);
  const nas::Arch arch = net->smallest(8);  // one block per stage, kernel 3, expansion 1
  const memory::FloatWeights w = extract_weights(net, arch);
  std::vector<std::string> names;
  for (const auto& l : w.layers) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"stem", "b1.shortcut", "b1.conv1", "b1.conv2",
                                             "b2.expand", "b2.dw", "b2.project", "b3.shortcut",
                                             "b3.conv1", "b3.conv2", "classifier"}));
  // b3: 16 -> 24 channels; conv1 is the 3x3 centre of the 5x5 filters.
  EXPECT_EQ(w.find("b3.conv1")->weight.shape, (std::vector<int>{24, 3, 3, 16}));
  EXPECT_EQ(w.find("b3.shortcut")->weight.shape, (std::vector<int>{24, 1, 1, 16}));
  EXPECT_FLOAT_EQ(w.find("b3.conv1")->weight.data[((5 * 3 + 0) * 3 + 2) * 16 + 7],
                  net->stages[2][0]->residual.conv1->weight[5][7][1][3].item<float>());
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
