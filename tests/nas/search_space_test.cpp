#include "nas/search_space.h"

#include <gtest/gtest.h>

#include "test_spaces.h"
#include "util/json_reader.h"

namespace tinynas::nas {
namespace {

using testing::shipped_space;

TEST(MakeDivisibleTest, FollowsTheMobileNetRule) {
  EXPECT_EQ(make_divisible(19.2, 8), 24);  // 16 would lose more than 10 %
  EXPECT_EQ(make_divisible(12.0, 8), 16);  // ties round up
  EXPECT_EQ(make_divisible(9.6, 8), 16);   // never below 8, then the 10 % rule
  EXPECT_EQ(make_divisible(4.0, 8), 8);
  EXPECT_EQ(make_divisible(40.0, 8), 40);
  EXPECT_EQ(make_divisible(44.0, 8), 48);
  EXPECT_EQ(make_divisible(1280 * 0.35, 8), 448);
}

TEST(SearchSpaceTest, McunetGridIs108SubSpaces) {
  const SearchSpace& s = shipped_space("mcunet");
  EXPECT_EQ(s.resolutions.size(), 12u);
  EXPECT_EQ(s.resolutions.front(), 48);
  EXPECT_EQ(s.resolutions.back(), 224);
  ASSERT_EQ(s.width_mults.size(), 9u);
  EXPECT_DOUBLE_EQ(s.width_mults.front(), 0.2);
  EXPECT_DOUBLE_EQ(s.width_mults[1], 0.3);
  EXPECT_DOUBLE_EQ(s.width_mults.back(), 1.0);
  EXPECT_EQ(s.stages.size(), 6u);
  EXPECT_EQ(s.feature_mix_base_channels, 0);
  EXPECT_EQ(s.max_blocks(), 21);
}

TEST(SearchSpaceTest, Mbv2IsOneNetworkPerSubSpace) {
  const SearchSpace& s = shipped_space("mbv2");
  EXPECT_EQ(s.kernels, std::vector<int>{3});
  EXPECT_EQ(s.expands, std::vector<int>{6});
  const int depths[] = {2, 3, 4, 3, 3, 1};
  for (size_t i = 0; i < s.stages.size(); ++i)
    EXPECT_EQ(s.stages[i].depths, std::vector<int>{depths[i]});
  EXPECT_EQ(s.feature_mix_channels(0.35), 448);
}

TEST(SearchSpaceTest, CifarSpaceUsesStemStrideOne) {
  const SearchSpace& s = shipped_space("cifar");
  EXPECT_EQ(s.stem_stride, 1);
  EXPECT_EQ(s.num_classes, 10);
  EXPECT_EQ(s.resolutions.back(), 32);
}

TEST(SearchSpaceTest, JsonRoundTrip) {
  for (const char* name : {"mcunet", "mbv2", "cifar", "resnet"}) {
    const SearchSpace& s = shipped_space(name);
    const SearchSpace again = space_from_json(space_to_json(s), name);
    EXPECT_EQ(space_to_json(again), space_to_json(s)) << name;
  }
}

// Stages may set their own block kind, kernels and expansions; the others use the space's.
TEST(SearchSpaceTest, StagesMayOverrideKindKernelsAndExpansions) {
  nlohmann::json j = space_to_json(shipped_space("cifar"));
  j["stages"][0]["block"] = "residual";
  j["stages"][0]["kernels"] = {3};
  j["stages"][0]["expands"] = {1, 2};
  j.erase("first_block");
  const SearchSpace s = space_from_json(j, "t");
  EXPECT_FALSE(s.has_first_block());
  EXPECT_EQ(s.stages[0].block, BlockKind::kResidual);
  EXPECT_EQ(s.kernels_of(0), (std::vector<int>{3}));
  EXPECT_EQ(s.expands_of(0), (std::vector<int>{1, 2}));
  EXPECT_EQ(s.stages[1].block, BlockKind::kMBConv);
  EXPECT_EQ(s.kernels_of(1), (std::vector<int>{3, 5, 7}));
  EXPECT_EQ(s.all_expands(), (std::vector<int>{1, 2, 3, 4, 6}));
  EXPECT_EQ(space_to_json(space_from_json(space_to_json(s), "again")), space_to_json(s));
  // Without the space's lists every stage must have its own.
  j.erase("kernels");
  try {
    space_from_json(j, "t");
    FAIL() << "a stage without kernels accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("stages[1]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("kernels"), std::string::npos) << e.what();
  }
  j = space_to_json(shipped_space("cifar"));
  j["stages"][2]["block"] = "fused";
  try {
    space_from_json(j, "t");
    FAIL() << "an unknown block kind accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("block"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fused"), std::string::npos) << e.what();
  }
}

TEST(SearchSpaceTest, RejectsMalformedSpaces) {
  nlohmann::json j = space_to_json(shipped_space("mcunet"));
  j["kernels"] = {3, 4};
  EXPECT_THROW(space_from_json(j, "t"), std::invalid_argument);
  j = space_to_json(shipped_space("mcunet"));
  j["stages"][0]["stride"] = 3;
  EXPECT_THROW(space_from_json(j, "t"), std::invalid_argument);
  j = space_to_json(shipped_space("mcunet"));
  j["colour"] = "blue";
  try {
    space_from_json(j, "t");
    FAIL() << "unknown key accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("colour"), std::string::npos);
  }
}

TEST(SearchSpaceTest, UnknownSpaceNameSaysSo) {
  try {
    load_space("no-such-space", testing::kConfigDir);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("known search spaces: cifar, mbv2, mbv2-cifar, mcunet"),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("unknown search space 'no-such-space'"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace tinynas::nas
