// Every setting of a search run, from three layers: built-in defaults, an experiment JSON file
// (--config), then command-line flags. The file is read strictly: unknown keys and wrong types are
// errors naming the key. One table of fields in settings.cpp (key, type, help, rule) makes the
// reader, the writer, the validation and the reference (`tinynas config keys`); the defaults are
// the structs' own. configs/experiments/default.json spells them all out (a test keeps it equal
// to default_settings_json(), key for key).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nas/evolution.h"
#include "nas/space_optimizer.h"
#include "nas/space_trim.h"
#include "pipeline/accuracy_search_settings.h"
#include "pipeline/predictor_build_settings.h"
#include "supernet/options.h"

namespace tinynas::cli {

// The predictor and search sections' types live with the pipelines that use them.
using pipeline::AccuracySearchSettings;
using pipeline::PredictorBuildSettings;

struct Settings {
  std::string space = "mcunet";
  std::string board = "stm32f746";
  std::optional<int64_t> sram_bytes;   // overrides the board's SRAM size
  std::optional<int64_t> flash_bytes;  // overrides the board's Flash size
  std::string latency;                 // limit per inference ("250ms", "12M" cycles); empty: none
  std::string latency_model;           // empty: configs/latency/<the board's QEMU target>.json
  double latency_margin = 0.05;        // predictions must stay this fraction under the limit
  uint64_t seed = 0;
  int threads = 0;  // 0: all cores
  std::string out;  // empty: runs/<timestamp>
  nas::SpaceOptimizerOptions space_optimizer;
  int plot_top_spaces = 5;           // spaces drawn in the FLOPs CDF plot
  nas::SpaceTrimOptions space_trim;  // tinynas run: the supernet's space cut to what fits
  nas::EvolutionOptions evolution;
  // `tinynas evolve` only: the sub-space to search (default: the space optimiser's choice).
  std::optional<int> resolution;
  std::optional<double> width_mult;
  // The supernet (tinynas train / eval / extract): data set, network, training and evaluation.
  data::DatasetSpec data;
  supernet::SupernetOptions supernet;
  supernet::TrainOptions train;
  supernet::EvalOptions eval;
  PredictorBuildSettings predictor;
  AccuracySearchSettings search;
  supernet::FinetuneOptions finetune;  // tinynas finetune: the search's winner trained further
};

// Applies an experiment JSON object on top of settings. Throws std::invalid_argument naming the
// key on unknown keys or bad values.
void apply_experiment_json(const nlohmann::json& json, const std::string& context,
                           Settings& settings);
void apply_experiment_file(const std::string& path, Settings& settings);

// Every key with a value (sram and flash only when set), as an experiment file writes them.
nlohmann::json settings_to_json(const Settings& settings);
// settings_to_json(Settings{}): what `tinynas config defaults` prints.
nlohmann::json default_settings_json();

// What is wrong with the value of one key ("evolution.population") in settings, as its rule says
// ("must be at least 2"), or empty. For values set by command-line flags.
std::string setting_problem(const Settings& settings, const std::string& key);
// Throws std::invalid_argument naming the first key whose value breaks its rule.
void validate_settings(const Settings& settings);

// Every key with its type, default and meaning, as text (`tinynas config keys`).
std::string settings_reference();

}  // namespace tinynas::cli
