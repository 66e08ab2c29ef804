#include "cli/settings.h"

#include <gtest/gtest.h>

namespace tinynas::cli {
namespace {

TEST(SettingsTest, DefaultConfigFileSpellsOutTheBuiltInDefaults) {
  Settings from_file;
  apply_experiment_file(std::string(TINYNAS_TEST_CONFIG_DIR) + "/experiments/default.json",
                        from_file);
  EXPECT_EQ(settings_to_json(from_file), settings_to_json(Settings{}));
}

TEST(SettingsTest, OfaEvolutionDefaults) {
  const Settings s;
  EXPECT_EQ(s.evolution.population, 100);
  EXPECT_EQ(s.evolution.generations, 500);
  EXPECT_DOUBLE_EQ(s.evolution.parent_ratio, 0.25);
  EXPECT_DOUBLE_EQ(s.evolution.mutation_ratio, 0.5);
  EXPECT_DOUBLE_EQ(s.evolution.rates.block, 0.1);
  EXPECT_DOUBLE_EQ(s.evolution.rates.depth, 0.1);
  EXPECT_DOUBLE_EQ(s.evolution.rates.resolution, 0.5);
  EXPECT_EQ(s.space_optimizer.samples_per_space, 1000);
}

TEST(SettingsTest, RejectsBadValuesNamingTheKey) {
  const auto error = [](const char* text) -> std::string {
    Settings s;
    try {
      apply_experiment_json(nlohmann::json::parse(text), "cfg", s);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error(R"({"evolution": {"parent_ratio": 1.5}})").find("parent_ratio"),
            std::string::npos);
  EXPECT_NE(error(R"({"seed": "one"})").find("'seed' must be an integer"), std::string::npos);
  EXPECT_NE(error(R"({"sram": "12X"})").find("'sram'"), std::string::npos);
  EXPECT_NE(error(R"({"predictor": {"samples": 2}})").find("samples"), std::string::npos);
  EXPECT_NE(error(R"({"search": {"top_k": 0}})").find("top_k"), std::string::npos);
  EXPECT_NE(error(R"({"search": {"supernt": "x.pt"}})").find("supernt"), std::string::npos);
  EXPECT_NE(error(R"({"space_optimizer": {"samples": 0}})").find("samples"), std::string::npos);
  EXPECT_NE(error(R"([1, 2])").find("expected a JSON object"), std::string::npos);
  EXPECT_EQ(error(R"({"sram": "256K", "flash": 1048576})"), "");
}

}  // namespace
}  // namespace tinynas::cli
