// Every setting of a search run, from three layers: built-in defaults, an experiment JSON file
// (--config), then command-line flags. The file is read strictly: unknown keys and wrong types are
// errors naming the key. configs/experiments/default.json spells out the defaults.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nas/evolution.h"
#include "nas/space_optimizer.h"
#include "pipeline/accuracy_search_settings.h"
#include "pipeline/predictor_build_settings.h"
#include "supernet/data/dataset.h"
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
  uint64_t seed = 0;
  int threads = 0;  // 0: all cores
  std::string out;  // empty: runs/<timestamp>
  nas::SpaceOptimizerOptions space_optimizer;
  int plot_top_spaces = 5;  // spaces drawn in the FLOPs CDF plot
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
};

// Applies an experiment JSON object on top of settings. Throws std::invalid_argument naming the
// key on unknown keys or bad values.
void apply_experiment_json(const nlohmann::json& json, const std::string& context,
                           Settings& settings);
void apply_experiment_file(const std::string& path, Settings& settings);

nlohmann::json settings_to_json(const Settings& settings);

}  // namespace tinynas::cli
