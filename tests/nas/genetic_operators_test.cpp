#include "nas/genetic_operators.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "nas/genome.h"
#include "test_spaces.h"

namespace tinynas::nas {
namespace {

using testing::shipped_space;

bool contains(const std::vector<int>& values, int v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Every gene, active or not, is one of the space's choices.
bool is_genome_of(const Genome& g, const SearchSpace& s) {
  if (g.slots.size() != static_cast<size_t>(s.max_blocks()) || g.depths.size() != s.stages.size())
    return false;
  for (const BlockArch& slot : g.slots)
    if (!contains(s.kernels, slot.kernel) || !contains(s.expands, slot.expand)) return false;
  for (size_t st = 0; st < g.depths.size(); ++st)
    if (!contains(s.stages[st].depths, g.depths[st])) return false;
  return true;
}

TEST(GeneticOperatorsTest, MutantsAndCrossoversAreAlwaysValid) {
  for (const char* name : {"mcunet", "cifar", "mbv2"}) {
    const SearchSpace& s = shipped_space(name);
    Rng rng(5);
    MutationRates heavy{0.5, 0.5, 0.5};
    for (int i = 0; i < 3000; ++i) {
      const Genome a = sample_genome(s, rng.pick(s.resolutions), rng);
      const Genome b = sample_genome(s, rng.pick(s.resolutions), rng);
      const Genome m = mutate(a, s, s.resolutions, heavy, rng);
      const Genome c = crossover(a, b, rng);
      ASSERT_TRUE(is_genome_of(m, s));
      ASSERT_TRUE(is_genome_of(c, s));
      EXPECT_TRUE(contains(s.resolutions, m.resolution));
      EXPECT_NO_THROW(validate(to_arch(m, s, 0.5), s));
      EXPECT_NO_THROW(validate(to_arch(c, s, 0.5), s));
    }
  }
}

TEST(GeneticOperatorsTest, ZeroRatesCopyTheParent) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(1);
  const Genome a = sample_genome(s, 160, rng);
  EXPECT_EQ(mutate(a, s, s.resolutions, MutationRates{0, 0, 0}, rng), a);
}

TEST(GeneticOperatorsTest, FixedResolutionIsKept) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(2);
  const Genome a = sample_genome(s, 176, rng);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(mutate(a, s, {176}, MutationRates{0.1, 0.1, 1.0}, rng).resolution, 176);
}

TEST(GeneticOperatorsTest, MutationRateMatchesPerSlotProbability) {
  // With block rate 0.1, about 10 % of slots (active or not) are resampled; a resample keeps the
  // same gene with probability 1 / (3 kernels x 4 expands), so about 9.2 % of slots change.
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(9);
  int changed = 0, total = 0;
  for (int i = 0; i < 2000; ++i) {
    const Genome a = sample_genome(s, 160, rng);
    const Genome m = mutate(a, s, {160}, MutationRates{0.1, 0.0, 0.0}, rng);
    EXPECT_EQ(m.depths, a.depths);
    for (size_t k = 0; k < a.slots.size(); ++k) {
      ++total;
      changed += !(a.slots[k] == m.slots[k]);
    }
  }
  EXPECT_NEAR(double(changed) / total, 0.1 * (1 - 1.0 / 12), 0.01);
}

TEST(GeneticOperatorsTest, DepthMutationRateMatchesPerStageProbability) {
  // A resample of a stage with 3 depth choices (mcunet: 2, 3, 4) changes it 2 times in 3; the
  // last stage has a single depth and never changes.
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(12);
  int changed = 0, total = 0;
  for (int i = 0; i < 2000; ++i) {
    const Genome a = sample_genome(s, 160, rng);
    const Genome m = mutate(a, s, {160}, MutationRates{0.0, 0.3, 0.0}, rng);
    EXPECT_EQ(m.slots, a.slots);
    for (size_t st = 0; st < a.depths.size(); ++st) {
      if (s.stages[st].depths.size() == 1) {
        EXPECT_EQ(m.depths[st], a.depths[st]);
        continue;
      }
      ASSERT_EQ(s.stages[st].depths.size(), 3u);
      ++total;
      changed += a.depths[st] != m.depths[st];
    }
  }
  EXPECT_NEAR(double(changed) / total, 0.3 * 2 / 3, 0.015);
}

TEST(GeneticOperatorsTest, ShrinkingAndRegrowingAStageKeepsItsGenes) {
  // Depth-only mutation moves where each stage stops; when a stage that shrank grows back, its
  // blocks are the ones it had, not new random ones.
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(21);
  Genome g = sample_genome(s, 160, rng);
  for (size_t st = 0; st < s.stages.size(); ++st) g.depths[st] = s.stages[st].max_depth();
  const Arch full = to_arch(g, s, 0.5);
  std::vector<bool> shrunk(s.stages.size(), false);
  int regrown = 0;
  for (int i = 0; i < 400; ++i) {
    g = mutate(g, s, {160}, MutationRates{0.0, 0.5, 0.0}, rng);
    const Arch arch = to_arch(g, s, 0.5);
    for (size_t st = 0; st < s.stages.size(); ++st) {
      const auto& blocks = arch.stages[st].blocks;
      const auto& before = full.stages[st].blocks;
      // Whatever its depth, a stage is a prefix of the stage it started as.
      ASSERT_TRUE(std::equal(blocks.begin(), blocks.end(), before.begin())) << arch.summary();
      if (g.depths[st] < s.stages[st].max_depth()) {
        shrunk[st] = true;
      } else if (shrunk[st]) {
        EXPECT_EQ(arch.stages[st], full.stages[st]);
        shrunk[st] = false;
        ++regrown;
      }
    }
  }
  EXPECT_GT(regrown, 50);  // the loop did shrink and regrow stages, many times
}

TEST(GeneticOperatorsTest, CrossoverTakesEveryGeneFromAParent) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(4);
  for (int i = 0; i < 500; ++i) {
    const Genome a = sample_genome(s, 160, rng);
    const Genome b = sample_genome(s, 192, rng);
    const Genome c = crossover(a, b, rng);
    EXPECT_TRUE(c.resolution == a.resolution || c.resolution == b.resolution);
    for (size_t k = 0; k < c.slots.size(); ++k) {
      EXPECT_TRUE(c.slots[k].kernel == a.slots[k].kernel || c.slots[k].kernel == b.slots[k].kernel);
      EXPECT_TRUE(c.slots[k].expand == a.slots[k].expand || c.slots[k].expand == b.slots[k].expand);
    }
    for (size_t st = 0; st < c.depths.size(); ++st)
      EXPECT_TRUE(c.depths[st] == a.depths[st] || c.depths[st] == b.depths[st]);
  }
}

TEST(GeneticOperatorsTest, CrossoverTakesHalfOfTheGenesFromEachParent) {
  // Counted where the parents differ: each kind of gene comes from b about half of the time, and
  // a child is almost never a copy of either parent.
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(8);
  int kernel_from_b = 0, kernel_differs = 0, expand_from_b = 0, expand_differs = 0;
  int depth_from_b = 0, depth_differs = 0, resolution_from_b = 0, copies = 0;
  const int draws = 1000;
  for (int i = 0; i < draws; ++i) {
    const Genome a = sample_genome(s, 160, rng);
    const Genome b = sample_genome(s, 192, rng);
    const Genome c = crossover(a, b, rng);
    copies += c == a || c == b;
    resolution_from_b += c.resolution == b.resolution;
    for (size_t k = 0; k < c.slots.size(); ++k) {
      if (a.slots[k].kernel != b.slots[k].kernel) {
        ++kernel_differs;
        kernel_from_b += c.slots[k].kernel == b.slots[k].kernel;
      }
      if (a.slots[k].expand != b.slots[k].expand) {
        ++expand_differs;
        expand_from_b += c.slots[k].expand == b.slots[k].expand;
      }
    }
    for (size_t st = 0; st < c.depths.size(); ++st)
      if (a.depths[st] != b.depths[st]) {
        ++depth_differs;
        depth_from_b += c.depths[st] == b.depths[st];
      }
  }
  EXPECT_NEAR(double(kernel_from_b) / kernel_differs, 0.5, 0.03);
  EXPECT_NEAR(double(expand_from_b) / expand_differs, 0.5, 0.03);
  EXPECT_NEAR(double(depth_from_b) / depth_differs, 0.5, 0.05);
  EXPECT_NEAR(double(resolution_from_b) / draws, 0.5, 0.05);
  EXPECT_EQ(copies, 0);
}

TEST(GeneticOperatorsTest, CrossoverOfGenomesOfDifferentShapesIsRefused) {
  Rng rng(3);
  const Genome a = sample_genome(shipped_space("mcunet"), 160, rng);
  Genome fewer_slots = a, fewer_stages = a;
  fewer_slots.slots.pop_back();
  fewer_stages.depths.pop_back();
  EXPECT_THROW(crossover(a, fewer_slots, rng), std::invalid_argument);
  EXPECT_THROW(crossover(fewer_stages, a, rng), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::nas
