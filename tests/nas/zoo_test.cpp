// The published models as test vectors (MCUNet, Lin et al. 2020): lowering + cost must reproduce
// their MACs and MCUNet's in+out SRAM peak exactly.
#include <gtest/gtest.h>

#include "memory_model/cost.h"
#include "nas/arch.h"
#include "nas/lowering.h"
#include "util/json_reader.h"

namespace tinynas::nas {
namespace {

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

struct Loaded {
  Arch arch;
  SearchSpace space;
};

Loaded load_zoo(const std::string& name) {
  Loaded l;
  l.arch = arch_from_json(util::read_json_file(kConfigs + "/archs/" + name + ".json"), name);
  l.space = load_space(l.arch.space, kConfigs);
  validate(l.arch, l.space);
  return l;
}

struct ZooVector {
  const char* name;
  int64_t macs;
  int64_t peak_inout;
};

class ZooTest : public ::testing::TestWithParam<ZooVector> {};

TEST_P(ZooTest, MacsAndNaivePeakMatchPublishedValues) {
  const ZooVector v = GetParam();
  const Loaded l = load_zoo(v.name);
  const memory::Graph graph = lower(l.arch, l.space);
  const memory::GraphCost cost = memory::graph_cost(graph);
  EXPECT_EQ(cost.macs, v.macs);
  EXPECT_EQ(cost.sram_bytes_naive, v.peak_inout);
}

INSTANTIATE_TEST_SUITE_P(McunetReleasedModels, ZooTest,
                         ::testing::Values(ZooVector{"mcunet-in0", 6364224, 46080},
                                           ZooVector{"mcunet-in2", 67287200, 332800},
                                           ZooVector{"mcunet-in4", 125874400, 422400}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(ZooTest, MobileNetV2Width035Res144MatchesPublishedMacs) {
  // MCUNet's model zoo lists mbv2-w0.35-r144 at 23.5M MACs (rounded to 0.1M).
  const Loaded l = load_zoo("mbv2-w0.35-r144");
  const memory::GraphCost cost = memory::graph_cost(lower(l.arch, l.space));
  EXPECT_NEAR(static_cast<double>(cost.macs), 23.5e6, 0.05e6);
}

TEST(ZooTest, ParameterCountsAreCloseToPublished) {
  // Published: in0 0.75M, in2 0.73M, in4 1.73M params (float model, BN folded here, so a few
  // percent lower than a count that includes BN's scale and shift).
  const struct {
    const char* name;
    double params;
  } published[] = {{"mcunet-in0", 0.75e6}, {"mcunet-in2", 0.73e6}, {"mcunet-in4", 1.73e6}};
  for (const auto& p : published) {
    const Loaded l = load_zoo(p.name);
    const memory::GraphCost cost = memory::graph_cost(lower(l.arch, l.space));
    EXPECT_NEAR(static_cast<double>(cost.params), p.params, 0.05 * p.params) << p.name;
  }
}

}  // namespace
}  // namespace tinynas::nas
