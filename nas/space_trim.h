// The supernet's space cut down to the sub-nets that fit the limits. A space's largest options
// (depth 3 of 5x5 blocks at twice the width, say) often fit nowhere under a microcontroller's
// SRAM and Flash, yet the supernet spends most of its training on them: its full network and
// the sub-nets sampled around it. Trimming keeps, per stage, the depths, kernels and expansions
// that fitting sub-nets use, so the supernet trains what the search can pick. The trimmed space
// keeps the name of the space it came from: its sub-nets are sub-nets of that space.
//
//   SpaceTrim t = trim_to_fit(space, {24, 28, 32}, 1.0, constraints, SpaceTrimOptions{});
//   t.space;     // the supernet's space
//   t.removed;   // "stage 3: depth 3 (0.0 % of fitting sub-nets)", ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nas/constraints.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct SpaceTrimOptions {
  // An option stays when at least this share of the fitting sub-nets use it (a depth: that
  // many have it; a kernel or an expansion: that share of the stage's blocks of fitting
  // sub-nets). 0: nothing is removed. At 0.1 the residual space under 64 KB / 256 KB loses
  // 5x5 kernels and depths 2-3 in its last stage and depth 3 in its second: 28 % of its
  // sub-nets fit instead of 4 %, and its full network has 132 M MACs instead of 224 M
  // (docs/run.md).
  double min_share = 0.1;
  int samples = 20000;  // sub-nets drawn per resolution
  uint64_t seed = 0;
};

struct SpaceTrim {
  SearchSpace space;
  int64_t sampled = 0;
  int64_t fitting = 0;                // of the sampled sub-nets, in the original space
  double fitting_fraction_after = 0;  // the same measure in the trimmed space
  std::vector<std::string> removed;   // one line per option taken out, with its share

  double fitting_fraction_before() const {
    return sampled > 0 ? static_cast<double>(fitting) / static_cast<double>(sampled) : 0.0;
  }
};

// Samples `samples` sub-nets of space at each resolution and width_mult, keeps those that fit,
// and removes every depth, kernel and expansion of a stage below min_share of them. A stage
// keeps at least its most used option of each kind. Throws std::invalid_argument when no
// sampled sub-net fits (nothing to trim towards).
SpaceTrim trim_to_fit(const SearchSpace& space, const std::vector<int>& resolutions,
                      double width_mult, const Constraints& constraints,
                      const SpaceTrimOptions& options);

}  // namespace tinynas::nas
