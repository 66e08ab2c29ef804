// The accuracy-driven search's settings (the experiment file's "search" section): where the
// fitness comes from and how the final candidates are judged.
#pragma once

#include <cstdint>
#include <string>

namespace tinynas::pipeline {

// tinynas search with a trained supernet or predictor: accuracy is the fitness.
struct AccuracySearchSettings {
  std::string supernet;   // checkpoint: measures the final candidates (and is the fitness
                          // when there is no predictor)
  std::string predictor;  // predictor JSON: the fitness during evolution
  int top_k = 5;          // final candidates re-measured with the supernet
  int64_t validation_images = 5000;  // held-out training images the top-k are measured on
  bool random_baseline = true;  // the same number of random fitting sub-nets, judged the same way
  std::string out;              // output folder of the search (overrides "out")
  // The evolution's fitness when there is neither a predictor nor a supernet: "flops" (MACs) or a
  // training-free proxy, "zen" or "naswot" (supernet/zero_cost_proxy.h).
  std::string fitness = "flops";
  bool enabled() const { return !supernet.empty() || !predictor.empty(); }
};

}  // namespace tinynas::pipeline
