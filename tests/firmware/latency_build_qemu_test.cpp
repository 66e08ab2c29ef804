// The measurements behind a latency model (pipeline/latency_build.h), on the emulated Cortex-M4:
// each network's per-layer counts belong to the very layers the search's lowering gives (one
// definition of the graph), add up to its inference, and, markers taken out, agree with the plain
// build that `tinynas verify` measures; estimated cycles add up the same way; a re-run reuses
// what was measured.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "nas/arch.h"
#include "nas/lowering.h"
#include "pipeline/latency_build.h"
#include "test_support.h"

namespace tinynas::pipeline {
namespace {

namespace fs = std::filesystem;

LatencyBuildOptions options(const std::string& work) {
  LatencyBuildOptions o;
  o.spaces = {"resnet", "mcunet"};
  o.networks = 2;
  o.seed = 3;
  o.target = "qemu-m4";
  o.config_dir = TINYNAS_TEST_CONFIG_DIR;
  o.work_dir = work;
  return o;
}

TEST(LatencyBuildQemu, LayerCountsBelongToTheLoweredGraphAndAddUpToThePlainBuild) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  tinynas::testing::TempDir dir;
  Observer quiet;
  LatencyBuildOptions o = options(dir.str() + "/work");
  o.measure = "instructions";
  const std::vector<nas::LatencySample> profiled = measure_random_networks(o, quiet);
  ASSERT_EQ(profiled.size(), 2u);
  EXPECT_EQ(profiled[0].space, "resnet");
  EXPECT_EQ(profiled[1].space, "mcunet");
  for (const nas::LatencySample& s : profiled) {
    const nas::ArchFile file =
        nas::load_arch_file(o.work_dir + "/" + s.name + "/arch.json", "", o.config_dir);
    EXPECT_EQ(file.arch.summary(), s.arch);
    const std::vector<nas::LayerLatencyFeatures> lowered =
        nas::latency_features(nas::lower(file.arch, file.space));
    ASSERT_EQ(s.layers.size(), lowered.size());
    ASSERT_EQ(s.measured.size(), lowered.size());
    for (size_t i = 0; i < lowered.size(); ++i) {
      EXPECT_EQ(s.layers[i].kind, lowered[i].kind);
      EXPECT_EQ(s.layers[i].x, lowered[i].x);
      EXPECT_GT(s.measured[i], 0) << s.name << " layer " << i;
    }
    // Each count is exact to a SysTick tick (40 instructions).
    const double layer_sum = std::accumulate(s.measured.begin(), s.measured.end(), 0.0);
    EXPECT_NEAR(layer_sum, s.total, 40.0 * static_cast<double>(s.layers.size())) << s.name;
  }

  o.profile = false;
  o.work_dir = dir.str() + "/plain";
  const std::vector<nas::LatencySample> plain = measure_random_networks(o, quiet);
  ASSERT_EQ(plain.size(), 2u);
  for (size_t n = 0; n < plain.size(); ++n) {
    EXPECT_EQ(plain[n].arch, profiled[n].arch);
    EXPECT_TRUE(plain[n].measured.empty());
    EXPECT_EQ(plain[n].layers.size(), profiled[n].layers.size());
    // The profiled build less its markers is the plain build to within compiler noise.
    EXPECT_NEAR(plain[n].total, profiled[n].total, 0.002 * plain[n].total) << plain[n].name;
  }
}

// Estimated cycles (the default measure): per layer from the timing plugin, adding up to the
// inference's estimate; and a re-run measures nothing again.
TEST(LatencyBuildQemu, EstimatedCyclesAddUpAndAReRunReusesThem) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  tinynas::testing::TempDir dir;
  Observer quiet;
  LatencyBuildOptions o = options(dir.str() + "/work");
  o.networks = 1;
  const std::vector<nas::LatencySample> first = measure_random_networks(o, quiet);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(first[0].measured.size(), first[0].layers.size());
  const double layer_sum = std::accumulate(first[0].measured.begin(), first[0].measured.end(), 0.0);
  EXPECT_NEAR(layer_sum, first[0].total, 0.01 * first[0].total);
  for (double c : first[0].measured) EXPECT_GT(c, 0);
  const fs::path kept = o.work_dir + "/resnet-1/cycles-per-layer.json";
  const auto written = fs::last_write_time(kept);
  fs::remove_all(o.work_dir + "/resnet-1/firmware-profile");  // a re-measurement would rebuild
  const std::vector<nas::LatencySample> again = measure_random_networks(o, quiet);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].total, first[0].total);
  EXPECT_EQ(again[0].measured, first[0].measured);
  EXPECT_EQ(fs::last_write_time(kept), written);
  EXPECT_FALSE(fs::exists(o.work_dir + "/resnet-1/firmware-profile"));
}

}  // namespace
}  // namespace tinynas::pipeline
