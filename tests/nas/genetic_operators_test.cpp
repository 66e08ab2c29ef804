#include "nas/genetic_operators.h"

#include <gtest/gtest.h>

#include "nas/sampling.h"
#include "test_spaces.h"

namespace tinynas::nas {
namespace {

using testing::shipped_space;

bool is_valid(const Arch& a, const SearchSpace& s) {
  try {
    validate(a, s);
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

TEST(GeneticOperatorsTest, MutantsAndCrossoversAreAlwaysValid) {
  for (const char* name : {"mcunet", "cifar", "mbv2"}) {
    const SearchSpace& s = shipped_space(name);
    Rng rng(5);
    MutationRates heavy{0.5, 0.5, 0.5};
    for (int i = 0; i < 3000; ++i) {
      const Arch a = sample_arch(s, rng.pick(s.resolutions), 0.5, rng);
      const Arch b = sample_arch(s, rng.pick(s.resolutions), 0.5, rng);
      const Arch m = mutate(a, s, s.resolutions, heavy, rng);
      const Arch c = crossover(a, b, rng);
      ASSERT_TRUE(is_valid(m, s)) << m.summary();
      ASSERT_TRUE(is_valid(c, s)) << c.summary();
      EXPECT_DOUBLE_EQ(m.width_mult, 0.5);
      EXPECT_DOUBLE_EQ(c.width_mult, 0.5);
    }
  }
}

TEST(GeneticOperatorsTest, ZeroRatesCopyTheParent) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(1);
  const Arch a = sample_arch(s, 160, 0.5, rng);
  EXPECT_EQ(mutate(a, s, s.resolutions, MutationRates{0, 0, 0}, rng), a);
}

TEST(GeneticOperatorsTest, FixedResolutionIsKept) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(2);
  const Arch a = sample_arch(s, 176, 0.5, rng);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(mutate(a, s, {176}, MutationRates{0.1, 0.1, 1.0}, rng).resolution, 176);
}

TEST(GeneticOperatorsTest, MutationRateMatchesPerBlockProbability) {
  // With block rate 0.1, about 10 % of blocks are resampled; a resample keeps the same gene with
  // probability 1 / (3 kernels x 4 expands), so about 9.2 % of blocks change.
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(9);
  int changed = 0, total = 0;
  for (int i = 0; i < 2000; ++i) {
    const Arch a = sample_arch(s, 160, 0.5, rng);
    const Arch m = mutate(a, s, {160}, MutationRates{0.1, 0.0, 0.0}, rng);
    for (size_t st = 0; st < a.stages.size(); ++st)
      for (size_t b = 0; b < a.stages[st].blocks.size(); ++b) {
        ++total;
        changed += !(a.stages[st].blocks[b] == m.stages[st].blocks[b]);
      }
  }
  const double rate = double(changed) / total;
  EXPECT_NEAR(rate, 0.1 * (1 - 1.0 / 12), 0.01);
}

TEST(GeneticOperatorsTest, CrossoverTakesEveryGeneFromAParent) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(4);
  for (int i = 0; i < 500; ++i) {
    const Arch a = sample_arch(s, 160, 0.5, rng);
    const Arch b = sample_arch(s, 192, 0.5, rng);
    const Arch c = crossover(a, b, rng);
    EXPECT_TRUE(c.resolution == a.resolution || c.resolution == b.resolution);
    for (size_t st = 0; st < c.stages.size(); ++st) {
      const auto& ca = a.stages[st].blocks;
      const auto& cb = b.stages[st].blocks;
      EXPECT_TRUE(c.stages[st].depth() == int(ca.size()) || c.stages[st].depth() == int(cb.size()));
      for (size_t k = 0; k < c.stages[st].blocks.size(); ++k) {
        const BlockArch& g = c.stages[st].blocks[k];
        EXPECT_TRUE((k < ca.size() && g == ca[k]) || (k < cb.size() && g == cb[k]));
      }
    }
  }
}

}  // namespace
}  // namespace tinynas::nas
