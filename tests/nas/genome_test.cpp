#include "nas/genome.h"

#include <gtest/gtest.h>

#include "nas/sampling.h"
#include "test_spaces.h"

namespace tinynas::nas {
namespace {

using testing::shipped_space;

TEST(GenomeTest, HasASlotForEveryBlockOfTheLargestSubnet) {
  for (const char* name : {"mcunet", "cifar", "mbv2"}) {
    const SearchSpace& s = shipped_space(name);
    Rng rng(1);
    const Genome g = sample_genome(s, s.resolutions.front(), rng);
    EXPECT_EQ(g.slots.size(), static_cast<size_t>(s.max_blocks())) << name;
    EXPECT_EQ(g.depths.size(), s.stages.size()) << name;
    EXPECT_EQ(slot_offset(s, 0), 0);
    EXPECT_EQ(slot_offset(s, static_cast<int>(s.stages.size())), s.max_blocks());
  }
}

TEST(GenomeTest, TheArchIsTheFirstDepthSlotsOfEachStage) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(2);
  for (int i = 0; i < 200; ++i) {
    const Genome g = sample_genome(s, 176, rng);
    const Arch arch = to_arch(g, s, 0.75);
    ASSERT_NO_THROW(validate(arch, s)) << arch.summary();
    EXPECT_EQ(arch.resolution, 176);
    EXPECT_DOUBLE_EQ(arch.width_mult, 0.75);
    EXPECT_EQ(arch.num_classes, s.num_classes);
    for (size_t st = 0; st < s.stages.size(); ++st) {
      ASSERT_EQ(arch.stages[st].depth(), g.depths[st]);
      const size_t first = static_cast<size_t>(slot_offset(s, static_cast<int>(st)));
      for (size_t b = 0; b < arch.stages[st].blocks.size(); ++b)
        EXPECT_EQ(arch.stages[st].blocks[b], g.slots[first + b]);
    }
  }
}

TEST(GenomeTest, SamplingCoversTheInactiveSlotsToo) {
  // Slots past a stage's depth are random genes as well, ready for when the stage grows.
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(3);
  int inactive = 0, not_the_smallest = 0;
  for (int i = 0; i < 100; ++i) {
    const Genome g = sample_genome(s, 160, rng);
    for (size_t st = 0; st < s.stages.size(); ++st)
      for (int b = g.depths[st]; b < s.stages[st].max_depth(); ++b) {
        const BlockArch& slot = g.slots[static_cast<size_t>(slot_offset(s, int(st)) + b)];
        ++inactive;
        not_the_smallest += !(slot == BlockArch{s.kernels.front(), s.expands.front()});
      }
  }
  ASSERT_GT(inactive, 100);
  EXPECT_GT(not_the_smallest, inactive / 2);
}

TEST(GenomeTest, AnArchRoundTripsThroughItsGenome) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(4);
  for (int i = 0; i < 200; ++i) {
    const Arch arch = sample_arch(s, 160, 0.5, rng);
    const Genome g = genome_from_arch(arch, s);
    EXPECT_EQ(to_arch(g, s, 0.5), arch);
    // The slots past a stage's depth repeat its last block.
    for (size_t st = 0; st < s.stages.size(); ++st)
      for (int b = arch.stages[st].depth(); b < s.stages[st].max_depth(); ++b)
        EXPECT_EQ(g.slots[static_cast<size_t>(slot_offset(s, int(st)) + b)],
                  arch.stages[st].blocks.back());
  }
}

TEST(GenomeTest, ShapeErrorsAreBadInput) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng rng(5);
  Arch foreign = sample_arch(s, 160, 0.5, rng);
  foreign.stages[1].blocks.resize(5);  // depth 5 is not allowed in mcunet
  EXPECT_THROW(genome_from_arch(foreign, s), std::invalid_argument);
  Genome too_deep = sample_genome(s, 160, rng);
  too_deep.depths[0] = s.stages[0].max_depth() + 1;
  EXPECT_THROW(to_arch(too_deep, s, 0.5), std::invalid_argument);
  Genome short_genome = sample_genome(s, 160, rng);
  short_genome.slots.pop_back();
  EXPECT_THROW(to_arch(short_genome, s, 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::nas
