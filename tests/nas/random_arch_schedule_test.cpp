// The scheduler against the independent plan checker on thousands of random sub-nets of every
// shipped space, and the search's SRAM number against the full plan's arena.
#include <gtest/gtest.h>

#include "memory_model/cost.h"
#include "memory_model/scheduler.h"
#include "nas/arch_cost.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "test_spaces.h"
#include "tests/memory_model/plan_checker.h"

namespace tinynas::nas {
namespace {

class RandomArchScheduleTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RandomArchScheduleTest, EveryPlanPassesTheIndependentChecker) {
  const SearchSpace& space = testing::shipped_space(GetParam());
  Rng rng(2024);
  memory::Scheduler scheduler;
  CostModel model(space);
  constexpr int kArchs = 3000;
  int at_lower_bound = 0;
  for (int i = 0; i < kArchs; ++i) {
    const Arch arch =
        sample_arch(space, rng.pick(space.resolutions), rng.pick(space.width_mults), rng);
    const memory::Graph graph = lower(arch, space);
    const memory::MemoryPlan plan = scheduler.schedule(graph);
    const std::vector<std::string> problems = tinynas::testing::check_plan(graph, plan);
    ASSERT_TRUE(problems.empty()) << arch.summary() << "\n"
                                  << tinynas::testing::join_lines(problems);
    // The number the search uses is the arena the plan (and the generated code) allocates.
    ASSERT_EQ(model.evaluate(arch).sram_bytes, plan.arena_bytes) << arch.summary();
    at_lower_bound += plan.arena_bytes == plan.lower_bound;
  }
  RecordProperty("plans_at_lower_bound", at_lower_bound);
}

INSTANTIATE_TEST_SUITE_P(ShippedSpaces, RandomArchScheduleTest,
                         ::testing::Values("mcunet", "mbv2", "cifar", "resnet"),
                         [](const auto& info) { return std::string(info.param); });

TEST(ArchCostTest, CostModelMatchesTheGraphCost) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  Rng rng(8);
  CostModel model(space);
  for (int i = 0; i < 200; ++i) {
    const Arch arch =
        sample_arch(space, rng.pick(space.resolutions), rng.pick(space.width_mults), rng);
    const ArchCost cost = model.evaluate(arch);
    const memory::GraphCost reference = memory::graph_cost(lower(arch, space));
    EXPECT_EQ(cost.macs, reference.macs);
    EXPECT_EQ(cost.params, reference.params);
    EXPECT_EQ(cost.flash_bytes, reference.flash_bytes);
  }
}

TEST(ArchCostTest, LargerChoicesNeverCostLess) {
  // Within one (R, W), the largest sub-net bounds every cost of the smallest from above.
  const SearchSpace& space = testing::shipped_space("mcunet");
  CostModel model(space);
  for (int r : space.resolutions)
    for (double w : space.width_mults) {
      const ArchCost small = model.evaluate(smallest_arch(space, r, w));
      const ArchCost large = model.evaluate(largest_arch(space, r, w));
      EXPECT_LT(small.macs, large.macs);
      EXPECT_LT(small.flash_bytes, large.flash_bytes);
      EXPECT_LE(small.sram_bytes, large.sram_bytes);
    }
}

}  // namespace
}  // namespace tinynas::nas
