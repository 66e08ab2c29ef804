// Training-free fitness: a sub-net scored at random initialisation from forward passes on random
// inputs, with no supernet and no data. Two published proxies:
//  - Zen-score (Lin et al., ICCV 2021): the log of how far the pre-pooling feature map moves when
//    the input moves a little, plus the log of every BatchNorm's mean batch standard deviation
//    (Gaussian weights, BN on batch statistics); it grows with depth, width and kernel size;
//  - NASWOT (Mellor et al., ICML 2021): the log-determinant of the kernel counting, for every
//    pair of inputs of a batch, the ReLUs that are on or off for both; networks that tell inputs
//    apart at initialisation score higher. (The paper feeds a batch of real images; here the
//    inputs are Gaussian, so the search needs no data.)
// Every sub-net sees the same draws (common random numbers), so scores rank, not just measure.
// No LibTorch in this header.
//
//   ZeroCostFitness zen(space, ZeroCostOptions{});
//   nas::evolve(space, ..., zen, ...);            // result.json: fitness_kind "zen"
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "nas/arch.h"
#include "nas/fitness.h"
#include "nas/search_space.h"

namespace tinynas::supernet {

enum class ZeroCostProxy { kZen, kNaswot };

std::string to_string(ZeroCostProxy proxy);  // "zen", "naswot"
// Throws std::invalid_argument naming the accepted names.
ZeroCostProxy zero_cost_proxy_from_string(const std::string& name);

struct ZeroCostOptions {
  ZeroCostProxy proxy = ZeroCostProxy::kZen;
  int batch = 0;        // inputs per forward pass; 0: the proxy's own (Zen 16, NASWOT 32)
  int repeats = 2;      // independent draws of weights and inputs, averaged
  double alpha = 0.01;  // Zen: size of the input perturbation
  uint64_t seed = 0;
};

// One sub-net's score (higher: predicted more accurate). Throws std::invalid_argument when arch
// is not in space or the options are out of range.
double zero_cost_score(const nas::Arch& arch, const nas::SearchSpace& space,
                       const ZeroCostOptions& options);

// The proxy as the search's fitness, cached per sub-net.
class ZeroCostFitness final : public nas::FitnessEvaluator {
 public:
  ZeroCostFitness(nas::SearchSpace space, ZeroCostOptions options);

  std::string kind() const override { return to_string(options_.proxy); }
  double fitness(const nas::Arch& arch, const nas::ArchCost& cost) override;
  int64_t evaluations() const { return evaluations_; }  // cache misses

 private:
  nas::SearchSpace space_;
  ZeroCostOptions options_;
  std::map<std::string, double> cache_;  // arch JSON -> score
  int64_t evaluations_ = 0;
};

}  // namespace tinynas::supernet
