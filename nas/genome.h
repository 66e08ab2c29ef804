// What evolution varies, kept as Once-for-All keeps it: a fixed-length genome with a kernel and
// an expansion for every block SLOT of the space (each stage at its maximum depth), a depth per
// stage and the resolution. The sub-net is the first `depth` slots of each stage; the slots past
// the depth stay in the genome, so shrinking a stage and growing it again brings its old blocks
// back instead of random new ones.
//
//   Genome g = sample_genome(space, 160, rng);
//   Arch arch = to_arch(g, space, 0.5);               // what is costed, scored and reported
//   Genome back = genome_from_arch(arch, space);     // inactive slots: see there
#pragma once

#include <vector>

#include "nas/arch.h"
#include "nas/random.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct Genome {
  int resolution = 0;
  // space.max_blocks() entries, stage after stage; stage s starts at slot_offset(space, s).
  std::vector<BlockArch> slots;
  std::vector<int> depths;  // per stage: how many of its slots are active

  bool operator==(const Genome& o) const {
    return resolution == o.resolution && slots == o.slots && depths == o.depths;
  }
  bool operator!=(const Genome& o) const { return !(*this == o); }
};

// Index of the first slot of stage `stage` in Genome::slots.
int slot_offset(const SearchSpace& space, int stage);

// Every slot and every depth uniform over the space's choices.
Genome sample_genome(const SearchSpace& space, int resolution, Rng& rng);

// The sub-net the genome encodes: per stage its first `depth` slots.
Arch to_arch(const Genome& genome, const SearchSpace& space, double width_mult);

// The genome of a valid sub-net of space (throws std::invalid_argument otherwise, as validate()).
// An arch has no genes for the slots past a stage's depth: they repeat the stage's last block.
Genome genome_from_arch(const Arch& arch, const SearchSpace& space);

}  // namespace tinynas::nas
