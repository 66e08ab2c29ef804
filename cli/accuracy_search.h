// What turns `tinynas search` from the FLOPs proxy into an accuracy-driven search: the fitness
// (an accuracy predictor, or a supernet measuring every candidate), the sub-space the supernet
// was trained for (its width, its training resolutions), and the final judgement: the top-k
// candidates re-measured with the supernet on held-out training images, the best of them measured
// once on the test split. The same judgement is applied to a random-search baseline.
//
//   AccuracySearch a(settings, space);          // throws std::invalid_argument on bad files
//   evolve(space, a.resolutions(), a.width_mult(), constraints, a.fitness(), ...);
//   JudgedResult j = a.judge(evolved.parents, "search");
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/settings.h"
#include "nas/evolution.h"
#include "nas/fitness.h"
#include "nas/search_space.h"

namespace tinynas::cli {

struct JudgedCandidate {
  nas::Candidate candidate;
  double validation_top1 = -1;  // percent, on the held-out training images
};

struct JudgedResult {
  std::vector<JudgedCandidate> top_k;  // in the fitness order they came in
  size_t chosen = 0;                   // index into top_k: best validation top-1
  double test_top1 = -1;               // the chosen one on the test split; -1: not measured
  int64_t validation_images = 0, test_images = 0;
  nlohmann::json to_json() const;
};

class AccuracySearch {
 public:
  AccuracySearch(const Settings& settings, const nas::SearchSpace& space);
  ~AccuracySearch();

  nas::FitnessEvaluator& fitness() { return *fitness_; }
  const std::vector<int>& resolutions() const { return resolutions_; }
  double width_mult() const { return width_mult_; }
  // "predicted top-1 (%)" or "top-1 (%)": the fitness axis of the plots.
  std::string fitness_label() const;
  // Can re-measure candidates (a supernet was given, and this build has LibTorch).
  bool can_judge() const;
  nlohmann::json describe() const;

  // The first top_k distinct candidates of ranked (best fitness first), measured as above.
  // progress: called with a line per measured candidate.
  JudgedResult judge(const std::vector<nas::Candidate>& ranked,
                     const std::function<void(const std::string&)>& progress);

 private:
  struct Judge;
  std::unique_ptr<nas::FitnessEvaluator> fitness_;
  std::unique_ptr<Judge> judge_;
  std::vector<int> resolutions_;
  double width_mult_ = 0;
  Settings settings_;
  std::string source_;  // which file the fitness comes from
};

}  // namespace tinynas::cli
