// Random sub-nets of a search space: uniform per stage depth and per block kernel / expansion,
// at a given (resolution, width) -- what the space optimiser samples and evolution starts from.
// Also the extreme sub-nets, which bound a space's costs.
#pragma once

#include "nas/arch.h"
#include "nas/random.h"
#include "nas/search_space.h"

namespace tinynas::nas {

Arch sample_arch(const SearchSpace& space, int resolution, double width_mult, Rng& rng);
// Fills arch in place (reuses its vectors: the space optimiser samples in a tight loop).
void sample_arch_into(const SearchSpace& space, int resolution, double width_mult, Rng& rng,
                      Arch& arch);

// Minimum depth, kernel and expansion everywhere: the cheapest sub-net of (resolution, width).
Arch smallest_arch(const SearchSpace& space, int resolution, double width_mult);
// Maximum depth, kernel and expansion everywhere.
Arch largest_arch(const SearchSpace& space, int resolution, double width_mult);

// A kernel and an expansion uniform over stage `stage`'s choices.
BlockArch random_block(const SearchSpace& space, size_t stage, Rng& rng);

}  // namespace tinynas::nas
