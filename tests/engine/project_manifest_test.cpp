// model.json, the generated project's manifest: it carries the same sizes as model.h and the plan,
// reads back, and a missing or inconsistent manifest is refused with the field named.
#include "engine/codegen/project_manifest.h"

#include <gtest/gtest.h>

#include <functional>

#include "engine/codegen/c_project.h"
#include "memory_model/scheduler.h"
#include "test_models.h"
#include "tests/support/invalid_argument.h"
#include "tests/support/temp_dir.h"

namespace tinynas::engine {
namespace {

using memory::Activation;
using memory::LayerRole;
using memory::OpType;

TEST(ProjectManifest, GeneratedProjectCarriesThePlansSizes) {
  memory::Graph g;
  int x = g.add_input({10, 12, 3});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 8, 3, 2, Activation::kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 5));
  const memory::MemoryPlan plan = memory::Scheduler().schedule(g);
  tinynas::testing::TempDir dir;
  write_c_project(testing::random_quant_model(g, 2), plan, dir.str(), {});
  const ProjectManifest m = read_project_manifest(dir.str());
  EXPECT_EQ(m.input_shape, (memory::Shape{10, 12, 3}));
  EXPECT_EQ(m.input_bytes, 360);
  EXPECT_EQ(m.output_shape, (memory::Shape{1, 1, 5}));
  EXPECT_EQ(m.output_bytes, 5);
  EXPECT_EQ(m.arena_bytes, plan.arena_bytes);
  EXPECT_EQ(m.layers, 3);  // conv, pool, linear: one profiling marker each
  const ProjectManifest back =
      project_manifest_from_json(project_manifest_to_json(m), "round trip");
  EXPECT_EQ(back.input_shape, m.input_shape);
  EXPECT_EQ(back.output_bytes, m.output_bytes);
  EXPECT_EQ(back.arena_bytes, m.arena_bytes);
  EXPECT_EQ(back.layers, 3);
}

TEST(ProjectManifest, GeneratedCodeMarksEveryLayerForProfilingOnly) {
  memory::Graph g;
  int x = g.add_input({8, 8, 3});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 8, 3, 2, Activation::kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 5));
  const CProject p =
      generate_c_project(testing::random_quant_model(g, 2), memory::Scheduler().schedule(g), {});
  std::string model_h;
  std::string model_c;
  for (const auto& [name, text] : p.files) {
    if (name == "model.h") model_h = text;
    if (name == "model.c") model_c = text;
  }
  EXPECT_NE(model_h.find("#define TINYNAS_LAYERS 3\n"), std::string::npos);
  EXPECT_NE(model_h.find("#ifdef TINYNAS_PROFILE\n"), std::string::npos);
  // One marker after each layer, in order, compiled to nothing without TINYNAS_PROFILE.
  size_t at = 0;
  for (int layer = 0; layer < 3; ++layer) {
    const std::string marker = "TINYNAS_LAYER_DONE(" + std::to_string(layer) + ");";
    at = model_c.find(marker, at);
    ASSERT_NE(at, std::string::npos) << marker;
  }
  EXPECT_EQ(model_c.find("TINYNAS_LAYER_DONE(3)"), std::string::npos);
  EXPECT_NE(model_c.find("#else\n#define TINYNAS_LAYER_DONE(layer) ((void)0)\n"),
            std::string::npos);
}

TEST(ProjectManifest, OlderManifestsWithoutALayerCountStillRead) {
  ProjectManifest m;
  m.input_shape = {2, 2, 3};
  m.input_bytes = 12;
  m.output_shape = {1, 1, 4};
  m.output_bytes = 4;
  m.arena_bytes = 64;
  nlohmann::json j = project_manifest_to_json(m);
  j.erase("layers");
  EXPECT_EQ(project_manifest_from_json(j, "old").layers, 0);
  j["layers"] = -1;
  EXPECT_NE(tinynas::testing::invalid_message([&] {
              project_manifest_from_json(j, "m.json");
            }).find("layers"),
            std::string::npos);
}

TEST(ProjectManifest, RefusesWhatIsNotAManifestNamingTheField) {
  ProjectManifest m;
  m.input_shape = {2, 2, 3};
  m.input_bytes = 12;
  m.output_shape = {1, 1, 4};
  m.output_bytes = 4;
  m.arena_bytes = 64;
  const nlohmann::json good = project_manifest_to_json(m);
  const auto message = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = good;
    edit(j);
    return tinynas::testing::invalid_message([&] { project_manifest_from_json(j, "m.json"); });
  };
  EXPECT_NE(message([](nlohmann::json& j) { j["input"]["bytes"] = 13; }).find("bytes"),
            std::string::npos);
  EXPECT_NE(message([](nlohmann::json& j) {
              j["output"]["shape"] = {1, 4};
            }).find("shape"),
            std::string::npos);
  EXPECT_NE(message([](nlohmann::json& j) { j.erase("arena_bytes"); }).find("arena_bytes"),
            std::string::npos);
  EXPECT_NE(message([](nlohmann::json& j) { j["version"] = 2; }).find("version"),
            std::string::npos);
  EXPECT_NE(message([](nlohmann::json& j) { j["extra"] = 1; }).find("extra"), std::string::npos);
  tinynas::testing::TempDir dir;
  EXPECT_NE(tinynas::testing::invalid_message([&] {
              read_project_manifest(dir.str());
            }).find("no model.json"),
            std::string::npos);
}

}  // namespace
}  // namespace tinynas::engine
