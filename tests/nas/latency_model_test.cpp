#include "nas/latency_model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "memory_model/cost.h"
#include "nas/arch_cost.h"
#include "nas/constraints.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "nas/search_space.h"
#include "tests/support/invalid_argument.h"
#include "tests/support/temp_dir.h"

namespace tinynas::nas {
namespace {

using testing::invalid_message;
using testing::TempDir;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

bool mentions(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

// A made-up engine whose layers cost exactly a linear function of their features, different per
// kind: what the fit must recover.
double true_cost(const LayerLatencyFeatures& f) {
  if (f.kind == "conv2d 1x1/1") return 2.0 * f.x[0] + 9.0 * f.x[1] + 150;
  if (f.op_type == "depthwise_conv2d") return 5.0 * f.x[0] + 30.0 * f.x[4] + 400;
  return 3.0 * f.x[1] + 1.5 * f.x[2] + 60;
}

// Random sub-nets of `space_name`, "measured" with true_cost, each inference adding 25.
std::vector<LatencySample> synthetic_samples(const std::string& space_name, int count,
                                             uint64_t seed) {
  const SearchSpace space = load_space(space_name, kConfigs);
  Rng rng(seed);
  std::vector<LatencySample> out;
  for (int i = 0; i < count; ++i) {
    const Arch arch =
        sample_arch(space, rng.pick(space.resolutions), rng.pick(space.width_mults), rng);
    LatencySample s;
    s.name = space_name + "-" + std::to_string(i);
    s.space = space_name;
    s.arch = arch.summary();
    s.layers = latency_features(lower(arch, space));
    s.total = 25;
    for (const LayerLatencyFeatures& f : s.layers) {
      s.measured.push_back(true_cost(f));
      s.total += s.measured.back();
    }
    out.push_back(std::move(s));
  }
  return out;
}

TEST(LatencyModelTest, FeaturesFollowTheGraphOpByOp) {
  const SearchSpace space = load_space("mcunet", kConfigs);
  const Arch arch = largest_arch(space, 96, 0.5);
  const memory::Graph graph = lower(arch, space);
  const std::vector<LayerLatencyFeatures> features = latency_features(graph);
  ASSERT_EQ(features.size(), graph.ops().size());
  for (size_t i = 0; i < features.size(); ++i) {
    const memory::Op& op = graph.ops()[i];
    const memory::Shape& out = graph.tensor(op.output).shape;
    EXPECT_EQ(features[i].x[0], static_cast<double>(memory::op_cost(graph, op).macs));
    EXPECT_EQ(features[i].x[1], static_cast<double>(out.elements()));
    EXPECT_EQ(features[i].x[3], static_cast<double>(out.h) * out.w);
    EXPECT_EQ(features[i].x[4], out.c);
    EXPECT_EQ(features[i].kind, latency_kind(op));
  }
  EXPECT_EQ(features.front().kind, "conv2d 3x3/2");  // the stem
  EXPECT_EQ(features.back().kind, "linear");
  EXPECT_EQ(features.back().op_type, "linear");
}

TEST(LatencyModelTest, RecoversALinearEngineExactly) {
  const LatencyModel model =
      LatencyModel::fit(synthetic_samples("mcunet", 40, 1), "qemu-m4", "instructions");
  for (const LatencySample& s : synthetic_samples("mcunet", 10, 2)) {
    EXPECT_NEAR(model.predict(s.layers), s.total, 1e-6 * s.total) << s.arch;
    for (size_t i = 0; i < s.layers.size(); ++i)
      EXPECT_NEAR(model.predict_layer(s.layers[i]), s.measured[i], 1e-3 * s.measured[i] + 1);
  }
}

// A kind the samples never measured (a 9x9 depthwise) takes its op type's model, which here is
// exact because every depthwise kind costs the same function.
TEST(LatencyModelTest, AnUnmeasuredKindFallsBackToItsOpType) {
  const LatencyModel model =
      LatencyModel::fit(synthetic_samples("mcunet", 40, 1), "qemu-m4", "instructions");
  LayerLatencyFeatures f;
  f.kind = "depthwise_conv2d 9x9/1";
  f.op_type = "depthwise_conv2d";
  f.x = {81.0 * 64 * 100, 64 * 100, 64 * 100, 100, 64, 64};
  EXPECT_EQ(model.kinds().count(f.kind), 0u);
  EXPECT_NEAR(model.predict_layer(f), true_cost(f), 1e-3 * true_cost(f));
}

TEST(LatencyModelTest, PredictsTheSameAfterASaveAndALoad) {
  TempDir dir;
  const LatencyModel model =
      LatencyModel::fit(synthetic_samples("resnet", 20, 3), "qemu-m7", "instructions");
  save_latency_model(model, dir / "m.json");
  const LatencyModel again = load_latency_model(dir / "m.json");
  EXPECT_EQ(again.target(), "qemu-m7");
  EXPECT_EQ(again.measure(), "instructions");
  EXPECT_EQ(again.samples().size(), 20u);
  for (const LatencySample& s : synthetic_samples("resnet", 5, 4))
    EXPECT_DOUBLE_EQ(again.predict(s.layers), model.predict(s.layers));
}

TEST(LatencyModelTest, BrokenFilesAreRefusedNamingTheFileAndTheField) {
  TempDir dir;
  const std::string good = dir / "good.json";
  save_latency_model(
      LatencyModel::fit(synthetic_samples("resnet", 3, 5), "qemu-m4", "instructions"), good);
  std::ifstream in(good);
  const nlohmann::json j = nlohmann::json::parse(in);
  const auto broken = [&](const std::string& name, nlohmann::json changed) {
    return invalid_message([&] { load_latency_model(dir.file(name, changed.dump())); });
  };
  EXPECT_TRUE(
      mentions(invalid_message([&] { load_latency_model(dir / "none.json"); }), "none.json"));
  EXPECT_TRUE(mentions(
      invalid_message([&] { load_latency_model(dir.file("syntax.json", "{\"format\": ")); }),
      "syntax.json"));
  nlohmann::json wrong_format = j;
  wrong_format["format"] = "tinynas-predictor";
  EXPECT_TRUE(mentions(broken("format.json", wrong_format), "format"));
  nlohmann::json no_samples = j;
  no_samples["samples"] = nlohmann::json::array();
  EXPECT_TRUE(mentions(broken("empty.json", no_samples), "samples"));
  nlohmann::json short_row = j;
  short_row["samples"][0]["layers"][0] = {"conv2d 3x3/2", 1, 2};
  const std::string row_message = broken("row.json", short_row);
  EXPECT_TRUE(mentions(row_message, "row.json")) << row_message;
  EXPECT_TRUE(mentions(row_message, "samples[0].layers[0]")) << row_message;
  nlohmann::json no_counts = j;
  for (nlohmann::json& layer : no_counts["samples"][1]["layers"]) layer.erase(layer.size() - 1);
  EXPECT_TRUE(mentions(broken("counts.json", no_counts), "no per-layer counts"));
  nlohmann::json unknown_key = j;
  unknown_key["coefficients"] = 1;
  EXPECT_TRUE(mentions(broken("key.json", unknown_key), "coefficients"));
}

TEST(LatencyModelTest, ACalibrationScalesEveryPredictionAndSurvivesASave) {
  TempDir dir;
  LatencyModel model =
      LatencyModel::fit(synthetic_samples("resnet", 20, 8), "qemu-m7", "estimated cycles");
  const std::vector<LatencySample> others = synthetic_samples("resnet", 3, 9);
  const double before = model.predict(others[0].layers);
  // Measured 1.21x and 1.0x the prediction: the geometric mean is 1.1.
  model.calibrate(fit_latency_calibration("stm32f746", {{"a", 100, 121}, {"b", 50, 50}}));
  EXPECT_EQ(model.calibration().board, "stm32f746");
  EXPECT_NEAR(model.calibration().scale, 1.1, 1e-12);
  EXPECT_NEAR(model.predict(others[0].layers), 1.1 * before, 1e-9 * before);
  EXPECT_NEAR(
      model.predict_layer(others[0].layers[0]),
      1.1 * LatencyModel::fit(synthetic_samples("resnet", 20, 8), "qemu-m7", "estimated cycles")
                .predict_layer(others[0].layers[0]),
      1e-6);
  save_latency_model(model, dir / "calibrated.json");
  const LatencyModel again = load_latency_model(dir / "calibrated.json");
  EXPECT_NEAR(again.calibration().scale, 1.1, 1e-12);
  EXPECT_DOUBLE_EQ(again.predict(others[1].layers), model.predict(others[1].layers));

  std::ifstream in(dir / "calibrated.json");
  nlohmann::json j = nlohmann::json::parse(in);
  j["calibration"]["networks"][1]["measured"] = -5;
  const std::string message =
      invalid_message([&] { load_latency_model(dir.file("negative.json", j.dump())); });
  EXPECT_TRUE(mentions(message, "negative.json")) << message;
  EXPECT_TRUE(mentions(message, "must be positive")) << message;
  EXPECT_TRUE(mentions(invalid_message([] { fit_latency_calibration("x", {}); }),
                       "needs measured networks"));
}

TEST(LatencyModelTest, ACostModelWithALatencyModelPredictsEachSubnet) {
  const SearchSpace space = load_space("mcunet", kConfigs);
  const LatencyModel latency =
      LatencyModel::fit(synthetic_samples("mcunet", 20, 6), "qemu-m4", "instructions");
  CostModel with(space, &latency), without(space);
  Rng rng(7);
  for (int i = 0; i < 5; ++i) {
    const Arch arch = sample_arch(space, 96, 0.5, rng);
    EXPECT_DOUBLE_EQ(with.evaluate(arch).latency, latency.predict(lower(arch, space)));
    EXPECT_EQ(without.evaluate(arch).latency, 0);
    EXPECT_EQ(with.evaluate(arch).sram_bytes, without.evaluate(arch).sram_bytes);
  }
}

TEST(LatencyModelTest, ALatencyLimitIsAConstraintLikeSramAndFlash) {
  Constraints c(320 * 1024, 1024 * 1024, 16 * 1024, 64 * 1024);
  ArchCost cost;
  cost.sram_bytes = 100 * 1024;
  cost.flash_bytes = 500 * 1024;
  cost.latency = 12e6;
  EXPECT_TRUE(c.fits(cost));  // no limit
  c.latency_limit = 12e6;
  EXPECT_TRUE(c.fits(cost));
  EXPECT_TRUE(mentions(c.describe(), "latency 12.00M instructions"));
  c.latency_limit = 11e6;
  EXPECT_FALSE(c.fits(cost));
  EXPECT_EQ(c.violation(cost), "latency 12.00M > 11.00M instructions (predicted)");
}

}  // namespace
}  // namespace tinynas::nas
