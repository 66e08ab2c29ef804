// Top-1 of a sub-net, measured (not predicted): what the pipelines ask a trained supernet. The
// supernet's evaluator is one (pipeline/supernet_meter.h, builds with LibTorch); tests give
// meters with known answers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nas/arch.h"
#include "nas/search_space.h"
#include "supernet/api.h"  // EvalRequest; the header has no LibTorch

namespace tinynas::pipeline {

class AccuracyMeter {
 public:
  virtual ~AccuracyMeter() = default;
  // Top-1 in percent. Throws std::invalid_argument when arch is not a sub-net the meter knows.
  virtual double accuracy(const nas::Arch& arch) = 0;
  // Images each sub-net is measured on.
  virtual int64_t images() const = 0;
};

// What the pipelines need to know about the run that trained a supernet checkpoint.
struct SupernetRun {
  nas::SearchSpace space;
  double width_mult = 0;
  // How to evaluate its sub-nets: the run's data set, seed, training subset and data cache. The
  // pipelines set the split, the number of images and the threads.
  supernet::EvalRequest request;
  std::vector<int> train_resolutions;  // empty: the space's largest resolution

  // The resolutions its sub-nets are searched / sampled at.
  std::vector<int> resolutions() const {
    return train_resolutions.empty() ? std::vector<int>{space.resolutions.back()}
                                     : train_resolutions;
  }
};

// Opens a meter on the sub-nets of a checkpoint, as request says.
using MeterFactory = std::function<std::unique_ptr<AccuracyMeter>(
    const std::string& checkpoint, const supernet::EvalRequest& request)>;

// How the pipelines reach trained supernets: describe the run behind a checkpoint (the CLI reads
// the settings stored in it) and open meters on it. Empty in builds without LibTorch.
struct SupernetAccess {
  std::function<SupernetRun(const std::string& checkpoint)> describe;
  MeterFactory open_meter;
  bool available() const { return describe && open_meter; }
};

}  // namespace tinynas::pipeline
