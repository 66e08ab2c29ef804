// A hand-designed network brought within a target's limits the way MobileNets are scaled: the
// same blocks at a smaller input resolution, then at a smaller width, from the space's grids.
// Used for the baselines `tinynas run` trains beside its search winner.
//
//   std::optional<Arch> a = scale_to_fit(resnet8, space, constraints, /*max_resolution=*/32);
#pragma once

#include <optional>

#include "nas/arch.h"
#include "nas/constraints.h"
#include "nas/search_space.h"

namespace tinynas::nas {

// The arch itself when it fits; else the first that fits of: each of the space's resolutions
// below the arch's, largest first, at the arch's width; then each smaller width of the space's
// grid, largest first, with the resolutions again. No resolution above max_resolution (the data's
// images; 0: no limit) is tried, the arch's own included. Empty when nothing fits.
std::optional<Arch> scale_to_fit(const Arch& arch, const SearchSpace& space,
                                 const Constraints& constraints, int max_resolution);

}  // namespace tinynas::nas
