#include "nas/genome.h"

#include <stdexcept>
#include <string>

#include "nas/sampling.h"

namespace tinynas::nas {

int slot_offset(const SearchSpace& space, int stage) {
  int offset = 0;
  for (int s = 0; s < stage; ++s) offset += space.stages[static_cast<size_t>(s)].max_depth();
  return offset;
}

Genome sample_genome(const SearchSpace& space, int resolution, Rng& rng) {
  Genome genome;
  genome.resolution = resolution;
  for (size_t s = 0; s < space.stages.size(); ++s)
    for (int b = 0; b < space.stages[s].max_depth(); ++b)
      genome.slots.push_back(random_block(space, s, rng));
  for (const StageSpec& spec : space.stages) genome.depths.push_back(rng.pick(spec.depths));
  return genome;
}

Arch to_arch(const Genome& genome, const SearchSpace& space, double width_mult) {
  if (genome.depths.size() != space.stages.size() ||
      genome.slots.size() != static_cast<size_t>(space.max_blocks()))
    throw std::invalid_argument("genome does not have the shape of space '" + space.name + "'");
  Arch arch;
  arch.space = space.name;
  arch.resolution = genome.resolution;
  arch.width_mult = width_mult;
  arch.num_classes = space.num_classes;
  arch.stages.resize(space.stages.size());
  auto slot = genome.slots.begin();
  for (size_t s = 0; s < space.stages.size(); ++s) {
    if (genome.depths[s] < 0 || genome.depths[s] > space.stages[s].max_depth())
      throw std::invalid_argument("genome: stage " + std::to_string(s) + " has depth " +
                                  std::to_string(genome.depths[s]) + ", beyond its slots");
    arch.stages[s].blocks.assign(slot, slot + genome.depths[s]);
    slot += space.stages[s].max_depth();
  }
  return arch;
}

Genome genome_from_arch(const Arch& arch, const SearchSpace& space) {
  validate(arch, space);
  Genome genome;
  genome.resolution = arch.resolution;
  for (size_t s = 0; s < space.stages.size(); ++s) {
    const std::vector<BlockArch>& blocks = arch.stages[s].blocks;
    genome.depths.push_back(arch.stages[s].depth());
    genome.slots.insert(genome.slots.end(), blocks.begin(), blocks.end());
    // A space's depths are positive, so a valid stage has a last block.
    genome.slots.insert(genome.slots.end(),
                        static_cast<size_t>(space.stages[s].max_depth() - arch.stages[s].depth()),
                        blocks.back());
  }
  return genome;
}

}  // namespace tinynas::nas
