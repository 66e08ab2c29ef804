// The predictor build: measure seeded random sub-nets of a trained supernet (BN re-calibrated,
// top-1 on training images the run did not train on), fit the accuracy predictor
// (nas/accuracy_predictor.h) and report its error on held-out sub-nets. Each measurement is
// appended to <out stem>_samples.jsonl as it is made, so an interrupted build resumes where it
// stopped; sub-net i is a function of (seed, i) only.
//
//   PredictorBuildResult r = build_predictor(options, supernet_meter_factory, observer);
//   r.predictor_path;   // predictor.json, written
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nas/accuracy_predictor.h"
#include "pipeline/accuracy_meter.h"
#include "pipeline/observer.h"
#include "pipeline/predictor_build_settings.h"

namespace tinynas::pipeline {

struct PredictorBuildOptions {
  std::string checkpoint;
  SupernetRun run;                  // the run that trained it
  PredictorBuildSettings settings;  // out empty: predictor.json beside the checkpoint
  uint64_t seed = 0;                // which sub-nets, and the MLP's initialisation
  int threads = 0;                  // evaluation threads; 0: all cores
};

struct PredictorBuildResult {
  nas::AccuracyPredictor predictor;
  nas::PredictorReport report;
  std::vector<nas::AccuracySample> samples;  // all measured sub-nets, in sample order
  int resumed = 0;                           // of them, read back from the samples file
  std::string predictor_path, samples_path, out_dir;
};

// Sub-net i of a build: a function of (seed, i) only.
nas::Arch predictor_sample(const nas::SearchSpace& space, const std::vector<int>& resolutions,
                           double width, uint64_t seed, int i);

// open_meter is called once, only when sub-nets remain to be measured. Throws
// std::invalid_argument on bad settings, an output folder that cannot be made, or a samples file
// of another seed or supernet.
PredictorBuildResult build_predictor(const PredictorBuildOptions& options,
                                     const MeterFactory& open_meter, Observer& observer);

}  // namespace tinynas::pipeline
