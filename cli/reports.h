// The files a search leaves under --out (the README's contract): space_ranking.csv (one row per
// (R, W)), flops_cdf.csv (the CDF of the top spaces), evolution.csv (per generation), result.json.
// Every file is written atomically, so an interrupted run never leaves half a report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/evolution.h"
#include "nas/space_optimizer.h"
#include "pipeline/accuracy.h"

namespace tinynas::cli {

void write_space_ranking_csv(const std::string& path,
                             const std::vector<nas::SubspaceStats>& ranking);
// Long format: resolution, width_mult, macs, cdf -- for the first top_k spaces of the ranking.
void write_flops_cdf_csv(const std::string& path, const std::vector<nas::SubspaceStats>& ranking,
                         int top_k);
void write_evolution_csv(const std::string& path, const std::vector<nas::GenerationStats>& history);
void write_json(const std::string& path, const nlohmann::json& json);

nlohmann::json subspace_json(const nas::SubspaceStats& stats);

// `tinynas accuracy`'s accuracy.json.
nlohmann::json accuracy_json(const pipeline::AccuracyOptions& options,
                             const pipeline::AccuracyResult& result);

}  // namespace tinynas::cli
