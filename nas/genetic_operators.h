// Evolution's variation operators on fixed-length genomes, as in Once-for-All: mutation
// resamples each block slot's (kernel, expansion) and each stage's depth with a small probability
// and the resolution with a larger one; uniform crossover takes every gene (the resolution, each
// slot's kernel, each slot's expansion, each stage's depth) from either parent. A depth change only
// moves where a stage stops: the slots past it keep their genes. Both return a genome of the space
// when the parents are.
#pragma once

#include <vector>

#include "nas/genome.h"
#include "nas/random.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct MutationRates {
  double block = 0.1;       // per block slot: resample kernel and expansion together
  double depth = 0.1;       // per stage: resample the depth
  double resolution = 0.5;  // resample the resolution from the allowed set
};

// resolutions: the resolutions evolution may use (one entry: resolution is fixed).
Genome mutate(const Genome& parent, const SearchSpace& space, const std::vector<int>& resolutions,
              const MutationRates& rates, Rng& rng);

// a and b must have the same shape (genomes of one space).
Genome crossover(const Genome& a, const Genome& b, Rng& rng);

}  // namespace tinynas::nas
