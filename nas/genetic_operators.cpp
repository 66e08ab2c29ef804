#include "nas/genetic_operators.h"

#include <algorithm>

#include "nas/sampling.h"

namespace tinynas::nas {

Arch mutate(const Arch& parent, const SearchSpace& space, const std::vector<int>& resolutions,
            const MutationRates& rates, Rng& rng) {
  Arch child = parent;
  if (resolutions.size() > 1 && rng.chance(rates.resolution))
    child.resolution = rng.pick(resolutions);
  for (size_t s = 0; s < child.stages.size(); ++s) {
    auto& blocks = child.stages[s].blocks;
    for (BlockArch& b : blocks)
      if (rng.chance(rates.block)) b = random_block(space, rng);
    if (rng.chance(rates.depth)) {
      const size_t depth = static_cast<size_t>(rng.pick(space.stages[s].depths));
      while (blocks.size() < depth) blocks.push_back(random_block(space, rng));
      blocks.resize(depth);
    }
  }
  return child;
}

Arch crossover(const Arch& a, const Arch& b, Rng& rng) {
  Arch child = a;
  if (rng.chance(0.5)) child.resolution = b.resolution;
  for (size_t s = 0; s < child.stages.size(); ++s) {
    const auto& from_a = a.stages[s].blocks;
    const auto& from_b = b.stages[s].blocks;
    const size_t depth = rng.chance(0.5) ? from_a.size() : from_b.size();
    auto& blocks = child.stages[s].blocks;
    blocks.resize(depth);
    for (size_t i = 0; i < depth; ++i) {
      const bool in_a = i < from_a.size(), in_b = i < from_b.size();
      // A block slot only one parent has comes from that parent.
      const bool take_a = in_a && (!in_b || rng.chance(0.5));
      blocks[i] = take_a ? from_a[i] : from_b[i];
    }
  }
  return child;
}

}  // namespace tinynas::nas
