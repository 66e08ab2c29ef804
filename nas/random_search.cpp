#include "nas/random_search.h"

#include <algorithm>
#include <stdexcept>

#include "nas/arch_cost.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "util/interrupt.h"

namespace tinynas::nas {

RandomSearchResult random_search(const SearchSpace& space, const std::vector<int>& resolutions,
                                 double width_mult, const Constraints& constraints,
                                 FitnessEvaluator& fitness, int64_t count, uint64_t seed,
                                 int64_t max_draws) {
  if (resolutions.empty()) throw std::invalid_argument("random search needs a resolution");
  if (max_draws <= 0) max_draws = 1000 * std::max<int64_t>(1, count);
  CostModel model(space, constraints.latency_model.get());
  Rng rng(seed);
  RandomSearchResult result;
  std::vector<Arch> archs;
  std::vector<ArchCost> costs;
  while (static_cast<int64_t>(archs.size()) < count && result.drawn < max_draws) {
    util::throw_if_interrupted();
    Arch arch = sample_arch(space, rng.pick(resolutions), width_mult, rng);
    ++result.drawn;
    const ArchCost cost = model.evaluate(arch);
    if (!constraints.fits(cost)) continue;
    archs.push_back(std::move(arch));
    costs.push_back(cost);
  }
  const std::vector<double> scores = fitness.fitness_batch(archs, costs);
  for (size_t i = 0; i < archs.size(); ++i)
    result.ranked.push_back({std::move(archs[i]), costs[i], scores[i]});
  std::stable_sort(result.ranked.begin(), result.ranked.end(),
                   [](const Candidate& a, const Candidate& b) { return a.fitness > b.fitness; });
  return result;
}

}  // namespace tinynas::nas
