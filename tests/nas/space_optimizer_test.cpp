#include "nas/space_optimizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "nas/arch_cost.h"
#include "nas/sampling.h"
#include "test_spaces.h"

namespace tinynas::nas {
namespace {

Constraints stm32f746() {
  return Constraints{320 * 1024, 1024 * 1024, 16 * 1024, 64 * 1024};
}

TEST(PercentileTest, NearestRank) {
  const std::vector<int64_t> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(percentile(v, 0.1), 1);
  EXPECT_EQ(percentile(v, 0.5), 5);
  EXPECT_EQ(percentile(v, 0.9), 9);
  EXPECT_EQ(percentile({}, 0.5), 0);
}

TEST(SpaceOptimizerTest, RanksEverySubSpaceByMeanMacsOfFittingSubNets) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  SpaceOptimizerOptions options;
  options.samples_per_space = 100;
  options.seed = 7;
  const auto ranking = rank_subspaces(space, stm32f746(), options, nullptr);
  ASSERT_EQ(ranking.size(), 108u);
  bool seen_empty = false;
  for (size_t i = 0; i < ranking.size(); ++i) {
    const SubspaceStats& s = ranking[i];
    EXPECT_EQ(s.sampled, 100);
    EXPECT_EQ(static_cast<int>(s.satisfying_macs.size()), s.satisfying);
    EXPECT_TRUE(std::is_sorted(s.satisfying_macs.begin(), s.satisfying_macs.end()));
    if (s.satisfying == 0) {
      seen_empty = true;
      continue;
    }
    EXPECT_FALSE(seen_empty) << "a space with fitting sub-nets ranked below an empty one";
    EXPECT_LE(s.p10_macs, s.p50_macs);
    EXPECT_LE(s.p50_macs, s.p90_macs);
    if (i > 0) {
      EXPECT_GE(ranking[i - 1].mean_macs, s.mean_macs);
    }
  }
  // Tiny widths at small resolutions always fit; the largest sub-spaces never do on 320 KB.
  const auto find = [&](int r, double w) {
    for (const auto& s : ranking)
      if (s.resolution == r && std::abs(s.width_mult - w) < 1e-9) return s;
    return SubspaceStats{};
  };
  EXPECT_EQ(find(48, 0.2).satisfying, 100);
  EXPECT_EQ(find(224, 1.0).satisfying, 0);
}

TEST(SpaceOptimizerTest, SatisfyingCountsAgreeWithTheCostModel) {
  // Re-derive one sub-space's statistics by hand: same stream, same sub-nets, same decisions.
  const SearchSpace& space = testing::shipped_space("mcunet");
  SpaceOptimizerOptions options;
  options.samples_per_space = 200;
  options.seed = 3;
  options.threads = 1;
  const Constraints constraints = stm32f746();
  const auto ranking = rank_subspaces(space, constraints, options, nullptr);
  size_t task = 0;  // sub-space order of the grid: resolutions outer, widths inner
  for (int r : space.resolutions) {
    for (double w : space.width_mults) {
      if (r == 160 && std::abs(w - 0.5) < 1e-9) {
        Rng rng = Rng::for_stream(options.seed, task);
        CostModel model(space);
        std::vector<int64_t> macs;
        for (int i = 0; i < options.samples_per_space; ++i) {
          const ArchCost cost = model.evaluate(sample_arch(space, r, w, rng));
          if (constraints.fits(cost)) macs.push_back(cost.macs);
        }
        for (const auto& s : ranking) {
          if (s.resolution == r && std::abs(s.width_mult - w) < 1e-9) {
            std::sort(macs.begin(), macs.end());
            EXPECT_EQ(s.satisfying_macs, macs);
          }
        }
        EXPECT_FALSE(macs.empty());
      }
      ++task;
    }
  }
}

TEST(SpaceOptimizerTest, DeterministicForASeedWhateverTheThreadCount) {
  const SearchSpace& space = testing::shipped_space("cifar");
  const Constraints tight{64 * 1024, 256 * 1024, 16 * 1024, 64 * 1024};
  SpaceOptimizerOptions one;
  one.samples_per_space = 150;
  one.seed = 99;
  one.threads = 1;
  SpaceOptimizerOptions many = one;
  many.threads = 4;
  const auto a = rank_subspaces(space, tight, one, nullptr);
  const auto b = rank_subspaces(space, tight, many, nullptr);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].resolution, b[i].resolution);
    EXPECT_EQ(a[i].width_mult, b[i].width_mult);
    EXPECT_EQ(a[i].satisfying_macs, b[i].satisfying_macs);
  }
  SpaceOptimizerOptions other = one;
  other.seed = 100;
  const auto c = rank_subspaces(space, tight, other, nullptr);
  bool differs = false;
  for (size_t i = 0; i < a.size(); ++i) differs |= a[i].satisfying_macs != c[i].satisfying_macs;
  EXPECT_TRUE(differs) << "the seed has no effect";
}

TEST(SpaceOptimizerTest, ReportsProgressUpToTheTotal) {
  const SearchSpace& space = testing::shipped_space("cifar");
  SpaceOptimizerOptions options;
  options.samples_per_space = 120;
  std::atomic<int64_t> last{0};
  std::atomic<int64_t> reported_total{0};
  rank_subspaces(space, stm32f746(), options, [&](int64_t done, int64_t total) {
    int64_t seen = last.load();
    while (done > seen && !last.compare_exchange_weak(seen, done)) {
    }
    reported_total = total;
  });
  const int64_t expected = int64_t(space.resolutions.size() * space.width_mults.size()) * 120;
  EXPECT_EQ(reported_total.load(), expected);
  EXPECT_EQ(last.load(), expected);
}

}  // namespace
}  // namespace tinynas::nas
