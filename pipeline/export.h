// The export pipeline: a sub-net (arch JSON) and its float weights (or random ones) quantised to
// int8 with calibration inputs, written as a self-contained C99 project
// (engine/codegen/c_project.h) plus quant_model.json (for `tinynas verify`) and arch.json, and
// optionally the float network as model.onnx (builds with ONNX support).
//
//   ExportOptions o; o.arch_path = "arch.json"; o.random_weights = true; o.out = "model";
//   ExportResult r = export_model(o, observer);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/codegen/c_project.h"
#include "engine/quantization_error.h"
#include "nas/arch.h"
#include "pipeline/observer.h"

namespace tinynas::pipeline {

struct ExportOptions {
  std::string arch_path;   // arch JSON file
  std::string config_dir;  // where its space is found
  std::string space;       // the arch's space, a name or a .json path (empty: the arch's "space")
  std::string out;         // the model folder
  // Exactly one: float weights folder from the supernet extraction, or random weights.
  std::string weights_dir;
  bool random_weights = false;
  uint64_t seed = 1;  // random weights, random calibration, the choice of calibration images
  // An image data set (its train split, normalised with the weights' input normalisation and
  // resized to the arch's resolution) or a file of raw float32 HWC inputs. Empty: random inputs
  // (random weights only).
  std::string calib_data;
  int calib_count = 0;  // at most this many inputs; 0: 500 images of a data set, all raw inputs
  // Decoded data set cache; nullopt: .cache/<data name> beside out; "": no cache.
  std::optional<std::string> cache_dir;
  std::optional<double> percentile;  // calibrate to this percentile instead of min/max
  bool onnx = false;
  std::string producer_version;  // written into model.onnx
};

struct ExportResult {
  nas::Arch arch;
  engine::CProjectInfo project;
  int64_t lower_bound = 0;  // the schedule's live-set lower bound of the arena
  size_t files = 0;         // files written to out
  size_t calibration_inputs = 0;
  // Per-layer quantisation error on the first error_inputs calibration inputs (up to 4).
  std::vector<engine::LayerError> errors;
  size_t error_inputs = 0;
};

// Throws std::invalid_argument on bad options, files or data; std::runtime_error for ONNX in a
// build without it.
ExportResult export_model(const ExportOptions& options, Observer& observer);

}  // namespace tinynas::pipeline
