// The predictor build's settings (the experiment file's "predictor" section).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::pipeline {

// tinynas predictor build: how many sub-nets of a supernet to measure, and how.
struct PredictorBuildSettings {
  int samples = 200;                  // random sub-nets measured (OFA's predictor saw 16K)
  int64_t validation_images = 1000;   // held-out training images each is measured on
  int64_t calibration_images = 1000;  // BN re-calibration images per sub-net
  std::vector<int> hidden = {400, 400, 400};
  int epochs = 500;
  double holdout_fraction = 0.2;  // measured sub-nets kept out of training to report the error
  std::string out;                // default: predictor.json beside the checkpoint
};

}  // namespace tinynas::pipeline
