// The accuracy pipeline: top-1 of an exported int8 model (a `tinynas export` folder) on a data
// set's split, beside the float network's top-1 from the same float inputs when its float weights
// are given, and how often the two agree. The int8 side runs the generated C compiled for the host
// (engine/host_verify.h, bit-exact with the reference interpreter) or the reference interpreter;
// the float side engine/float_interpreter.h. Images become inputs as the supernet feeds them
// (engine/input_preprocessing.h), with the normalisation the export stored.
//
//   AccuracyOptions o; o.model_dir = "model"; o.data = "cifar10.tar.gz"; o.weights_dir = "subnet";
//   AccuracyResult r = measure_accuracy(o, observer);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memory_model/float_weights.h"
#include "memory_model/graph.h"
#include "pipeline/data_input.h"
#include "pipeline/observer.h"

namespace tinynas::pipeline {

struct AccuracyOptions {
  std::string model_dir;    // folder written by the export
  std::string data;         // image folder, its .tar.gz, or an MNIST idx folder
  std::string weights_dir;  // float weights the model was exported from; empty: int8 only
  std::string split = "test";
  int limit = 0;                     // a seeded choice of this many images; 0: all
  uint64_t seed = 1;                 // of that choice
  std::string int8_engine = "host";  // "host" (the generated C) or "reference"
  std::string compiler = "gcc";      // host C compiler
  int threads = 0;                   // 0: one per core
  // Decoded data set cache; nullopt: .cache/<data name> beside model_dir; "": no cache.
  std::optional<std::string> cache_dir;
};

struct AccuracyResult {
  DataPath data;
  int64_t images = 0, images_in_split = 0;
  int image_height = 0, image_width = 0, image_channels = 0;
  std::string image_size;  // "32x32x3"
  memory::Shape input_shape;
  bool resized = false;  // bilinear, half-pixel, as torch interpolate
  memory::InputNormalization normalization;
  std::string engine_text;  // "host C, gcc -O2" or "reference interpreter"
  int64_t int8_correct = 0, int8_tied_argmax = 0;
  bool float_measured = false;
  int64_t float_correct = 0, agree = 0;
  double seconds = 0;

  double int8_top1() const { return percent(int8_correct); }
  double float_top1() const { return percent(float_correct); }
  double agreement() const { return percent(agree); }
  double percent(int64_t count) const {
    return 100.0 * static_cast<double>(count) / static_cast<double>(images);
  }
};

// Throws std::invalid_argument on bad options, a folder that is no exported model, weights or data
// that do not fit it; std::runtime_error when the int8 model misbehaves.
AccuracyResult measure_accuracy(const AccuracyOptions& options, Observer& observer);

}  // namespace tinynas::pipeline
