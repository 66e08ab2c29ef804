#include "pipeline/export.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

#include "engine/quant_model_io.h"
#include "engine/quantizer.h"
#include "engine/random_weights.h"
#ifdef TINYNAS_WITH_ONNX
#include "engine/onnx_export.h"
#endif
#include "data/image_set.h"
#include "memory_model/float_weights.h"
#include "memory_model/scheduler.h"
#include "nas/lowering.h"
#include "nas/search_space.h"
#include "pipeline/data_input.h"
#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::pipeline {
namespace {

// Raw little-endian float32 inputs, HWC, one after the other.
std::vector<std::vector<float>> read_raw_float_inputs(const std::string& path,
                                                      const memory::Shape& shape, int limit) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::invalid_argument("--calib-data: cannot open '" + path + "'");
  const auto per = static_cast<size_t>(shape.elements());
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t input_bytes = per * sizeof(float);
  if (bytes.empty() || bytes.size() % input_bytes != 0)
    throw std::invalid_argument("--calib-data: '" + path + "' has " + std::to_string(bytes.size()) +
                                " bytes, not a positive multiple of one input (" +
                                std::to_string(shape.h) + "x" + std::to_string(shape.w) + "x" +
                                std::to_string(shape.c) +
                                " float32 = " + std::to_string(input_bytes) + " bytes)");
  size_t count = bytes.size() / input_bytes;
  if (limit > 0) count = std::min(count, static_cast<size_t>(limit));
  std::vector<std::vector<float>> inputs(count, std::vector<float>(per));
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(inputs[i].data(), bytes.data() + i * input_bytes, input_bytes);
    for (float v : inputs[i])
      if (!std::isfinite(v))
        throw std::invalid_argument("--calib-data: input " + std::to_string(i) +
                                    " holds a non-finite value");
  }
  return inputs;
}

std::vector<std::vector<float>> random_calibration(const memory::Shape& shape, int count,
                                                   uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0xCA11B);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<std::vector<float>> inputs(static_cast<size_t>(count),
                                         std::vector<float>(static_cast<size_t>(shape.elements())));
  for (auto& x : inputs)
    for (float& v : x) v = dist(rng);
  return inputs;
}

constexpr int kDefaultCalibrationImages = 500;

// Calibration images: a seeded subset of a data set's train split, made into network inputs with
// the weights' normalisation (and resized to the arch's resolution like the supernet does).
std::vector<std::vector<float>> calibration_images(
    const DataPath& data, const std::optional<memory::InputNormalization>& norm,
    bool random_weights, const memory::Shape& shape, int limit, uint64_t seed,
    const std::string& cache_dir, Observer& observer) {
  if (!norm)
    throw std::invalid_argument(
        "--calib-data '" + data.path + "' is a data set of images (" + data.kind_name() + "), " +
        (random_weights ? std::string("but --random-weights have")
                        : std::string("but the weights have")) +
        " no input normalisation (weights.json \"input\": {\"mean\": [...], \"std\": [...]}) to "
        "turn pixels into network inputs; extract the weights again, or give raw float32 inputs");
  const data::ImageSet all = load_image_split(data, "train", shape.c, cache_dir, "--calib-data");
  const data::ImageSet some =
      data::subset(all, limit > 0 ? limit : kDefaultCalibrationImages, seed);
  const bool resized = some.height != shape.h || some.width != shape.w;
  observer.note(
      NoteLevel::kInfo,
      "calibration: " + std::to_string(some.size()) + " of " + std::to_string(all.size()) +
          " train images of " + data.path + " (" + image_size_text(some) +
          (resized
               ? " resized bilinearly to " + std::to_string(shape.h) + "x" + std::to_string(shape.w)
               : std::string()) +
          ")");
  return images_to_inputs(some, *norm, shape, "--calib-data");
}

}  // namespace

ExportResult export_model(const ExportOptions& o, Observer& observer) {
  const bool random = o.random_weights;
  if (random == !o.weights_dir.empty())
    throw std::invalid_argument("give exactly one of --weights DIR and --random-weights");
  if (!random && o.calib_data.empty())
    throw std::invalid_argument(
        "--weights needs --calib-data (real inputs to calibrate the activation ranges)");
#ifndef TINYNAS_WITH_ONNX
  if (o.onnx)
    throw std::runtime_error(
        "--onnx: this tinynas was built without ONNX support (install libonnx-dev and "
        "libprotobuf-dev, see scripts/setup.sh, and rebuild)");
#endif

  ExportResult result;
  const nas::ArchFile file = nas::load_arch_file(o.arch_path, o.space, o.config_dir);
  const nas::Arch& arch = file.arch;
  const nas::SearchSpace& space = file.space;
  result.arch = arch;
  const memory::Graph graph = nas::lower(arch, space);
  const memory::Shape in_shape = graph.tensor(graph.input()).shape;
  const uint64_t seed = o.seed;

  memory::FloatWeights weights;
  if (random) {
    weights = engine::random_float_weights(graph, seed);
    weights.arch = nas::arch_to_json(arch);
  } else {
    const std::string& dir = o.weights_dir;
    weights = memory::load_float_weights(dir);
    if (!weights.arch.is_null() &&
        nas::arch_from_json(weights.arch, dir + "/weights.json arch") != arch)
      throw std::invalid_argument("weights in '" + dir + "' belong to another arch (" +
                                  nas::arch_from_json(weights.arch, dir).summary() + ") than " +
                                  o.arch_path + " (" + arch.summary() + ")");
    try {
      memory::check_weights_match(graph, weights);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(dir + ": " + e.what());
    }
  }

  const int limit = o.calib_count;
  if (limit < 0) throw std::invalid_argument("--calib-count must not be negative");
  const std::string& out = o.out;
  std::vector<std::vector<float>> calibration;
  if (!o.calib_data.empty()) {
    const DataPath data = detect_data_path(o.calib_data, "--calib-data");
    if (data.images()) {
      const std::string cache = o.cache_dir ? *o.cache_dir : default_cache_dir(out, data.path);
      calibration =
          calibration_images(data, weights.input, random, in_shape, limit, seed, cache, observer);
    } else {
      calibration = read_raw_float_inputs(data.path, in_shape, limit);
    }
  } else {
    calibration = random_calibration(in_shape, limit > 0 ? limit : 8, seed);
  }
  result.calibration_inputs = calibration.size();

  engine::QuantizeOptions qopt;
  if (o.percentile) {
    qopt.calibration = engine::QuantizeOptions::Calibration::kPercentile;
    qopt.percentile = *o.percentile;
  }
  observer.note(NoteLevel::kInfo, arch.summary() + ": quantising with " +
                                      std::to_string(calibration.size()) + " calibration inputs");
  const engine::QuantModel model = engine::quantize(graph, weights, calibration, qopt);
  const memory::MemoryPlan plan = memory::Scheduler().schedule(graph);
  result.lower_bound = plan.lower_bound;

  engine::CProjectOptions copt;
  copt.title = arch.summary();
  result.project = engine::write_c_project(model, plan, out, copt);
  engine::save_quant_model(out + "/quant_model.json", model);
  util::write_file_atomically(out + "/arch.json", nas::arch_to_json(arch).dump(2) + "\n");
  result.files = result.project.files.size() + 2;
#ifdef TINYNAS_WITH_ONNX
  if (o.onnx) {
    engine::OnnxExportOptions oopt;
    oopt.doc_string = arch.summary();
    oopt.producer_version = o.producer_version;
    engine::write_onnx_model(out + "/model.onnx", graph, weights, oopt);
    ++result.files;
  }
#endif

  // Quantisation error on a few of the calibration inputs.
  result.error_inputs = std::min<size_t>(calibration.size(), 4);
  result.errors = engine::quantization_error(
      model, weights,
      std::vector<std::vector<float>>(
          calibration.begin(),
          calibration.begin() + static_cast<std::ptrdiff_t>(result.error_inputs)));
  return result;
}

}  // namespace tinynas::pipeline
