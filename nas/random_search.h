// The baseline every search must beat: uniform random sub-nets that satisfy the constraints,
// scored by the same fitness. Given as many evaluations as evolution used, it shows what the
// evolution's selection adds.
//
//   RandomSearchResult r = random_search(space, {24, 28, 32}, 0.35, constraints, fitness,
//                                        evolved.evaluated, seed);
//   r.ranked.front();   // the best random sub-net by fitness
#pragma once

#include <cstdint>
#include <vector>

#include "nas/constraints.h"
#include "nas/evolution.h"
#include "nas/fitness.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct RandomSearchResult {
  std::vector<Candidate> ranked;  // every fitting sub-net drawn, best fitness first
  int64_t drawn = 0;              // sub-nets drawn, fitting or not
};

// Draws sub-nets (resolution uniform over resolutions) until `count` fit or max_draws were drawn;
// scores the fitting ones in one fitness_batch call. Deterministic for a seed.
RandomSearchResult random_search(const SearchSpace& space, const std::vector<int>& resolutions,
                                 double width_mult, const Constraints& constraints,
                                 FitnessEvaluator& fitness, int64_t count, uint64_t seed,
                                 int64_t max_draws = 0);  // 0: 1000 x count

}  // namespace tinynas::nas
