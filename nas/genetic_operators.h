// Evolution's variation operators, as in Once-for-All: mutation resamples each block's (kernel,
// expansion) and each stage's depth with a small probability and the resolution with a larger one;
// uniform crossover takes every gene from either parent. Both keep the width multiplier and always
// return a valid sub-net of the space when the parents are.
#pragma once

#include <vector>

#include "nas/arch.h"
#include "nas/random.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct MutationRates {
  double block = 0.1;       // per block: resample kernel and expansion together
  double depth = 0.1;       // per stage: resample the depth (new blocks are random)
  double resolution = 0.5;  // resample the resolution from the allowed set
};

// resolutions: the resolutions evolution may use (one entry: resolution is fixed).
Arch mutate(const Arch& parent, const SearchSpace& space, const std::vector<int>& resolutions,
            const MutationRates& rates, Rng& rng);

Arch crossover(const Arch& a, const Arch& b, Rng& rng);

}  // namespace tinynas::nas
