// A QuantModel on disk, so a model folder is self-contained for `tinynas verify`: one JSON file
// with the graph (ops in order, replayed through the Graph API on load), per-tensor scale and zero
// point, per-op integer parameters (weights as integer arrays) and, when the model has one, the
// input normalisation ("input_normalization": {"mean": [...], "std": [...]}).
//
//   save_quant_model("model/quant_model.json", model);
//   QuantModel m = load_quant_model("model/quant_model.json");
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/quant_model.h"

namespace tinynas::engine {

nlohmann::json graph_to_json(const memory::Graph& graph);
// Throws std::invalid_argument naming the op when the JSON does not describe a valid graph.
memory::Graph graph_from_json(const nlohmann::json& json, const std::string& context);

nlohmann::json quant_model_to_json(const QuantModel& model);
QuantModel quant_model_from_json(const nlohmann::json& json, const std::string& context);

// Written atomically.
void save_quant_model(const std::string& path, const QuantModel& model);
// Throws std::invalid_argument naming the file when it is missing or inconsistent.
QuantModel load_quant_model(const std::string& path);

}  // namespace tinynas::engine
