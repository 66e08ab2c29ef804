// The search's fitness from a trained supernet: top-1 accuracy (percent) of each arch with
// inherited weights after BN re-calibration, on the test split (or a subset of it). Results are
// cached per arch, so evolution never pays twice for the same sub-net. No LibTorch in this header.
//
//   SupernetEvaluator eval("runs/x/supernet.pt", request);
//   nas::evolve(space, ..., eval, ...);          // result.json: fitness_kind "supernet"
#pragma once

#include <map>
#include <memory>
#include <string>

#include "nas/fitness.h"
#include "supernet/api.h"

namespace tinynas::supernet {

class SupernetEvaluator final : public nas::FitnessEvaluator {
 public:
  // Loads the checkpoint and the data once. Throws std::invalid_argument on a bad checkpoint or
  // data set.
  SupernetEvaluator(const std::string& checkpoint, const EvalRequest& request);
  ~SupernetEvaluator() override;

  std::string kind() const override { return "supernet"; }
  // Throws std::invalid_argument when arch is not a sub-net of the supernet.
  double fitness(const nas::Arch& arch, const nas::ArchCost& cost) override;
  double accuracy(const nas::Arch& arch);

  const nas::SearchSpace& space() const;
  double width_mult() const;
  int64_t evaluations() const { return evaluations_; }  // cache misses
  int64_t images() const;                               // evaluation images per sub-net

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::map<std::string, double> cache_;  // arch JSON -> top-1
  int64_t evaluations_ = 0;
};

}  // namespace tinynas::supernet
