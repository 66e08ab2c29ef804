#include "nas/sampling.h"

namespace tinynas::nas {

BlockArch random_block(const SearchSpace& space, size_t stage, Rng& rng) {
  const int kernel = rng.pick(space.kernels_of(stage));
  const int expand = rng.pick(space.expands_of(stage));
  return {kernel, expand};
}

void sample_arch_into(const SearchSpace& space, int resolution, double width_mult, Rng& rng,
                      Arch& arch) {
  arch.space = space.name;
  arch.resolution = resolution;
  arch.width_mult = width_mult;
  arch.num_classes = space.num_classes;
  arch.stages.resize(space.stages.size());
  for (size_t s = 0; s < space.stages.size(); ++s) {
    auto& blocks = arch.stages[s].blocks;
    blocks.resize(static_cast<size_t>(rng.pick(space.stages[s].depths)));
    for (BlockArch& b : blocks) b = random_block(space, s, rng);
  }
}

Arch sample_arch(const SearchSpace& space, int resolution, double width_mult, Rng& rng) {
  Arch arch;
  sample_arch_into(space, resolution, width_mult, rng, arch);
  return arch;
}

namespace {

Arch uniform_arch(const SearchSpace& space, int resolution, double width_mult, bool largest) {
  Arch arch;
  arch.space = space.name;
  arch.resolution = resolution;
  arch.width_mult = width_mult;
  arch.num_classes = space.num_classes;
  for (size_t s = 0; s < space.stages.size(); ++s) {
    const StageSpec& spec = space.stages[s];
    const std::vector<int>& kernels = space.kernels_of(s);
    const std::vector<int>& expands = space.expands_of(s);
    const BlockArch block{largest ? kernels.back() : kernels.front(),
                          largest ? expands.back() : expands.front()};
    StageArch stage;
    stage.blocks.assign(static_cast<size_t>(largest ? spec.max_depth() : spec.min_depth()), block);
    arch.stages.push_back(stage);
  }
  return arch;
}

}  // namespace

Arch smallest_arch(const SearchSpace& space, int resolution, double width_mult) {
  return uniform_arch(space, resolution, width_mult, false);
}

Arch largest_arch(const SearchSpace& space, int resolution, double width_mult) {
  return uniform_arch(space, resolution, width_mult, true);
}

}  // namespace tinynas::nas
