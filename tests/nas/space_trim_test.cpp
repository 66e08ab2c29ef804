// Cutting the supernet's space to what fits: under 64 KB SRAM / 256 KB Flash (stm32f746
// reserves) no residual sub-net has three blocks in its 64-channel stage (two 3x3 blocks hold
// 147 K of the 192 KB of weights left) and few have a 5x5 block there, so those options go;
// with room to spare nothing goes.
#include "nas/space_trim.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "nas/arch_cost.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "test_spaces.h"

namespace tinynas::nas {
namespace {

Constraints limits(int64_t sram, int64_t flash) {
  return {sram, flash, 16 * 1024, 64 * 1024};
}

bool contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

double fitting_fraction(const SearchSpace& space, const Constraints& c, int resolution) {
  CostModel cost(space);
  Rng rng = Rng::for_stream(7, 0);
  int fit = 0;
  for (int i = 0; i < 2000; ++i)
    fit += c.fits(cost.evaluate(sample_arch(space, resolution, 1.0, rng)));
  return fit / 2000.0;
}

TEST(SpaceTrimTest, DropsWhatNeverFitsAndKeepsTheRest) {
  const SearchSpace& space = testing::shipped_space("resnet");
  const Constraints small = limits(64 * 1024, 256 * 1024);
  SpaceTrimOptions options;
  options.samples = 4000;
  const SpaceTrim t = trim_to_fit(space, {24, 28, 32}, 1.0, small, options);
  EXPECT_GT(t.fitting, 0);
  EXPECT_EQ(t.sampled, 12000);
  ASSERT_FALSE(t.removed.empty());
  EXPECT_EQ(t.space.name, space.name);  // its sub-nets are the original space's
  const StageSpec& last = t.space.stages.back();
  EXPECT_FALSE(contains(t.space.kernels_of(2), 5));
  EXPECT_FALSE(contains(last.depths, 3));
  EXPECT_TRUE(contains(t.space.kernels_of(2), 3));
  EXPECT_EQ(t.space.kernels_of(0), space.kernels_of(0));  // 5x5 at 16 channels fits easily
  // Every stage keeps something to choose from, in ascending order.
  for (size_t s = 0; s < t.space.stages.size(); ++s) {
    EXPECT_FALSE(t.space.stages[s].depths.empty());
    EXPECT_FALSE(t.space.kernels_of(s).empty());
    EXPECT_TRUE(std::is_sorted(t.space.kernels_of(s).begin(), t.space.kernels_of(s).end()));
  }
  // Sub-nets of the trimmed space belong to the original one, and many more of them fit.
  Rng rng = Rng::for_stream(3, 0);
  for (int i = 0; i < 200; ++i)
    EXPECT_NO_THROW(validate(sample_arch(t.space, 28, 1.0, rng), space));
  EXPECT_DOUBLE_EQ(t.fitting_fraction_before(), static_cast<double>(t.fitting) / t.sampled);
  EXPECT_GT(t.fitting_fraction_after, 2.0 * t.fitting_fraction_before());
  EXPECT_GT(fitting_fraction(t.space, small, 28), 2.0 * fitting_fraction(space, small, 28));
  // The space round-trips through its JSON (the run writes it for every later stage).
  EXPECT_EQ(space_to_json(space_from_json(space_to_json(t.space), "trimmed")),
            space_to_json(t.space));
}

TEST(SpaceTrimTest, NothingGoesWithRoomToSpareOrAShareOfZero) {
  const SearchSpace& space = testing::shipped_space("resnet");
  SpaceTrimOptions options;
  options.samples = 1000;
  const SpaceTrim roomy = trim_to_fit(space, {32}, 1.0, limits(1 << 30, 1 << 30), options);
  EXPECT_TRUE(roomy.removed.empty());
  EXPECT_EQ(roomy.fitting, roomy.sampled);
  for (size_t s = 0; s < space.stages.size(); ++s) {
    EXPECT_EQ(roomy.space.stages[s].depths, space.stages[s].depths);
    EXPECT_EQ(roomy.space.kernels_of(s), space.kernels_of(s));
    EXPECT_EQ(roomy.space.expands_of(s), space.expands_of(s));
  }
  options.min_share = 0;
  EXPECT_TRUE(
      trim_to_fit(space, {28}, 1.0, limits(64 * 1024, 256 * 1024), options).removed.empty());
}

TEST(SpaceTrimTest, IsSeededAndRefusesLimitsNothingFits) {
  const SearchSpace& space = testing::shipped_space("resnet");
  SpaceTrimOptions options;
  options.samples = 1000;
  const Constraints small = limits(64 * 1024, 256 * 1024);
  const SpaceTrim a = trim_to_fit(space, {28}, 1.0, small, options);
  const SpaceTrim b = trim_to_fit(space, {28}, 1.0, small, options);
  EXPECT_EQ(a.removed, b.removed);
  EXPECT_EQ(a.fitting, b.fitting);
  try {
    trim_to_fit(space, {32}, 1.0, limits(20 * 1024, 80 * 1024), options);
    FAIL() << "limits nothing fits were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("fits the limits"), std::string::npos) << e.what();
  }
  EXPECT_THROW(trim_to_fit(space, {}, 1.0, small, options), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::nas
