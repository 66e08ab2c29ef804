// tinynas accuracy MODEL_DIR --data DATA [--weights DIR]: top-1 of an exported int8 model on a data
// set's test split, beside the float network's top-1 from the same float inputs when the float
// weights are given, and how often the two agree. The int8 side runs the generated C compiled for
// the host (engine/host_verify.h, bit-exact with the reference interpreter) or the reference
// interpreter itself; the float side engine/float_interpreter.h. Images become inputs as the
// supernet feeds them (engine/input_preprocessing.h), with the normalisation the export stored.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "cli/commands.h"
#include "cli/data_input.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "engine/float_interpreter.h"
#include "engine/host_verify.h"
#include "engine/input_preprocessing.h"
#include "engine/quant_model_io.h"
#include "engine/reference_interpreter.h"
#include "memory_model/float_weights.h"
#include "supernet/data/image_set.h"
#include "util/file_io.h"

namespace tinynas::cli {
namespace {

// Index of the largest value, the first one on ties (as torch.argmax); *tie says whether another
// class has the same value.
template <typename T>
int argmax(const T* v, int n, bool* tie) {
  int best = 0;
  *tie = false;
  for (int i = 1; i < n; ++i) {
    if (v[i] > v[best]) {
      best = i;
      *tie = false;
    } else if (v[i] == v[best]) {
      *tie = true;
    }
  }
  return best;
}

bool same_normalization(const memory::InputNormalization& a, const memory::InputNormalization& b) {
  return a.mean == b.mean && a.std == b.std;
}

nlohmann::json top1_json(int64_t correct, int64_t n) {
  return {{"top1", 100.0 * static_cast<double>(correct) / static_cast<double>(n)},
          {"correct", correct},
          {"images", n}};
}

}  // namespace

int accuracy_command(int argc, char** argv) {
  cxxopts::Options options(
      "tinynas accuracy",
      "Top-1 of an exported int8 model on a data set's test split, and of the float network from "
      "the same inputs (--weights): both top-1s, their difference and how often their argmaxes "
      "agree. Writes MODEL_DIR/accuracy.json.");
  options.positional_help("MODEL_DIR");
  options.add_options()("model", "folder written by tinynas export", cxxopts::value<std::string>())(
      "data",
      "the data set: an image folder (test/<class>/*.jpg|png), its .tar.gz, or an MNIST idx folder",
      cxxopts::value<std::string>())(
      "weights", "float weights folder the model was exported from: also measure the float network",
      cxxopts::value<std::string>())("split", "the split to measure",
                                     cxxopts::value<std::string>()->default_value("test"))(
      "limit", "measure a seeded choice of this many images (0: all)",
      cxxopts::value<int>()->default_value("0"))("seed", "seed of the --limit choice",
                                                 cxxopts::value<uint64_t>()->default_value("1"))(
      "int8",
      "how to run the int8 model: host (the generated C compiled with --compiler) or reference "
      "(the C++ reference interpreter; slower)",
      cxxopts::value<std::string>()->default_value("host"))(
      "compiler", "host C compiler", cxxopts::value<std::string>()->default_value("gcc"))(
      "threads", "worker threads (0: one per core)", cxxopts::value<int>()->default_value("0"))(
      "cache", "folder for the decoded data set (default: .cache/<data name> beside MODEL_DIR)",
      cxxopts::value<std::string>())("no-cache", "decode the data set without caching it")(
      "json", "where to write the results (default MODEL_DIR/accuracy.json)",
      cxxopts::value<std::string>())("quiet", "no progress line")("h,help", "show this help");
  options.parse_positional({"model"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("model")) throw std::invalid_argument("tinynas accuracy needs a MODEL_DIR");
  if (!parsed.count("data"))
    throw std::invalid_argument("tinynas accuracy needs --data (a data set with a test split)");
  const std::string dir = parsed["model"].as<std::string>();
  const int limit = parsed["limit"].as<int>();
  if (limit < 0) throw std::invalid_argument("--limit must not be negative");
  const std::string int8_engine = parsed["int8"].as<std::string>();
  if (int8_engine != "host" && int8_engine != "reference")
    throw std::invalid_argument("--int8 must be host or reference, got '" + int8_engine + "'");
  int threads = parsed["threads"].as<int>();
  if (threads < 0) throw std::invalid_argument("--threads must not be negative");
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!std::filesystem::is_regular_file(dir + "/quant_model.json"))
    throw std::invalid_argument("'" + dir +
                                "' is not an exported model folder (no quant_model.json)");
  const engine::QuantModel model = engine::load_quant_model(dir + "/quant_model.json");
  const memory::Graph& graph = model.graph;
  const memory::Shape in_shape = graph.tensor(graph.input()).shape;
  const int classes = static_cast<int>(graph.tensor(graph.output()).shape.elements());

  // The float network, and the normalisation: the model's, else the weights'.
  std::optional<memory::FloatWeights> weights;
  std::unique_ptr<engine::FloatInterpreter> float_net;
  if (parsed.count("weights")) {
    const std::string wdir = parsed["weights"].as<std::string>();
    weights = memory::load_float_weights(wdir);
    try {
      memory::check_weights_match(graph, *weights);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(wdir + " does not fit the model in " + dir + ": " + e.what());
    }
    float_net = std::make_unique<engine::FloatInterpreter>(graph, *weights);
    if (model.input_normalization && weights->input &&
        !same_normalization(*model.input_normalization, *weights->input))
      throw std::invalid_argument("the input normalisation of " + wdir + " differs from the one " +
                                  dir + " was exported with");
  }
  std::optional<memory::InputNormalization> norm = model.input_normalization;
  if (!norm && weights) norm = weights->input;
  if (!norm)
    throw std::invalid_argument(
        "'" + dir + "' has no input normalisation (it was exported from weights without one)" +
        (weights ? " and neither has --weights" : "") + ": cannot turn pixels into network inputs");

  const DataPath data = detect_data_path(parsed["data"].as<std::string>(), "--data");
  if (!data.images())
    throw std::invalid_argument("--data: '" + data.path +
                                "' is not a data set of images (an image folder, its .tar.gz or "
                                "an MNIST idx folder)");
  const std::string split = parsed["split"].as<std::string>();
  const std::string cache = parsed.count("no-cache") ? ""
                            : parsed.count("cache")  ? parsed["cache"].as<std::string>()
                                                     : default_cache_dir(dir, data.path);
  const data::ImageSet all = load_image_split(data, split, in_shape.c, cache, "--data");
  if (all.num_classes() > classes)
    throw std::invalid_argument("--data: '" + data.path + "' has " +
                                std::to_string(all.num_classes()) + " classes, the model outputs " +
                                std::to_string(classes));
  const data::ImageSet set = data::subset(all, limit, parsed["seed"].as<uint64_t>());
  const int64_t n = set.size();
  // Checks channels and normalisation before any work.
  const engine::ImagePreprocessor prep(*norm, set.height, set.width, set.channels, in_shape);

  std::unique_ptr<engine::HostModel> host;
  if (int8_engine == "host") {
    engine::HostBuildOptions hopt;
    hopt.compiler = parsed["compiler"].as<std::string>();
    host = std::make_unique<engine::HostModel>(dir, hopt);
  }

  // Workers take chunks of images: inputs, the int8 model on the chunk, the float network per
  // image. Predictions land in per-image slots, so the result does not depend on the threads.
  const auto start = std::chrono::steady_clock::now();
  std::vector<int> int8_pred(static_cast<size_t>(n)), float_pred(static_cast<size_t>(n), -1);
  std::vector<char> int8_tie(static_cast<size_t>(n));
  const int64_t chunk = std::clamp<int64_t>(n / (4 * threads), 1, 64);
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  Progress progress("accuracy", n, !parsed.count("quiet"));
  const auto in_bytes = static_cast<size_t>(in_shape.elements());
  const auto work = [&] {
    try {
      for (;;) {
        const int64_t begin = next.fetch_add(chunk);
        if (begin >= n || failed) return;
        const int64_t end = std::min(n, begin + chunk);
        const int count = static_cast<int>(end - begin);
        std::vector<int8_t> q(in_bytes * static_cast<size_t>(count));
        std::vector<std::vector<float>> x;
        for (int64_t i = begin; i < end; ++i) {
          x.push_back(prep(set.image(i)));
          const std::vector<int8_t> qi = engine::quantize_input(model, x.back());
          std::copy(qi.begin(), qi.end(),
                    q.begin() + static_cast<std::ptrdiff_t>(in_bytes) *
                                    static_cast<std::ptrdiff_t>(i - begin));
        }
        const std::vector<int8_t> out =
            host ? host->run(q, count) : engine::run_reference_batch(model, q, count);
        if (out.size() != static_cast<size_t>(count) * static_cast<size_t>(classes))
          throw std::runtime_error("the int8 model wrote " + std::to_string(out.size()) +
                                   " output bytes for " + std::to_string(count) + " inputs");
        for (int64_t i = begin; i < end; ++i) {
          const auto k = static_cast<size_t>(i);
          bool tie = false;
          int8_pred[k] = argmax(out.data() + (i - begin) * classes, classes, &tie);
          int8_tie[k] = tie;
          if (float_net) {
            const std::vector<float> y = float_net->run(x[static_cast<size_t>(i - begin)]);
            float_pred[k] = argmax(y.data(), classes, &tie);
          }
          progress.advance();
        }
      }
    } catch (...) {
      failed = true;
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min<int64_t>(threads, (n + chunk - 1) / chunk); ++t)
    pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  progress.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int64_t int8_correct = 0, float_correct = 0, agree = 0, ties = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<size_t>(i);
    int8_correct += int8_pred[k] == set.labels[k];
    ties += int8_tie[k];
    if (float_net) {
      float_correct += float_pred[k] == set.labels[k];
      agree += float_pred[k] == int8_pred[k];
    }
  }
  const double int8_top1 = 100.0 * static_cast<double>(int8_correct) / static_cast<double>(n);
  const double float_top1 = 100.0 * static_cast<double>(float_correct) / static_cast<double>(n);
  const double agreement = 100.0 * static_cast<double>(agree) / static_cast<double>(n);
  const std::string engine_text = host ? "host C, " + parsed["compiler"].as<std::string>() + " -O2"
                                       : std::string("reference interpreter");

  nlohmann::json result = {
      {"model", dir},
      {"data", data.path},
      {"data_kind", data.kind_name()},
      {"split", split},
      {"images", n},
      {"images_in_split", all.size()},
      {"limit", limit},
      {"seed", parsed["seed"].as<uint64_t>()},
      {"image_size", {set.height, set.width, set.channels}},
      {"input_size", {in_shape.h, in_shape.w, in_shape.c}},
      {"resize", prep.resizes() ? "bilinear (half-pixel, as torch interpolate)" : "none"},
      {"normalization", {{"mean", norm->mean}, {"std", norm->std}}},
      {"int8", top1_json(int8_correct, n)},
      {"float", nullptr},
      {"difference_points", nullptr},
      {"agreement", nullptr},
      {"seconds", seconds}};
  result["int8"]["engine"] = int8_engine;
  result["int8"]["tied_argmax"] = ties;
  if (float_net) {
    result["float"] = top1_json(float_correct, n);
    result["float"]["weights"] = parsed["weights"].as<std::string>();
    result["difference_points"] = int8_top1 - float_top1;
    result["agreement"] = {{"percent", agreement}, {"images", agree}};
  }
  const std::string json_path =
      parsed.count("json") ? parsed["json"].as<std::string>() : dir + "/accuracy.json";
  util::write_file_atomically(json_path, result.dump(2) + "\n");

  const std::string sizes =
      image_size_text(set) + (prep.resizes() ? " -> " + std::to_string(in_shape.h) + "x" +
                                                   std::to_string(in_shape.w) + " bilinear"
                                             : "");
  std::printf("%s on %lld %s images of %s (%s)\n", dir.c_str(), static_cast<long long>(n),
              split.c_str(), data.path.c_str(), sizes.c_str());
  std::printf("int8  top-1 %6.2f %% (%lld / %lld; %s; %lld tied argmaxes)\n", int8_top1,
              static_cast<long long>(int8_correct), static_cast<long long>(n), engine_text.c_str(),
              static_cast<long long>(ties));
  if (float_net) {
    std::printf("float top-1 %6.2f %% (%lld / %lld)\n", float_top1,
                static_cast<long long>(float_correct), static_cast<long long>(n));
    std::printf("int8 - float: %+.2f points; argmaxes agree on %.2f %% (%lld / %lld)\n",
                int8_top1 - float_top1, agreement, static_cast<long long>(agree),
                static_cast<long long>(n));
  } else {
    std::printf("float: not measured (give --weights DIR)\n");
  }
  std::printf("%.1f s; wrote %s\n", seconds, json_path.c_str());
  return 0;
}

}  // namespace tinynas::cli
