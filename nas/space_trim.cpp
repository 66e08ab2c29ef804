#include "nas/space_trim.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "nas/arch_cost.h"
#include "nas/random.h"
#include "nas/sampling.h"

namespace tinynas::nas {
namespace {

// How often the fitting sub-nets used each option of one kind in one stage.
struct Tally {
  std::map<int, int64_t> uses;
  int64_t total = 0;

  void add(int option) {
    ++uses[option];
    ++total;
  }
  double share(int option) const {
    const auto it = uses.find(option);
    return total > 0 && it != uses.end() ? static_cast<double>(it->second) / total : 0.0;
  }
};

struct StageTallies {
  Tally depths, kernels, expands;
};

// The options at or above min_share, in their order; the most used one when none is.
std::vector<int> keep(const std::vector<int>& options, const Tally& tally, double min_share,
                      const std::string& stage, const std::string& kind,
                      std::vector<std::string>& removed) {
  std::vector<int> kept;
  int most_used = options.front();
  for (int o : options) {
    if (tally.share(o) >= min_share) kept.push_back(o);
    if (tally.share(o) > tally.share(most_used)) most_used = o;
  }
  if (kept.empty()) kept.push_back(most_used);
  for (int o : options) {
    if (std::find(kept.begin(), kept.end(), o) != kept.end()) continue;
    char line[160];
    std::snprintf(line, sizeof line, "%s: %s %d (%.1f %% of fitting sub-nets)", stage.c_str(),
                  kind.c_str(), o, 100.0 * tally.share(o));
    removed.emplace_back(line);
  }
  return kept;
}

// Sub-nets drawn at each resolution that fit, counted; each fitting one handed to on_fit.
template <typename OnFit>
int64_t count_fitting(const SearchSpace& space, const std::vector<int>& resolutions,
                      double width_mult, const Constraints& constraints,
                      const SpaceTrimOptions& options, OnFit on_fit) {
  CostModel model(space, constraints.latency_model.get());
  Arch arch;
  int64_t fitting = 0;
  for (size_t i = 0; i < resolutions.size(); ++i) {
    Rng rng = Rng::for_stream(options.seed, i);
    for (int n = 0; n < options.samples; ++n) {
      sample_arch_into(space, resolutions[i], width_mult, rng, arch);
      if (!constraints.fits(model.evaluate(arch))) continue;
      ++fitting;
      on_fit(arch);
    }
  }
  return fitting;
}

}  // namespace

SpaceTrim trim_to_fit(const SearchSpace& space, const std::vector<int>& resolutions,
                      double width_mult, const Constraints& constraints,
                      const SpaceTrimOptions& options) {
  if (resolutions.empty() || options.samples < 1)
    throw std::invalid_argument("space trim: no resolutions or no samples");
  std::vector<StageTallies> tallies(space.stages.size());
  SpaceTrim t;
  t.sampled = options.samples * static_cast<int64_t>(resolutions.size());
  t.fitting =
      count_fitting(space, resolutions, width_mult, constraints, options, [&](const Arch& arch) {
        for (size_t s = 0; s < arch.stages.size(); ++s) {
          tallies[s].depths.add(arch.stages[s].depth());
          for (const BlockArch& b : arch.stages[s].blocks) {
            tallies[s].kernels.add(b.kernel);
            tallies[s].expands.add(b.expand);
          }
        }
      });
  if (t.fitting == 0)
    throw std::invalid_argument("space trim: none of " + std::to_string(t.sampled) +
                                " sampled sub-nets of space '" + space.name + "' fits the limits");
  t.space = space;
  for (size_t s = 0; s < space.stages.size(); ++s) {
    StageSpec& stage = t.space.stages[s];
    const std::string name = "stage " + std::to_string(s + 1);
    const double share = options.min_share;
    stage.depths = keep(stage.depths, tallies[s].depths, share, name, "depth", t.removed);
    // A stage that kept no block has no kernel or expansion to choose: left as they were.
    if (tallies[s].kernels.total == 0) continue;
    stage.kernels = keep(space.kernels_of(s), tallies[s].kernels, share, name, "kernel", t.removed);
    stage.expands =
        keep(space.expands_of(s), tallies[s].expands, share, name, "expansion", t.removed);
  }
  if (!t.removed.empty())
    t.space.description = "cut to the sub-nets that fit (tinynas run): " + space.description;
  t.fitting_fraction_after =
      static_cast<double>(count_fitting(t.space, resolutions, width_mult, constraints, options,
                                        [](const Arch&) {})) /
      static_cast<double>(t.sampled);
  return t;
}

}  // namespace tinynas::nas
