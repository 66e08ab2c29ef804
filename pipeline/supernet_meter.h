// The supernet's evaluator as an AccuracyMeter: BN re-calibrated per sub-net, top-1 cached per
// arch. Compiled only in builds with LibTorch (TINYNAS_WITH_TORCH); this header has no LibTorch.
#pragma once

#include <memory>
#include <string>

#include "pipeline/accuracy_meter.h"

namespace tinynas::pipeline {

// Loads the checkpoint and the data once. Throws std::invalid_argument on a bad checkpoint or data.
std::unique_ptr<AccuracyMeter> open_supernet_meter(const std::string& checkpoint,
                                                   const supernet::EvalRequest& request);

}  // namespace tinynas::pipeline
