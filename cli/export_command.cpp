// tinynas export ARCH.json: quantise a sub-net to int8 and write its self-contained C project
// (engine/codegen/c_project.h) plus quant_model.json, which `tinynas verify` needs, and with --onnx
// the float sub-net as model.onnx (engine/onnx_export.h; only in builds with ONNX support).
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/config_dir.h"
#include "cli/data_input.h"
#include "cli/options.h"
#include "engine/codegen/c_project.h"
#ifdef TINYNAS_WITH_ONNX
#include "engine/onnx_export.h"
#endif
#include "engine/quant_model_io.h"
#include "engine/quantization_error.h"
#include "engine/quantizer.h"
#include "engine/random_weights.h"
#include "memory_model/float_weights.h"
#include "memory_model/scheduler.h"
#include "nas/arch.h"
#include "nas/lowering.h"
#include "supernet/data/image_set.h"
#include "util/byte_size.h"
#include "util/json_reader.h"

namespace tinynas::cli {
namespace {

// Raw little-endian float32 inputs, HWC, one after the other.
std::vector<std::vector<float>> read_raw_float_inputs(const std::string& path,
                                                      const memory::Shape& shape, int limit) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::invalid_argument("--calib-data: cannot open '" + path + "'");
  const auto per = static_cast<size_t>(shape.elements());
  std::vector<float> all;
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
    const std::string& cache_dir) {
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
  spdlog::info(
      "calibration: {} of {} train images of {} ({}{})", some.size(), all.size(), data.path,
      image_size_text(some),
      resized ? " resized bilinearly to " + std::to_string(shape.h) + "x" + std::to_string(shape.w)
              : std::string());
  return images_to_inputs(some, *norm, shape, "--calib-data");
}

}  // namespace

int export_command(int argc, char** argv) {
  cxxopts::Options options(
      "tinynas export",
      "Quantise a sub-net to int8 and write a self-contained C99 project (model.h/.c, weights.c, "
      "the kernels it uses, CMakeLists.txt, Makefile, schedule.json, quant_model.json).");
  options.positional_help("ARCH.json");
  options.add_options()("arch", "arch JSON file", cxxopts::value<std::string>())(
      "weights", "float weights folder from the supernet extraction",
      cxxopts::value<std::string>())("random-weights", "random weights (tests and sizing)")(
      "seed", "seed for --random-weights, random calibration and the calibration images' choice",
      cxxopts::value<uint64_t>()->default_value("1"))(
      "calib-data",
      "calibration inputs: a data set (an image folder train/<class>/*.jpg|png, its .tar.gz, or "
      "an MNIST idx folder; its train split, normalised with the weights' input normalisation "
      "and resized to the arch's resolution), or a file of raw float32 HWC inputs, concatenated",
      cxxopts::value<std::string>())(
      "calib-count",
      "use at most this many calibration inputs (default or 0: 500 images of a data set, a "
      "seeded choice; all raw inputs)",
      cxxopts::value<int>())(
      "cache",
      "folder for the decoded data set (default: .cache/<data name> beside the --out folder)",
      cxxopts::value<std::string>())("no-cache", "decode the data set without caching it")(
      "percentile", "calibrate activations to this percentile (e.g. 99.99) instead of min/max",
      cxxopts::value<double>())("out", "output folder", cxxopts::value<std::string>())(
      "onnx", "also write the float sub-net as ONNX (model.onnx, BN folded into the convs)")(
      "config-dir", "folder holding spaces/ and boards/", cxxopts::value<std::string>())(
      "v,verbose", "print the per-layer quantisation error")("h,help", "show this help");
  options.parse_positional({"arch"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("arch")) throw std::invalid_argument("tinynas export needs an ARCH.json file");
  if (!parsed.count("out")) throw std::invalid_argument("tinynas export needs --out DIR");
  const bool random = parsed.count("random-weights") > 0;
  if (random == (parsed.count("weights") > 0))
    throw std::invalid_argument("give exactly one of --weights DIR and --random-weights");
  if (!random && !parsed.count("calib-data"))
    throw std::invalid_argument(
        "--weights needs --calib-data (real inputs to calibrate the activation ranges)");
#ifndef TINYNAS_WITH_ONNX
  if (parsed.count("onnx"))
    throw std::runtime_error(
        "--onnx: this tinynas was built without ONNX support (install libonnx-dev and "
        "libprotobuf-dev, see scripts/setup.sh, and rebuild)");
#endif

  const std::string config_dir = config_dir_option(parsed);
  const std::string arch_path = parsed["arch"].as<std::string>();
  const nas::Arch arch = nas::arch_from_json(util::read_json_file(arch_path), arch_path);
  const nas::SearchSpace space = nas::load_space(arch.space, config_dir);
  try {
    nas::validate(arch, space);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(arch_path + ": " + e.what());
  }
  const memory::Graph graph = nas::lower(arch, space);
  const memory::Shape in_shape = graph.tensor(graph.input()).shape;
  const uint64_t seed = parsed["seed"].as<uint64_t>();

  memory::FloatWeights weights;
  if (random) {
    weights = engine::random_float_weights(graph, seed);
    weights.arch = nas::arch_to_json(arch);
  } else {
    const std::string dir = parsed["weights"].as<std::string>();
    weights = memory::load_float_weights(dir);
    if (!weights.arch.is_null() &&
        nas::arch_from_json(weights.arch, dir + "/weights.json arch") != arch)
      throw std::invalid_argument("weights in '" + dir + "' belong to another arch (" +
                                  nas::arch_from_json(weights.arch, dir).summary() + ") than " +
                                  arch_path + " (" + arch.summary() + ")");
    try {
      memory::check_weights_match(graph, weights);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(dir + ": " + e.what());
    }
  }

  const int limit = parsed.count("calib-count") ? parsed["calib-count"].as<int>() : 0;
  if (limit < 0) throw std::invalid_argument("--calib-count must not be negative");
  const std::string out = parsed["out"].as<std::string>();
  std::vector<std::vector<float>> calibration;
  if (parsed.count("calib-data")) {
    const DataPath data = detect_data_path(parsed["calib-data"].as<std::string>(), "--calib-data");
    if (data.images()) {
      const std::string cache = parsed.count("no-cache") ? ""
                                : parsed.count("cache")  ? parsed["cache"].as<std::string>()
                                                         : default_cache_dir(out, data.path);
      calibration = calibration_images(data, weights.input, random, in_shape, limit, seed, cache);
    } else {
      calibration = read_raw_float_inputs(data.path, in_shape, limit);
    }
  } else {
    calibration = random_calibration(in_shape, limit > 0 ? limit : 8, seed);
  }

  engine::QuantizeOptions qopt;
  if (parsed.count("percentile")) {
    qopt.calibration = engine::QuantizeOptions::Calibration::kPercentile;
    qopt.percentile = parsed["percentile"].as<double>();
  }
  spdlog::info("{}: quantising with {} calibration inputs", arch.summary(), calibration.size());
  const engine::QuantModel model = engine::quantize(graph, weights, calibration, qopt);
  const memory::MemoryPlan plan = memory::Scheduler().schedule(graph);

  engine::CProjectOptions copt;
  copt.title = arch.summary();
  const engine::CProjectInfo info = engine::write_c_project(model, plan, out, copt);
  engine::save_quant_model(out + "/quant_model.json", model);
  util::write_file_atomically(out + "/arch.json", nas::arch_to_json(arch).dump(2) + "\n");
#ifdef TINYNAS_WITH_ONNX
  if (parsed.count("onnx")) {
    engine::OnnxExportOptions oopt;
    oopt.doc_string = arch.summary();
    oopt.producer_version = TINYNAS_VERSION;
    engine::write_onnx_model(out + "/model.onnx", graph, weights, oopt);
  }
#endif

  std::printf("exported %s to %s (%zu files, kernels:", arch.summary().c_str(), out.c_str(),
              info.files.size() + 2 + parsed.count("onnx"));
  for (const std::string& k : info.kernel_files)
    if (k.size() > 2 && k.compare(k.size() - 2, 2, ".c") == 0) std::printf(" %s", k.c_str());
  std::printf(")\n");
  std::printf("arena %lld bytes (%s; live-set lower bound %lld), weights %lld bytes\n",
              static_cast<long long>(info.arena_bytes),
              util::format_byte_size(info.arena_bytes).c_str(),
              static_cast<long long>(plan.lower_bound), static_cast<long long>(info.weight_bytes));

  // Quantisation error on a few of the calibration inputs.
  const size_t n_err = std::min<size_t>(calibration.size(), 4);
  const std::vector<engine::LayerError> errors = engine::quantization_error(
      model, weights,
      std::vector<std::vector<float>>(calibration.begin(),
                                      calibration.begin() + static_cast<std::ptrdiff_t>(n_err)));
  if (parsed.count("verbose")) {
    std::printf("%-16s %10s %14s %14s\n", "layer", "SNR dB", "max |error|", "max |value|");
    for (const engine::LayerError& e : errors)
      std::printf("%-16s %10.2f %14.5f %14.5f\n", e.name.c_str(), e.snr_db, e.max_abs_error,
                  e.max_abs_value);
  }
  std::printf("output SNR int8 vs float: %.2f dB over %zu inputs\n", errors.back().snr_db, n_err);
  return 0;
}

}  // namespace tinynas::cli
