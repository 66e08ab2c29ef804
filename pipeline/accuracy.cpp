#include "pipeline/accuracy.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "data/image_set.h"
#include "engine/float_interpreter.h"
#include "engine/host_verify.h"
#include "engine/input_preprocessing.h"
#include "engine/quant_model_io.h"
#include "engine/reference_interpreter.h"
#include "util/interrupt.h"

namespace tinynas::pipeline {
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

}  // namespace

AccuracyResult measure_accuracy(const AccuracyOptions& o, Observer& observer) {
  const std::string& dir = o.model_dir;
  const int limit = o.limit;
  if (limit < 0) throw std::invalid_argument("--limit must not be negative");
  const std::string& int8_engine = o.int8_engine;
  if (int8_engine != "host" && int8_engine != "reference")
    throw std::invalid_argument("--int8 must be host or reference, got '" + int8_engine + "'");
  int threads = o.threads;
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
  if (!o.weights_dir.empty()) {
    const std::string& wdir = o.weights_dir;
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

  const DataPath data = detect_data_path(o.data, "--data");
  if (!data.images())
    throw std::invalid_argument("--data: '" + data.path +
                                "' is not a data set of images (an image folder, its .tar.gz or "
                                "an MNIST idx folder)");
  const std::string& split = o.split;
  const std::string cache = o.cache_dir ? *o.cache_dir : default_cache_dir(dir, data.path);
  const data::ImageSet all = load_image_split(data, split, in_shape.c, cache, "--data");
  if (all.num_classes() > classes)
    throw std::invalid_argument("--data: '" + data.path + "' has " +
                                std::to_string(all.num_classes()) + " classes, the model outputs " +
                                std::to_string(classes));
  const data::ImageSet set = data::subset(all, limit, o.seed);
  const int64_t n = set.size();
  // Checks channels and normalisation before any work.
  const engine::ImagePreprocessor prep(*norm, set.height, set.width, set.channels, in_shape);

  std::unique_ptr<engine::HostModel> host;
  if (int8_engine == "host") {
    engine::HostBuildOptions hopt;
    hopt.compiler = o.compiler;
    host = std::make_unique<engine::HostModel>(dir, hopt);
  }

  // Workers take chunks of images: inputs, the int8 model on the chunk, the float network per
  // image. Predictions land in per-image slots, so the result does not depend on the threads.
  const auto start = std::chrono::steady_clock::now();
  std::vector<int> int8_pred(static_cast<size_t>(n)), float_pred(static_cast<size_t>(n), -1);
  std::vector<char> int8_tie(static_cast<size_t>(n));
  const int64_t chunk = std::clamp<int64_t>(n / (4 * threads), 1, 64);
  std::atomic<int64_t> next{0}, finished{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  observer.begin("accuracy", n);
  const auto in_bytes = static_cast<size_t>(in_shape.elements());
  const auto work = [&] {
    try {
      for (;;) {
        util::throw_if_interrupted();  // per chunk; the pool hands it to the caller
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
          observer.update(finished.fetch_add(1) + 1);
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
  observer.end();

  AccuracyResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.data = data;
  r.images = n;
  r.images_in_split = all.size();
  r.image_height = set.height;
  r.image_width = set.width;
  r.image_channels = set.channels;
  r.image_size = image_size_text(set);
  r.input_shape = in_shape;
  r.resized = prep.resizes();
  r.normalization = *norm;
  r.engine_text = host ? "host C, " + o.compiler + " -O2" : std::string("reference interpreter");
  r.float_measured = float_net != nullptr;
  for (int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<size_t>(i);
    r.int8_correct += int8_pred[k] == set.labels[k];
    r.int8_tied_argmax += int8_tie[k];
    if (float_net) {
      r.float_correct += float_pred[k] == set.labels[k];
      r.agree += float_pred[k] == int8_pred[k];
    }
  }
  return r;
}

}  // namespace tinynas::pipeline
