// TinyNAS search-space optimisation: for every (resolution, width) sub-space of a search space,
// sample sub-nets, keep those that fit the constraints (scheduled SRAM and Flash), and rank the
// sub-spaces by the mean MACs of the satisfying sub-nets -- a space whose FLOPs CDF lies further
// right holds more capable networks that still fit. Parallel over sub-spaces, deterministic for a
// seed whatever the thread count (every sub-space draws from its own random stream).
//
//   SpaceOptimizerOptions options;             // 1000 samples per sub-space, all cores
//   auto ranking = rank_subspaces(space, constraints, options, nullptr);
//   ranking.front();                           // the chosen (R, W)
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "nas/constraints.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct SubspaceStats {
  int resolution = 0;
  double width_mult = 0;
  int sampled = 0;
  int satisfying = 0;
  double mean_macs = 0;  // over satisfying sub-nets; 0 when none
  int64_t p10_macs = 0, p50_macs = 0, p90_macs = 0;
  std::vector<int64_t> satisfying_macs;  // ascending: the FLOPs CDF's support

  double satisfying_fraction() const { return sampled ? double(satisfying) / sampled : 0.0; }
};

struct SpaceOptimizerOptions {
  int samples_per_space = 1000;
  int threads = 0;  // 0: all hardware threads
  uint64_t seed = 0;
};

// Called as work completes, from worker threads: (sub-nets sampled so far, total).
using ProgressCallback = std::function<void(int64_t done, int64_t total)>;

// All sub-spaces of space's grid, best first: those with satisfying sub-nets by mean MACs
// (descending), ties by satisfying fraction, then the rest.
std::vector<SubspaceStats> rank_subspaces(const SearchSpace& space, const Constraints& constraints,
                                          const SpaceOptimizerOptions& options,
                                          const ProgressCallback& progress);

// Value below which a fraction q of the sorted values lie (nearest rank).
int64_t percentile(const std::vector<int64_t>& sorted, double q);

}  // namespace tinynas::nas
