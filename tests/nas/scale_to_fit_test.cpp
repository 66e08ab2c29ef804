// Scaling a hand-designed network to a target's limits: MLPerf Tiny's ResNet-8 needs a 49,728 B
// arena at 32x32, 576 B more than the 48 KB that 64 KB of SRAM less the stm32f746's 16 KB reserve
// leaves, so it runs at the next resolution down; with room it stays as it is. MobileNetV2 (its
// CIFAR strides) fits those limits only at the narrowest widths: Flash, not SRAM, decides.
#include "nas/scale_to_fit.h"

#include <gtest/gtest.h>

#include "nas/arch_cost.h"
#include "test_spaces.h"
#include "util/json_reader.h"

namespace tinynas::nas {
namespace {

Arch shipped_arch(const std::string& name) {
  return arch_from_json(util::read_json_file(testing::kConfigDir + "/archs/" + name + ".json"),
                        name);
}

Arch resnet8() {
  return shipped_arch("resnet8");
}

Constraints limits(int64_t sram, int64_t flash) {
  return {sram, flash, 16 * 1024, 64 * 1024};
}

TEST(ScaleToFitTest, ResnetEightStaysWhenItFitsAndShrinksItsInputWhenNot) {
  const SearchSpace& space = testing::shipped_space("resnet");
  CostModel cost(space);
  EXPECT_EQ(cost.evaluate(resnet8()).sram_bytes, 49728);

  const std::optional<Arch> roomy = scale_to_fit(resnet8(), space, limits(320 * 1024, 1 << 20), 32);
  ASSERT_TRUE(roomy.has_value());
  EXPECT_EQ(*roomy, resnet8());

  const Constraints small = limits(64 * 1024, 256 * 1024);
  const std::optional<Arch> scaled = scale_to_fit(resnet8(), space, small, 32);
  ASSERT_TRUE(scaled.has_value());
  EXPECT_EQ(scaled->resolution, 28);
  EXPECT_DOUBLE_EQ(scaled->width_mult, 1.0);
  EXPECT_EQ(scaled->stages, resnet8().stages);
  EXPECT_TRUE(small.fits(cost.evaluate(*scaled)));

  // The data's images bound the resolution, the arch's own included.
  const std::optional<Arch> capped =
      scale_to_fit(resnet8(), space, limits(320 * 1024, 1 << 20), 20);
  ASSERT_TRUE(capped.has_value());
  EXPECT_EQ(capped->resolution, 20);
}

TEST(ScaleToFitTest, NarrowsWhenNoResolutionIsEnoughAndGivesUpWhenNothingFits) {
  const SearchSpace& space = testing::shipped_space("resnet");
  CostModel cost(space);
  // 16 KB of arena: at width 1.0 even 16x16 needs 3 x 4 KB plus scratch... narrower it fits.
  const Constraints tight = limits(16 * 1024 + 12 * 1024, 256 * 1024);
  const std::optional<Arch> a = scale_to_fit(resnet8(), space, tight, 32);
  ASSERT_TRUE(a.has_value());
  EXPECT_LT(a->width_mult, 1.0);
  EXPECT_TRUE(tight.fits(cost.evaluate(*a)));
  EXPECT_FALSE(scale_to_fit(resnet8(), space, limits(16 * 1024 + 512, 256 * 1024), 32).has_value());
}

TEST(ScaleToFitTest, MobileNetV2NarrowsUntilItsWeightsFitThenTakesTheLargestInput) {
  const SearchSpace space = load_space("mbv2-cifar", testing::kConfigDir);
  const Arch mbv2 = shipped_arch("mbv2-cifar");
  validate(mbv2, space);
  CostModel cost(space);
  const Constraints small = limits(64 * 1024, 256 * 1024);
  EXPECT_FALSE(small.fits(cost.evaluate(mbv2)));
  const std::optional<Arch> scaled = scale_to_fit(mbv2, space, small, 32);
  ASSERT_TRUE(scaled.has_value());
  EXPECT_TRUE(small.fits(cost.evaluate(*scaled)));
  EXPECT_EQ(scaled->stages, mbv2.stages);
  // Width 0.25 needs 206,392 B of Flash at any resolution (192 KB are left); at 0.2, 32x32 needs
  // a 64 KB arena and 24x24 fits.
  EXPECT_NEAR(scaled->width_mult, 0.2, 1e-9);
  EXPECT_EQ(scaled->resolution, 24);
}

}  // namespace
}  // namespace tinynas::nas
