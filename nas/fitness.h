// The search's pluggable objective: how good a sub-net is (higher is better). Implementations:
// FlopsProxyFitness here (MACs as a stand-in for accuracy, until a supernet exists), and later the
// supernet evaluator and the accuracy predictor. kind() is reported as result.json's fitness_kind.
#pragma once

#include <string>
#include <vector>

#include "nas/arch.h"
#include "nas/arch_cost.h"

namespace tinynas::nas {

class FitnessEvaluator {
 public:
  virtual ~FitnessEvaluator() = default;
  virtual std::string kind() const = 0;
  virtual double fitness(const Arch& arch, const ArchCost& cost) = 0;
  // Evaluators that work best in batches (a network on many sub-nets) override this.
  virtual std::vector<double> fitness_batch(const std::vector<Arch>& archs,
                                            const std::vector<ArchCost>& costs) {
    std::vector<double> out;
    out.reserve(archs.size());
    for (size_t i = 0; i < archs.size(); ++i) out.push_back(fitness(archs[i], costs[i]));
    return out;
  }
};

// Millions of MACs. Within one (R, W) family more computation usually means more accuracy; this
// is the TinyNAS proxy, and results carry fitness_kind "flops_proxy" so nobody mistakes it.
class FlopsProxyFitness final : public FitnessEvaluator {
 public:
  std::string kind() const override { return "flops_proxy"; }
  double fitness(const Arch&, const ArchCost& cost) override {
    return static_cast<double>(cost.macs) / 1e6;
  }
};

}  // namespace tinynas::nas
