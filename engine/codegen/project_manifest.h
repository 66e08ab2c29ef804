// model.json: what programs around a generated project need to know about it without reading C
// (the firmware harness's builder, tinynas verify): the input and output shapes and byte sizes and
// the arena. The code generator writes it beside model.h from the same numbers; this file is the
// only reader.
//
//   ProjectManifest m = read_project_manifest("model/");   // m.input_bytes, m.output_bytes
//
//   {"format": "tinynas-c-project", "version": 1, "arena_bytes": 46080, "layers": 62,
//    "input": {"shape": [48, 48, 3], "bytes": 6912}, "output": {"shape": [1, 1, 1000], ...}}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "memory_model/graph.h"

namespace tinynas::engine {

struct ProjectManifest {
  memory::Shape input_shape;
  memory::Shape output_shape;
  int64_t input_bytes = 0;  // int8 HWC: elements of the shape
  int64_t output_bytes = 0;
  int64_t arena_bytes = 0;  // TINYNAS_ARENA_BYTES
  // TINYNAS_LAYERS: ops in tinynas_invoke(), each followed by the profiling hook (model.h); 0 for
  // projects exported before the hook existed (they cannot be profiled).
  int64_t layers = 0;
};

nlohmann::json project_manifest_to_json(const ProjectManifest& manifest);
// Throws std::invalid_argument naming `context` and the field when json is not a manifest.
ProjectManifest project_manifest_from_json(const nlohmann::json& json, const std::string& context);
// model_dir/model.json; throws std::invalid_argument naming the folder when it has none.
ProjectManifest read_project_manifest(const std::string& model_dir);

}  // namespace tinynas::engine
