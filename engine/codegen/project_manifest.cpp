#include "engine/codegen/project_manifest.h"

#include <filesystem>

#include "util/json_reader.h"

namespace tinynas::engine {
namespace {

constexpr const char* kFormat = "tinynas-c-project";
constexpr int kVersion = 1;

nlohmann::json tensor_json(const memory::Shape& shape, int64_t bytes) {
  return {{"shape", {shape.h, shape.w, shape.c}}, {"bytes", bytes}};
}

// One of "input" / "output": its shape and a byte size that must agree with it.
void read_tensor(util::ObjectReader& parent, const std::string& key, memory::Shape* shape,
                 int64_t* bytes) {
  util::ObjectReader r(parent.at(key), parent.context() + " " + key);
  const std::vector<int> dims = r.get<std::vector<int>>("shape");
  *bytes = r.get<int64_t>("bytes");
  r.finish();
  if (dims.size() != 3 || dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0)
    r.fail("shape", "must be [h, w, c] with positive sizes");
  *shape = memory::Shape{dims[0], dims[1], dims[2]};
  if (*bytes != shape->elements())
    r.fail("bytes", "must be h * w * c = " + std::to_string(shape->elements()) + " (int8)");
}

}  // namespace

nlohmann::json project_manifest_to_json(const ProjectManifest& m) {
  return {{"format", kFormat},
          {"version", kVersion},
          {"arena_bytes", m.arena_bytes},
          {"layers", m.layers},
          {"input", tensor_json(m.input_shape, m.input_bytes)},
          {"output", tensor_json(m.output_shape, m.output_bytes)}};
}

ProjectManifest project_manifest_from_json(const nlohmann::json& json, const std::string& context) {
  util::ObjectReader r(json, context);
  if (r.get<std::string>("format") != kFormat)
    r.fail("format", std::string("must be \"") + kFormat + "\"");
  if (r.get<int>("version") != kVersion)
    r.fail("version",
           "is not supported (this build reads version " + std::to_string(kVersion) + ")");
  ProjectManifest m;
  m.arena_bytes = r.get<int64_t>("arena_bytes");
  if (m.arena_bytes <= 0) r.fail("arena_bytes", "must be positive");
  // Optional: manifests written before per-layer profiling have no layer count.
  m.layers = r.optional<int64_t>("layers", 0);
  if (m.layers < 0) r.fail("layers", "must not be negative");
  read_tensor(r, "input", &m.input_shape, &m.input_bytes);
  read_tensor(r, "output", &m.output_shape, &m.output_bytes);
  r.finish();
  return m;
}

ProjectManifest read_project_manifest(const std::string& model_dir) {
  const std::string path = (std::filesystem::path(model_dir) / "model.json").string();
  if (!std::filesystem::is_regular_file(path))
    throw std::invalid_argument("model folder '" + model_dir +
                                "' has no model.json (expected a project written by tinynas "
                                "export)");
  return project_manifest_from_json(util::read_json_file(path), path);
}

}  // namespace tinynas::engine
