#include "memory_model/float_weights.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "memory_model/op_def.h"
#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::memory {
namespace {

constexpr const char* kFormat = "tinynas-float-weights";
constexpr int kVersion = 1;

std::string shape_text(const std::vector<int>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Appends the floats to the blob and returns their JSON reference.
nlohmann::json put(const FloatTensor& t, std::string& blob) {
  const size_t offset = blob.size();
  blob.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * sizeof(float));
  return {{"shape", t.shape}, {"offset", offset}};
}

nlohmann::json put(const std::vector<float>& v, std::string& blob) {
  return put(FloatTensor{{static_cast<int>(v.size())}, v}, blob);
}

}  // namespace

size_t FloatTensor::expected_size() const {
  return std::accumulate(shape.begin(), shape.end(), size_t{1},
                         [](size_t a, int b) { return a * static_cast<size_t>(std::max(b, 0)); });
}

const LayerWeights* FloatWeights::find(const std::string& name) const {
  for (const LayerWeights& l : layers)
    if (l.name == name) return &l;
  return nullptr;
}

const LayerWeights* FloatWeights::layer_of(const Op& op) const {
  return has_weights(op) ? find(op.name()) : nullptr;
}

bool has_weights(const Op& op) {
  return op_def(op.type).has_weights;
}

std::vector<int> expected_weight_shape(const Graph& graph, const Op& op) {
  return op_def(op.type).weight_shape(graph, op).to_vector();
}

void save_float_weights(const std::string& dir, const FloatWeights& weights) {
  std::filesystem::create_directories(dir);
  std::string blob;
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerWeights& l : weights.layers) {
    if (l.weight.data.size() != l.weight.expected_size())
      throw std::invalid_argument("layer '" + l.name + "': weight data does not match its shape");
    nlohmann::json j = {{"name", l.name}, {"type", to_string(l.type)}};
    j["weight"] = put(l.weight, blob);
    j["bias"] = l.bias ? put(*l.bias, blob) : nlohmann::json(nullptr);
    if (l.bn) {
      j["bn"] = {{"eps", l.bn->eps},
                 {"gamma", put(l.bn->gamma, blob)},
                 {"beta", put(l.bn->beta, blob)},
                 {"mean", put(l.bn->mean, blob)},
                 {"var", put(l.bn->var, blob)}};
    } else {
      j["bn"] = nullptr;
    }
    layers.push_back(j);
  }
  nlohmann::json manifest = {{"format", kFormat},
                             {"version", kVersion},
                             {"arch", weights.arch},
                             {"bytes", blob.size()},
                             {"layers", layers}};
  if (weights.input) {
    if (weights.input->mean.size() != weights.input->std.size())
      throw std::invalid_argument("input normalisation: mean and std differ in length");
    manifest["input"] = {{"mean", weights.input->mean}, {"std", weights.input->std}};
  }
  // Data first, manifest last: a folder with a manifest always has its data.
  util::write_file_atomically(dir + "/weights.bin", blob);
  util::write_file_atomically(dir + "/weights.json", manifest.dump(1) + "\n");
}

FloatWeights load_float_weights(const std::string& dir) {
  const std::string manifest_path = dir + "/weights.json";
  const std::string blob_path = dir + "/weights.bin";
  if (!std::filesystem::is_directory(dir))
    throw std::invalid_argument("weights folder '" + dir + "' does not exist");
  const nlohmann::json manifest = util::read_json_file(manifest_path);
  util::ObjectReader r(manifest, manifest_path);
  if (r.get<std::string>("format") != kFormat)
    r.fail("format", std::string("must be \"") + kFormat + "\"");
  if (r.get<int>("version") != kVersion)
    r.fail("version",
           "is not supported (this build reads version " + std::to_string(kVersion) + ")");
  const int64_t bytes = r.get<int64_t>("bytes");

  const std::optional<std::string> blob_file = util::read_file(blob_path);
  if (!blob_file) throw std::invalid_argument("cannot open '" + blob_path + "'");
  const std::string& blob = *blob_file;
  if (static_cast<int64_t>(blob.size()) != bytes)
    throw std::invalid_argument(blob_path + " has " + std::to_string(blob.size()) +
                                " bytes, the manifest says " + std::to_string(bytes) +
                                " (truncated or from another export?)");

  FloatWeights weights;
  weights.arch = r.at("arch");
  if (r.has("input")) {
    util::ObjectReader ir(r.at("input"), manifest_path + " input");
    InputNormalization n;
    n.mean = ir.get<std::vector<float>>("mean");
    n.std = ir.get<std::vector<float>>("std");
    ir.finish();
    if (n.mean.empty() || n.mean.size() != n.std.size())
      ir.fail("std", "must have one value per channel, as many as mean");
    for (float s : n.std)
      if (!(s > 0)) ir.fail("std", "values must be positive");
    weights.input = std::move(n);
  }
  const nlohmann::json& layers = r.at("layers");
  if (!layers.is_array()) r.fail("layers", "must be an array");
  r.finish();
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string where = manifest_path + " layers[" + std::to_string(i) + "]";
    util::ObjectReader lr(layers[i], where);
    LayerWeights l;
    l.name = lr.get<std::string>("name");
    const std::string type = lr.get<std::string>("type");
    if (!op_type_from_name(type, &l.type) || !op_def(l.type).has_weights) {
      std::string names;
      for (OpType t : op_types())
        if (op_def(t).has_weights) names += std::string(names.empty() ? "" : ", ") + to_string(t);
      lr.fail("type", "must be a weighted op type (" + names + "), got \"" + type + "\"");
    }
    const std::function<FloatTensor(const nlohmann::json&, const std::string&)> tensor =
        [&](const nlohmann::json& ref, const std::string& field) {
          util::ObjectReader tr(ref, where + " " + field);
          FloatTensor t;
          t.shape = tr.at("shape").get<std::vector<int>>();
          const int64_t offset = tr.get<int64_t>("offset");
          tr.finish();
          const size_t n = t.expected_size();
          if (offset < 0 || offset % 4 != 0 ||
              static_cast<size_t>(offset) + n * sizeof(float) > blob.size())
            tr.fail("offset", "points outside weights.bin");
          t.data.resize(n);
          std::memcpy(t.data.data(), blob.data() + offset, n * sizeof(float));
          return t;
        };
    l.weight = tensor(lr.at("weight"), "weight");
    if (!lr.at("bias").is_null()) l.bias = tensor(lr.at("bias"), "bias");
    if (!lr.at("bn").is_null()) {
      util::ObjectReader br(lr.at("bn"), where + " bn");
      BatchNorm bn;
      bn.eps = br.get<float>("eps");
      bn.gamma = tensor(br.at("gamma"), "bn.gamma").data;
      bn.beta = tensor(br.at("beta"), "bn.beta").data;
      bn.mean = tensor(br.at("mean"), "bn.mean").data;
      bn.var = tensor(br.at("var"), "bn.var").data;
      br.finish();
      l.bn = std::move(bn);
    }
    lr.finish();
    weights.layers.push_back(std::move(l));
  }
  return weights;
}

void check_weights_match(const Graph& graph, const FloatWeights& weights) {
  size_t weighted = 0;
  for (const Op& op : graph.ops()) {
    if (!has_weights(op)) continue;
    ++weighted;
    const std::string name = op.name();
    const LayerWeights* l = weights.find(name);
    if (!l) throw std::invalid_argument("weights have no layer '" + name + "' that the arch needs");
    const std::vector<int> shape = expected_weight_shape(graph, op);
    if (l->type != op.type)
      throw std::invalid_argument("layer '" + name + "' is " + to_string(l->type) +
                                  " in the weights but " + to_string(op.type) + " in the arch");
    if (l->weight.shape != shape)
      throw std::invalid_argument("layer '" + name + "': weight shape " +
                                  shape_text(l->weight.shape) + " does not match the arch's " +
                                  shape_text(shape));
    const size_t channels = static_cast<size_t>(shape[0]);
    if (l->bias && l->bias->data.size() != channels)
      throw std::invalid_argument("layer '" + name + "': bias has " +
                                  std::to_string(l->bias->data.size()) + " values, expected " +
                                  std::to_string(channels));
    if (l->bn && (l->bn->gamma.size() != channels || l->bn->beta.size() != channels ||
                  l->bn->mean.size() != channels || l->bn->var.size() != channels))
      throw std::invalid_argument("layer '" + name + "': batch norm size does not match " +
                                  std::to_string(channels) + " channels");
  }
  if (weights.layers.size() != weighted)
    throw std::invalid_argument("weights have " + std::to_string(weights.layers.size()) +
                                " layers but the arch has " + std::to_string(weighted) +
                                " weighted layers");
}

}  // namespace tinynas::memory
