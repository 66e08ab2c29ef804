#include "nas/evolution.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "nas/random.h"
#include "nas/random_search.h"
#include "nas/sampling.h"
#include "test_spaces.h"

namespace tinynas::nas {
namespace {

Constraints stm32f746() {
  return Constraints{320 * 1024, 1024 * 1024, 16 * 1024, 64 * 1024};
}

EvolutionOptions small_run(uint64_t seed) {
  EvolutionOptions o;
  o.population = 40;
  o.generations = 30;
  o.seed = seed;
  return o;
}

TEST(EvolutionTest, DeterministicForASeed) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  FlopsProxyFitness fitness;
  const EvolutionResult a = evolve(space, {176}, 0.5, stm32f746(), fitness, small_run(1), nullptr);
  const EvolutionResult b = evolve(space, {176}, 0.5, stm32f746(), fitness, small_run(1), nullptr);
  const EvolutionResult c = evolve(space, {176}, 0.5, stm32f746(), fitness, small_run(2), nullptr);
  EXPECT_EQ(a.best.arch, b.best.arch);
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i) {
    EXPECT_EQ(a.history[i].best_fitness, b.history[i].best_fitness);
    EXPECT_EQ(a.history[i].mean_fitness, b.history[i].mean_fitness);
  }
  EXPECT_NE(a.best.arch, c.best.arch);
}

TEST(EvolutionTest, EveryKeptCandidateFitsAndBestNeverGetsWorse) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  FlopsProxyFitness fitness;
  const Constraints constraints = stm32f746();
  const EvolutionResult r =
      evolve(space, {160, 176, 192}, 0.5, constraints, fitness, small_run(5), nullptr);
  ASSERT_EQ(r.history.size(), 30u);
  for (size_t i = 1; i < r.history.size(); ++i)
    EXPECT_GE(r.history[i].best_fitness, r.history[i - 1].best_fitness);
  EXPECT_EQ(r.parents.size(), 10u);  // 25 % of 40
  for (const Candidate& c : r.parents) {
    EXPECT_TRUE(constraints.fits(c.cost)) << c.arch.summary();
    validate(c.arch, space);
  }
  EXPECT_EQ(r.best.fitness, r.parents.front().fitness);
  EXPECT_DOUBLE_EQ(r.best.fitness, r.best.cost.macs / 1e6);
}

TEST(EvolutionTest, BeatsRandomSearchWithTheSameNumberOfEvaluations) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  FlopsProxyFitness fitness;
  const Constraints constraints = stm32f746();
  const EvolutionResult r = evolve(space, {176}, 0.5, constraints, fitness, small_run(3), nullptr);
  const RandomSearchResult random =
      random_search(space, {176}, 0.5, constraints, fitness, r.evaluated, 3);
  ASSERT_EQ(static_cast<int64_t>(random.ranked.size()), r.evaluated);
  EXPECT_GT(r.best.fitness, random.ranked.front().fitness);
}

TEST(EvolutionTest, ListsTheBestDistinctSubnetsOfTheWholeRun) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  FlopsProxyFitness fitness;
  EvolutionOptions options = small_run(6);
  options.keep_distinct = 12;
  const EvolutionResult r = evolve(space, {160, 176}, 0.5, stm32f746(), fitness, options, nullptr);
  ASSERT_EQ(r.top_distinct.size(), 12u);
  EXPECT_EQ(r.top_distinct.front().fitness, r.best.fitness);
  for (size_t i = 1; i < r.top_distinct.size(); ++i) {
    EXPECT_GE(r.top_distinct[i - 1].fitness, r.top_distinct[i].fitness);
    for (size_t j = 0; j < i; ++j) EXPECT_NE(r.top_distinct[i].arch, r.top_distinct[j].arch);
  }
}

TEST(RandomSearchTest, KeepsOnlyFittingSubnetsRankedByFitness) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  FlopsProxyFitness fitness;
  const Constraints constraints = stm32f746();
  const RandomSearchResult r = random_search(space, {160, 192}, 0.5, constraints, fitness, 200, 11);
  ASSERT_EQ(r.ranked.size(), 200u);
  EXPECT_GT(r.drawn, 200);  // at R192 W0.5 many sub-nets do not fit 320K / 1M
  for (size_t i = 0; i < r.ranked.size(); ++i) {
    EXPECT_TRUE(constraints.fits(r.ranked[i].cost));
    EXPECT_DOUBLE_EQ(r.ranked[i].fitness, r.ranked[i].cost.macs / 1e6);
    if (i > 0) {
      EXPECT_GE(r.ranked[i - 1].fitness, r.ranked[i].fitness);
    }
  }
  const RandomSearchResult again =
      random_search(space, {160, 192}, 0.5, constraints, fitness, 200, 11);
  EXPECT_EQ(again.ranked.front().arch, r.ranked.front().arch);
}

// A fitness that prefers small arenas: evolution must follow whatever the evaluator says.
class SmallSramFitness final : public FitnessEvaluator {
 public:
  std::string kind() const override { return "small_sram"; }
  double fitness(const Arch&, const ArchCost& cost) override {
    ++calls;
    return -static_cast<double>(cost.sram_bytes);
  }
  int calls = 0;
};

TEST(EvolutionTest, FollowsAPluggedInFitness) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  SmallSramFitness fitness;
  const EvolutionResult r = evolve(space, {160}, 0.5, stm32f746(), fitness, small_run(4), nullptr);
  EXPECT_EQ(fitness.calls, r.evaluated);
  CostModel model(space);
  EXPECT_EQ(r.best.cost.sram_bytes, model.evaluate(smallest_arch(space, 160, 0.5)).sram_bytes);
}

TEST(EvolutionTest, ReportsEveryGeneration) {
  const SearchSpace& space = testing::shipped_space("cifar");
  FlopsProxyFitness fitness;
  std::vector<int> seen;
  evolve(space, {32}, 0.5, stm32f746(), fitness, small_run(1), [&](int done, int total) {
    EXPECT_EQ(total, 30);
    seen.push_back(done);
  });
  ASSERT_EQ(seen.size(), 30u);
  EXPECT_EQ(seen.back(), 30);
}

// With one operator switched off, every new sub-net comes from the other: starting from the same
// initial population (same seed), it must reach sub-nets that population did not hold and beat
// its best. An operator that returns a copy of its parent does neither.
EvolutionResult evolve_with(double mutation_ratio, int generations) {
  EvolutionOptions options = small_run(7);
  options.mutation_ratio = mutation_ratio;
  options.generations = generations;
  options.keep_distinct = 100000;  // keep every distinct sub-net seen
  FlopsProxyFitness fitness;
  return evolve(testing::shipped_space("mcunet"), {176}, 0.5, stm32f746(), fitness, options,
                nullptr);
}

TEST(EvolutionTest, CrossoverAloneFindsNewAndBetterSubnets) {
  const EvolutionResult initial = evolve_with(0.0, 0);
  const EvolutionResult crossed = evolve_with(0.0, 20);
  EXPECT_GT(crossed.best.fitness, initial.best.fitness);
  EXPECT_GT(crossed.top_distinct.size(), initial.top_distinct.size() + 100);
}

TEST(EvolutionTest, MutationAloneFindsNewAndBetterSubnets) {
  const EvolutionResult initial = evolve_with(1.0, 0);
  const EvolutionResult mutated = evolve_with(1.0, 20);
  EXPECT_GT(mutated.best.fitness, initial.best.fitness);
  EXPECT_GT(mutated.top_distinct.size(), initial.top_distinct.size() + 100);
}

TEST(EvolutionTest, ImpossibleConstraintsAreABadInput) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  FlopsProxyFitness fitness;
  const Constraints tiny{20 * 1024, 1024 * 1024, 16 * 1024, 64 * 1024};
  EvolutionOptions o = small_run(1);
  o.max_tries = 3;
  EXPECT_THROW(evolve(space, {224}, 1.0, tiny, fitness, o, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::nas
