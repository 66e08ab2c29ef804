#include "nas/genetic_operators.h"

#include <stdexcept>

#include "nas/sampling.h"

namespace tinynas::nas {

Genome mutate(const Genome& parent, const SearchSpace& space, const std::vector<int>& resolutions,
              const MutationRates& rates, Rng& rng) {
  Genome child = parent;
  if (resolutions.size() > 1 && rng.chance(rates.resolution))
    child.resolution = rng.pick(resolutions);
  if (child.slots.size() != static_cast<size_t>(space.max_blocks()))
    throw std::invalid_argument("mutation of a genome that does not have the shape of space '" +
                                space.name + "'");
  auto slot = child.slots.begin();
  for (size_t s = 0; s < space.stages.size(); ++s)
    for (int b = 0; b < space.stages[s].max_depth(); ++b, ++slot)
      if (rng.chance(rates.block)) *slot = random_block(space, s, rng);
  for (size_t s = 0; s < child.depths.size(); ++s)
    if (rng.chance(rates.depth)) child.depths[s] = rng.pick(space.stages[s].depths);
  return child;
}

Genome crossover(const Genome& a, const Genome& b, Rng& rng) {
  if (a.slots.size() != b.slots.size() || a.depths.size() != b.depths.size())
    throw std::invalid_argument("crossover of genomes of different shapes");
  Genome child = a;
  if (rng.chance(0.5)) child.resolution = b.resolution;
  for (size_t i = 0; i < child.slots.size(); ++i) {
    if (rng.chance(0.5)) child.slots[i].kernel = b.slots[i].kernel;
    if (rng.chance(0.5)) child.slots[i].expand = b.slots[i].expand;
  }
  for (size_t s = 0; s < child.depths.size(); ++s)
    if (rng.chance(0.5)) child.depths[s] = b.depths[s];
  return child;
}

}  // namespace tinynas::nas
