// The search pipeline called as a function: the space optimiser's choice, a winner that fits,
// determinism by seed, the stages each mode runs, and the accuracy search's judged top-k against
// its random baseline with meters whose answers are known.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "nas/arch_cost.h"
#include "nas/search_space.h"
#include "pipeline/search.h"
#include "tests/pipeline/test_meters.h"

namespace tinynas::pipeline {
namespace {

using testing::FunctionMeter;
using testing::MadeUpFitness;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

// 64K SRAM / 256K Flash with 16K / 64K reserved: a budget where the cifar space's sub-spaces
// differ in how many of their sub-nets fit.
nas::Constraints small_board() {
  return {64 * 1024, 256 * 1024, 16 * 1024, 64 * 1024};
}

SearchOptions small_options(uint64_t seed) {
  SearchOptions o;
  o.seed = seed;
  o.threads = 2;
  o.space_optimizer.samples_per_space = 60;
  o.evolution.population = 16;
  o.evolution.generations = 5;
  return o;
}

// Records what the pipeline reported.
struct Recorder final : SearchObserver {
  std::vector<std::string> steps;
  std::vector<int64_t> totals;
  int64_t last_update = 0;
  std::vector<nas::SubspaceStats> ranked;
  std::optional<nas::SubspaceStats> chosen;
  bool evolution_reported = false;
  std::vector<std::string> notes;

  void begin(const std::string& step, int64_t total) override {
    steps.push_back(step);
    totals.push_back(total);
  }
  void update(int64_t done) override { last_update = done; }
  void note(NoteLevel, const std::string& line) override { notes.push_back(line); }
  void space_ranked(const std::vector<nas::SubspaceStats>& r) override { ranked = r; }
  void subspace_chosen(const nas::SubspaceStats& c) override { chosen = c; }
  void evolved(const nas::EvolutionResult&) override { evolution_reported = true; }
};

// The winner's cost measured again, and its budget checked field by field.
void expect_fits(const nas::SearchSpace& space, const nas::Constraints& k,
                 const nas::Candidate& c) {
  nas::CostModel model(space);
  const nas::ArchCost cost = model.evaluate(c.arch);
  EXPECT_EQ(cost.macs, c.cost.macs);
  EXPECT_EQ(cost.sram_bytes, c.cost.sram_bytes);
  EXPECT_LE(cost.sram_bytes + k.reserved_sram_bytes, k.sram_bytes);
  EXPECT_LE(cost.flash_bytes + k.reserved_flash_bytes, k.flash_bytes);
}

TEST(SearchPipelineTest, WinnerFitsInTheChosenSubspaceAndIsDeterministicBySeed) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  Recorder seen;
  const SearchResult a = SearchPipeline(space, small_board(), small_options(7)).run(seen);
  Recorder silent;
  const SearchResult b = SearchPipeline(space, small_board(), small_options(7)).run(silent);

  ASSERT_TRUE(a.evolved);
  ASSERT_FALSE(a.ranking.empty());
  EXPECT_EQ(a.ranking.size(), space.resolutions.size() * space.width_mults.size());
  // The chosen sub-space is the ranking's first, and the winner lives in it.
  EXPECT_EQ(a.subspace.resolution, a.ranking.front().resolution);
  EXPECT_EQ(a.subspace.width_mult, a.ranking.front().width_mult);
  EXPECT_EQ(a.winner.arch.resolution, a.subspace.resolution);
  EXPECT_TRUE(nas::same_width(a.winner.arch.width_mult, a.subspace.width_mult));
  expect_fits(space, small_board(), a.winner);
  EXPECT_EQ(a.fitness_kind, "flops_proxy");
  EXPECT_DOUBLE_EQ(a.winner.fitness, static_cast<double>(a.winner.cost.macs) / 1e6);
  EXPECT_FALSE(a.accuracy.has_value());
  // No sampled sub-net of the chosen sub-space beats the evolution's winner by much: evolution
  // climbs from samples of that sub-space.
  EXPECT_GE(a.winner.cost.macs, a.ranking.front().p50_macs);

  // The same seed gives the same run.
  EXPECT_EQ(a.winner.arch, b.winner.arch);
  EXPECT_EQ(a.evolution.evaluated, b.evolution.evaluated);
  ASSERT_EQ(a.ranking.size(), b.ranking.size());
  for (size_t i = 0; i < a.ranking.size(); ++i)
    EXPECT_EQ(a.ranking[i].satisfying_macs, b.ranking[i].satisfying_macs);

  // The stages were reported as they finished.
  EXPECT_EQ(seen.steps, (std::vector<std::string>{"space optimiser", "evolution"}));
  EXPECT_EQ(seen.totals[1], 5);
  EXPECT_EQ(seen.last_update, 5);
  EXPECT_EQ(seen.ranked.size(), a.ranking.size());
  ASSERT_TRUE(seen.chosen.has_value());
  EXPECT_EQ(seen.chosen->resolution, a.subspace.resolution);
  EXPECT_TRUE(seen.evolution_reported);
}

TEST(SearchPipelineTest, AnotherSeedSearchesOtherSubNets) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  std::set<std::string> winners;
  for (uint64_t seed : {1, 2, 3}) {
    Recorder r;
    winners.insert(
        SearchPipeline(space, small_board(), small_options(seed)).run(r).winner.arch.summary());
  }
  EXPECT_GT(winners.size(), 1u);
}

TEST(SearchPipelineTest, SpaceModeRanksOnlyAndEvolveModeSkipsTheRanking) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  SearchOptions rank_only = small_options(1);
  rank_only.evolve = false;
  Recorder r1;
  const SearchResult ranked = SearchPipeline(space, small_board(), rank_only).run(r1);
  EXPECT_FALSE(ranked.evolved);
  EXPECT_FALSE(ranked.ranking.empty());
  EXPECT_EQ(r1.steps, std::vector<std::string>{"space optimiser"});

  SearchOptions given = small_options(1);
  given.subspace = Subspace{28, 0.35};
  Recorder r2;
  const SearchResult evolved = SearchPipeline(space, small_board(), given).run(r2);
  EXPECT_TRUE(evolved.ranking.empty());
  EXPECT_EQ(r2.steps, std::vector<std::string>{"evolution"});
  EXPECT_EQ(evolved.winner.arch.resolution, 28);
  EXPECT_TRUE(nas::same_width(evolved.winner.arch.width_mult, 0.35));
  expect_fits(space, small_board(), evolved.winner);
}

TEST(SearchPipelineTest, NothingFittingIsABadInputAfterTheRankingIsReported) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  const nas::Constraints tiny{2 * 1024, 8 * 1024, 0, 0};
  Recorder r;
  SearchPipeline pipeline(space, tiny, small_options(1));
  EXPECT_THROW(pipeline.run(r), std::invalid_argument);
  EXPECT_FALSE(r.ranked.empty());
  EXPECT_FALSE(r.chosen.has_value());
}

// An accuracy search over width 0.35 and three resolutions, judged by meters: validation prefers
// small sub-nets (the opposite of the fitness), so the judged winner differs from the fittest.
std::unique_ptr<AccuracySearch> judged_search(FunctionMeter** validation, FunctionMeter** test,
                                              int top_k) {
  AccuracySearchSettings settings;
  settings.top_k = top_k;
  AccuracySearch::Parts parts;
  parts.fitness = std::make_unique<MadeUpFitness>();
  parts.fitness_source = "made up";
  parts.width_mult = 0.35;
  parts.resolutions = {24, 28, 32};
  auto v = std::make_unique<FunctionMeter>(
      [](const nas::Arch& a) { return 200 - testing::made_up_top1(a); }, 300);
  auto t =
      std::make_unique<FunctionMeter>([](const nas::Arch& a) { return a.resolution + 0.5; }, 900);
  *validation = v.get();
  *test = t.get();
  parts.validation = std::move(v);
  parts.test = std::move(t);
  return std::make_unique<AccuracySearch>(settings, std::move(parts));
}

TEST(SearchPipelineTest, AccuracySearchWinsByValidationAmongTheTopKAndJudgesRandomTheSameWay) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  FunctionMeter *validation = nullptr, *test = nullptr;
  SearchPipeline pipeline(space, small_board(), small_options(5),
                          judged_search(&validation, &test, 4));
  // The supernet's width and resolutions replace the space's grids.
  EXPECT_EQ(pipeline.space().width_mults, std::vector<double>{0.35});
  EXPECT_EQ(pipeline.space().resolutions, (std::vector<int>{24, 28, 32}));
  Recorder r;
  const SearchResult result = pipeline.run(r);

  ASSERT_TRUE(result.accuracy.has_value());
  const AccuracyOutcome& o = *result.accuracy;
  EXPECT_TRUE(o.judged);
  EXPECT_EQ(result.fitness_kind, "made_up");
  EXPECT_EQ(result.resolutions, (std::vector<int>{24, 28, 32}));
  ASSERT_EQ(o.search.top_k.size(), 4u);
  // The top-k are the evolution's best distinct sub-nets, in order.
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(o.search.top_k[i].candidate.arch, result.evolution.top_distinct[i].arch);
  // The winner is the one of them the validation meter likes best, not the fittest.
  size_t best = 0;
  for (size_t i = 1; i < 4; ++i)
    if (200 - testing::made_up_top1(o.search.top_k[i].candidate.arch) >
        200 - testing::made_up_top1(o.search.top_k[best].candidate.arch))
      best = i;
  EXPECT_EQ(o.search.chosen, best);
  EXPECT_EQ(result.winner.arch, o.search.top_k[best].candidate.arch);
  EXPECT_NE(result.winner.arch, result.evolution.best.arch);
  expect_fits(pipeline.space(), small_board(), result.winner);
  EXPECT_DOUBLE_EQ(o.search.test_top1, result.winner.arch.resolution + 0.5);
  EXPECT_EQ(o.search.validation_images, 300);
  EXPECT_EQ(o.search.test_images, 900);

  // The random baseline: as many fitting sub-nets as the evolution evaluated, its top-k judged.
  EXPECT_EQ(o.random_fitting, result.evolution.evaluated);
  EXPECT_GE(o.random_drawn, o.random_fitting);
  EXPECT_EQ(o.random.top_k.size(), 4u);
  EXPECT_GE(o.random.test_top1, 0);
  // The test split was asked twice: once per judgement.
  EXPECT_EQ(test->calls, 2);
}

TEST(SearchPipelineTest, AGivenSubspaceOutsideTheSupernetsIsABadInput) {
  const nas::SearchSpace space = nas::load_space("cifar", kConfigs);
  FunctionMeter *validation = nullptr, *test = nullptr;
  SearchOptions o = small_options(1);
  o.subspace = Subspace{28, 0.5};
  EXPECT_THROW(SearchPipeline(space, small_board(), o, judged_search(&validation, &test, 2)),
               std::invalid_argument);
  o.subspace = Subspace{30, 0.35};
  EXPECT_THROW(SearchPipeline(space, small_board(), o, judged_search(&validation, &test, 2)),
               std::invalid_argument);
  o.subspace = Subspace{28, 0.35};
  EXPECT_NO_THROW(SearchPipeline(space, small_board(), o, judged_search(&validation, &test, 2)));
}

}  // namespace
}  // namespace tinynas::pipeline
