#include "nas/scale_to_fit.h"

#include <algorithm>
#include <vector>

#include "nas/arch_cost.h"

namespace tinynas::nas {

std::optional<Arch> scale_to_fit(const Arch& arch, const SearchSpace& space,
                                 const Constraints& constraints, int max_resolution) {
  const int top = max_resolution > 0 ? std::min(arch.resolution, max_resolution) : arch.resolution;
  std::vector<int> resolutions = {top};
  for (auto r = space.resolutions.rbegin(); r != space.resolutions.rend(); ++r)
    if (*r < top) resolutions.push_back(*r);
  std::vector<double> widths = {arch.width_mult};
  for (auto w = space.width_mults.rbegin(); w != space.width_mults.rend(); ++w)
    if (*w < arch.width_mult && !same_width(*w, arch.width_mult)) widths.push_back(*w);
  CostModel cost(space, constraints.latency_model.get());
  for (const double w : widths)
    for (const int r : resolutions) {
      Arch candidate = arch;
      candidate.resolution = r;
      candidate.width_mult = w;
      if (constraints.fits(cost.evaluate(candidate))) return candidate;
    }
  return std::nullopt;
}

}  // namespace tinynas::nas
