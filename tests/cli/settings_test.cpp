#include "cli/settings.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "util/json_reader.h"

namespace tinynas::cli {
namespace {

const std::string kExperiments = std::string(TINYNAS_TEST_CONFIG_DIR) + "/experiments";

// The file and the generated defaults, compared as JSON: every key in both directions (a key
// dropped from the file, a key in the file that the table lacks, a default changed in a struct
// all fail), values included. The patch in the message names the differing keys.
TEST(SettingsTest, DefaultConfigFileIsTheGeneratedDefaultsKeyForKey) {
  nlohmann::json file = util::read_json_file(kExperiments + "/default.json");
  ASSERT_TRUE(file.contains("description"));
  file.erase("description");  // the one key that is documentation, not a setting
  // The JSON patch from the file to the generated defaults names each differing key.
  const nlohmann::json patch = nlohmann::json::diff(file, default_settings_json());
  ASSERT_TRUE(patch.empty()) << "configs/experiments/default.json differs from the generated "
                                "defaults (tinynas config defaults):\n"
                             << patch.dump(2);
  // Every section is spelled out, down to each phase of progressive shrinking.
  EXPECT_EQ(file.at("train").at("phases").size(), Settings{}.train.phases.size());
  EXPECT_FALSE(file.contains("sram"));  // no default: the board's
}

TEST(SettingsTest, DefaultConfigFileReadsBackToTheDefaults) {
  Settings from_file;
  from_file.evolution.population = 7;  // the file must set it back
  apply_experiment_file(kExperiments + "/default.json", from_file);
  EXPECT_EQ(settings_to_json(from_file), default_settings_json());
}

// Whatever is written reads back to itself, for every experiment file of the repository.
TEST(SettingsTest, ExperimentFilesRoundTrip) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kExperiments)) {
    Settings once;
    apply_experiment_file(entry.path().string(), once);
    const nlohmann::json written = settings_to_json(once);
    Settings twice;
    apply_experiment_json(written, "written", twice);
    EXPECT_EQ(settings_to_json(twice), written) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 5);
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

std::string error_of(const char* text) {
  Settings s;
  try {
    apply_experiment_json(nlohmann::json::parse(text), "cfg", s);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SettingsTest, RejectsBadValuesNamingTheKey) {
  EXPECT_EQ(error_of(R"({"evolution": {"parent_ratio": 1.5}})"),
            "cfg evolution: 'parent_ratio' must be in (0, 1]");
  EXPECT_NE(error_of(R"({"seed": "one"})").find("'seed' must be an integer"), std::string::npos);
  EXPECT_EQ(error_of(R"({"seed": -1})"), "cfg: 'seed' must be >= 0");
  EXPECT_NE(error_of(R"({"sram": "12X"})").find("'sram'"), std::string::npos);
  EXPECT_EQ(error_of(R"({"predictor": {"samples": 2}})"),
            "cfg predictor: 'samples' must be at least 5");
  EXPECT_EQ(error_of(R"({"search": {"top_k": 0}})"), "cfg search: 'top_k' must be at least 1");
  EXPECT_NE(error_of(R"({"search": {"supernt": "x.pt"}})").find("supernt"), std::string::npos);
  EXPECT_NE(error_of(R"({"space_optimizer": {"samples": 0}})").find("samples"), std::string::npos);
  EXPECT_NE(error_of(R"([1, 2])").find("expected a JSON object"), std::string::npos);
  EXPECT_EQ(error_of(R"({"data": {"kind": "csv"}})"),
            "cfg data: 'kind' must be \"image_folder\", \"mnist\" or \"synthetic\", got \"csv\"");
  EXPECT_EQ(error_of(R"({"data": {"synthetic": {"classes": 1}}})"),
            "cfg data synthetic: 'classes' must be at least 2");
  EXPECT_EQ(error_of(R"({"evolution": {"depth_mutation_prob": 2}})"),
            "cfg evolution: 'depth_mutation_prob' must be a probability in [0, 1]");
  EXPECT_EQ(error_of(R"({"sram": "256K", "flash": 1048576})"), "");
}

// The training rules are the supernet library's (the trainer applies the same ones).
TEST(SettingsTest, TrainingAndPhaseRulesNameTheKey) {
  EXPECT_EQ(error_of(R"({"train": {"device": "tpu"}})"),
            "cfg train: 'device' must be \"cpu\" or \"cuda\", got \"tpu\"");
  EXPECT_EQ(error_of(R"({"train": {"augment": {"pad": -1}}})"),
            "cfg train augment: 'pad' must be >= 0");
  EXPECT_EQ(error_of(R"({"train": {"checkpoint_minutes": -1}})"),
            "cfg train: 'checkpoint_minutes' must be >= 0 (0 = only at epoch ends)");
  EXPECT_EQ(error_of(R"({"train": {"checkpoint_minutes": 0.01}})"), "");
  EXPECT_EQ(error_of(R"({"train": {"resolutions": [32, 4]}})"),
            "cfg train: 'resolutions' entries must be at least 8, got 4");
  EXPECT_EQ(error_of(R"({"train": {"phases": []}})"),
            "cfg train: 'phases' must be a non-empty array");
  EXPECT_EQ(error_of(R"({"train": {"phases": [{"name": "a"}, {"name": "b", "lr": 0}]}})"),
            "cfg train phases[1]: 'lr' must be positive");
  EXPECT_EQ(error_of(R"({"train": {"phases": [{"epochs": 1}]}})"),
            "cfg train phases[0]: 'name' is missing");
  EXPECT_NE(error_of(R"({"train": {"phases": [{"name": "a", "lrr": 1}]}})").find("'lrr'"),
            std::string::npos);
  EXPECT_EQ(error_of(R"({"train": {"phases": [{"name": "a", "sampling": "sandwich"}]}})"),
            "cfg train phases[0]: 'subnets_per_step' must be at least 2 with the sandwich rule "
            "(largest and smallest sub-net)");
  EXPECT_EQ(error_of(R"({"train": {"phases": [{"name": "a", "elastic": ["width"]}]}})"),
            "cfg train phases[0]: 'elastic' entries must be \"kernel\", \"depth\" or \"expand\", "
            "got \"width\"");
}

TEST(SettingsTest, ValidationNamesTheKeyPath) {
  Settings s;
  EXPECT_NO_THROW(validate_settings(s));
  EXPECT_EQ(setting_problem(s, "evolution.population"), "");
  s.evolution.population = 1;
  EXPECT_EQ(setting_problem(s, "evolution.population"), "must be at least 2");
  try {
    validate_settings(s);
    ADD_FAILURE() << "population 1 passed";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "settings: 'evolution.population' must be at least 2");
  }
  s = Settings{};
  s.train.phases[2].subnets_per_step = 0;
  EXPECT_THROW(validate_settings(s), std::invalid_argument);
}

// The reference lists every key that default_settings_json writes, with its default.
TEST(SettingsTest, ReferenceDescribesEveryKey) {
  const std::string reference = settings_reference();
  EXPECT_NE(reference.find("  evolution.population (integer, default 100)"), std::string::npos)
      << reference;
  EXPECT_NE(reference.find("  sram (size"), std::string::npos);
  EXPECT_NE(reference.find("  train.phases[].name (string, required)"), std::string::npos);
  const auto walk = [&](const auto& self, const nlohmann::json& j,
                        const std::string& path) -> void {
    for (const auto& [key, value] : j.items()) {
      const std::string name = path.empty() ? key : path + "." + key;
      if (value.is_object())
        self(self, value, name);
      else
        EXPECT_NE(reference.find("  " + name + " ("), std::string::npos) << name;
    }
  };
  walk(walk, default_settings_json(), "");
}

}  // namespace
}  // namespace tinynas::cli
