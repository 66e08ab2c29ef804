// Meters and fitness with known answers for the pipeline tests: a made-up accuracy that is a
// function of the arch, and a count of what was measured.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nas/arch.h"
#include "nas/fitness.h"
#include "pipeline/accuracy_meter.h"

namespace tinynas::pipeline::testing {

// Rewards resolution, kernels and expansions (what a predictor can learn).
inline double made_up_top1(const nas::Arch& a) {
  double top1 = 50 + 0.4 * a.resolution;
  for (const auto& s : a.stages)
    for (const auto& b : s.blocks) top1 += 0.05 * b.kernel + 0.1 * b.expand;
  return top1;
}

// Answers from a function of the arch, counting every question per arch (and in *also_count,
// which outlives a meter the pipeline owns).
class FunctionMeter final : public AccuracyMeter {
 public:
  using Function = double (*)(const nas::Arch&);
  FunctionMeter(Function f, int64_t images, int* also_count = nullptr)
      : f_(f), images_(images), also_count_(also_count) {}
  double accuracy(const nas::Arch& arch) override {
    ++calls;
    if (also_count_) ++*also_count_;
    ++asked[nas::arch_to_json(arch).dump()];
    return f_(arch);
  }
  int64_t images() const override { return images_; }

  int calls = 0;
  std::map<std::string, int> asked;

 private:
  Function f_;
  int64_t images_;
  int* also_count_;
};

// Answers from a table keyed by the arch's summary; unknown archs are an error.
class TableMeter final : public AccuracyMeter {
 public:
  TableMeter(std::map<std::string, double> table, int64_t images)
      : table_(std::move(table)), images_(images) {}
  double accuracy(const nas::Arch& arch) override {
    asked.push_back(arch.summary());
    return table_.at(arch.summary());
  }
  int64_t images() const override { return images_; }

  std::vector<std::string> asked;

 private:
  std::map<std::string, double> table_;
  int64_t images_;
};

// A fitness that is the made-up accuracy (so the evolution has something to climb).
class MadeUpFitness final : public nas::FitnessEvaluator {
 public:
  std::string kind() const override { return "made_up"; }
  double fitness(const nas::Arch& arch, const nas::ArchCost&) override {
    return made_up_top1(arch);
  }
};

}  // namespace tinynas::pipeline::testing
