#include "nas/arch.h"

#include <gtest/gtest.h>

#include <set>

#include "nas/random.h"
#include "nas/sampling.h"
#include "test_spaces.h"
#include "util/json_reader.h"

namespace tinynas::nas {
namespace {

using testing::shipped_space;

Arch in2() {
  return arch_from_json(util::read_json_file(testing::kConfigDir + "/archs/mcunet-in2.json"),
                        "in2");
}

std::string validation_error(const Arch& arch, const SearchSpace& space) {
  try {
    validate(arch, space);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ArchTest, ReadsTheContractFormat) {
  const Arch a = in2();
  EXPECT_EQ(a.space, "mcunet");
  EXPECT_EQ(a.resolution, 160);
  EXPECT_DOUBLE_EQ(a.width_mult, 0.5);
  EXPECT_EQ(a.num_classes, 1000);
  ASSERT_EQ(a.stages.size(), 6u);
  EXPECT_EQ(a.stages[0].depth(), 4);
  EXPECT_EQ(a.stages[0].blocks[1], (BlockArch{7, 6}));
  EXPECT_EQ(validation_error(a, shipped_space("mcunet")), "");
}

TEST(ArchTest, JsonRoundTripIsExact) {
  Rng rng(3);
  for (int i = 0; i < 200; ++i) {
    const SearchSpace& s = shipped_space(i % 2 ? "mcunet" : "cifar");
    const Arch a = sample_arch(s, rng.pick(s.resolutions), rng.pick(s.width_mults), rng);
    const Arch b = arch_from_json(nlohmann::json::parse(arch_to_json(a).dump()), "rt");
    EXPECT_EQ(a, b);
  }
}

TEST(ArchTest, RejectsKernelOutsideTheSpaceNamingTheField) {
  Arch a = in2();
  a.stages[2].blocks[1].kernel = 4;
  const std::string error = validation_error(a, shipped_space("mcunet"));
  EXPECT_NE(error.find("stages[2].kernel[1] is 4"), std::string::npos) << error;
  EXPECT_NE(error.find("{3, 5, 7}"), std::string::npos) << error;
}

TEST(ArchTest, RejectsWrongStageCount) {
  Arch a = in2();
  a.stages.pop_back();
  EXPECT_NE(validation_error(a, shipped_space("mcunet")).find("'stages' has 5 entries"),
            std::string::npos);
}

TEST(ArchTest, RejectsDepthOutsideTheChoices) {
  Arch a = in2();
  a.stages[1].blocks.resize(5, BlockArch{3, 3});
  const std::string error = validation_error(a, shipped_space("mcunet"));
  EXPECT_NE(error.find("stages[1] has depth 5"), std::string::npos) << error;
}

TEST(ArchTest, RejectsAnArchOfAnotherSpace) {
  const std::string error = validation_error(in2(), shipped_space("mbv2"));
  EXPECT_NE(error.find("belongs to space 'mcunet', not to space 'mbv2'"), std::string::npos)
      << error;
}

TEST(ArchTest, RejectsNonPositiveResolution) {
  Arch a = in2();
  a.resolution = 0;
  EXPECT_NE(validation_error(a, shipped_space("mcunet")).find("'resolution'"), std::string::npos);
}

TEST(ArchTest, ParserNamesMissingAndMistypedFields) {
  nlohmann::json j = arch_to_json(in2());
  j.erase("width_mult");
  EXPECT_THROW(arch_from_json(j, "a"), std::invalid_argument);
  j = arch_to_json(in2());
  j["stages"][0]["kernel"] = {3, 5};  // 2 kernels, 4 expands
  try {
    arch_from_json(j, "a");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("stages[0]"), std::string::npos);
  }
  j = arch_to_json(in2());
  j["resolution"] = "160";
  EXPECT_THROW(arch_from_json(j, "a"), std::invalid_argument);
}

TEST(SamplingTest, SampledArchsAreValidAndCoverTheChoices) {
  for (const char* name : {"mcunet", "mbv2", "cifar"}) {
    const SearchSpace& s = shipped_space(name);
    Rng rng(11);
    std::set<int> kernels, expands, depths;
    for (int i = 0; i < 2000; ++i) {
      const Arch a = sample_arch(s, rng.pick(s.resolutions), rng.pick(s.width_mults), rng);
      ASSERT_EQ(validation_error(a, s), "") << a.summary();
      for (const StageArch& st : a.stages) {
        depths.insert(st.depth());
        for (const BlockArch& b : st.blocks) {
          kernels.insert(b.kernel);
          expands.insert(b.expand);
        }
      }
    }
    EXPECT_EQ(kernels, std::set<int>(s.kernels.begin(), s.kernels.end())) << name;
    EXPECT_EQ(expands, std::set<int>(s.expands.begin(), s.expands.end())) << name;
  }
}

TEST(SamplingTest, SameSeedSameArchs) {
  const SearchSpace& s = shipped_space("mcunet");
  Rng a(42), b(42), c(43);
  bool any_difference = false;
  for (int i = 0; i < 50; ++i) {
    const Arch x = sample_arch(s, 160, 0.5, a);
    EXPECT_EQ(x, sample_arch(s, 160, 0.5, b));
    any_difference |= x != sample_arch(s, 160, 0.5, c);
  }
  EXPECT_TRUE(any_difference);
}

}  // namespace
}  // namespace tinynas::nas
