// The search pipeline: the space optimiser ranks the (resolution, width) sub-spaces by the FLOPs
// CDF of the sub-nets that fit, evolution searches the best one, and in an accuracy search the
// final top-k and the top-k of a random search with as many evaluations are judged the same way
// (pipeline/top_k_judgement.h). `tinynas search`, `space` and `evolve` are this pipeline with
// different stages.
//
//   SearchPipeline search(space, constraints, options, std::move(accuracy));  // checks the inputs
//   SearchResult r = search.run(observer);
//   r.winner.arch;                                                            // fits constraints
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nas/constraints.h"
#include "nas/evolution.h"
#include "nas/search_space.h"
#include "nas/space_optimizer.h"
#include "pipeline/accuracy_search.h"
#include "pipeline/observer.h"
#include "pipeline/top_k_judgement.h"

namespace tinynas::pipeline {

struct Subspace {
  int resolution = 0;
  double width_mult = 0;
};

struct SearchOptions {
  uint64_t seed = 0;
  int threads = 0;                             // space optimiser threads; 0: all cores
  nas::SpaceOptimizerOptions space_optimizer;  // its seed and threads: the two above
  nas::EvolutionOptions evolution;             // its seed: the one above
  bool evolve = true;                          // false: rank the sub-spaces only
  std::optional<Subspace> subspace;            // evolve in this one; no space optimiser
};

// The accuracy search's final step: the evolution's top-k and the top-k of as many random
// fitting sub-nets, judged the same way.
struct AccuracyOutcome {
  bool judged = false;  // re-measured with a supernet
  JudgedResult search, random;
  int64_t random_drawn = 0, random_fitting = 0;  // 0 / 0: no random baseline
  double random_best_fitness = 0;
};

struct SearchResult {
  std::vector<nas::SubspaceStats> ranking;  // best first; empty when the sub-space was given
  Subspace subspace;                        // the chosen (or given) one
  bool evolved = false;                     // the fields below are set
  std::vector<int> resolutions;             // the evolution's resolutions (a gene when several)
  double width_mult = 0;                    // the evolution's width
  std::string fitness_kind;                 // result.json's fitness_kind
  nas::EvolutionResult evolution;
  std::optional<AccuracyOutcome> accuracy;  // accuracy searches only
  // The evolution's best or, when the top-k were re-measured, the best of them.
  nas::Candidate winner;
};

// Stage results as they come, so a caller can report each before the next starts (and before a
// later stage fails).
class SearchObserver : public Observer {
 public:
  virtual void space_ranked(const std::vector<nas::SubspaceStats>& /*ranking*/) {}
  virtual void subspace_chosen(const nas::SubspaceStats& /*chosen*/) {}
  virtual void evolved(const nas::EvolutionResult& /*evolution*/) {}
};

class SearchPipeline {
 public:
  // accuracy (may be null; used only when evolving) fixes the width and the resolutions to the
  // supernet's or predictor's. Throws std::invalid_argument when a given sub-space is not in
  // what the accuracy search covers.
  SearchPipeline(nas::SearchSpace space, nas::Constraints constraints, SearchOptions options,
                 std::unique_ptr<AccuracySearch> accuracy = nullptr);
  ~SearchPipeline();

  // The space searched: the given one, narrowed to the accuracy search's width and resolutions.
  const nas::SearchSpace& space() const { return space_; }
  const nas::Constraints& constraints() const { return constraints_; }
  AccuracySearch* accuracy() const { return accuracy_.get(); }
  // The evolution's fitness without an accuracy search (default: the FLOPs proxy). Throws
  // std::invalid_argument when there is an accuracy search, whose fitness it is.
  void set_fitness(std::unique_ptr<nas::FitnessEvaluator> fitness);

  // Throws std::invalid_argument when no sampled sub-net of any sub-space fits (after
  // observer.space_ranked).
  SearchResult run(SearchObserver& observer);

 private:
  std::vector<nas::SubspaceStats> rank(SearchObserver& observer) const;
  AccuracyOutcome judge_against_random(const nas::EvolutionResult& evolved,
                                       const std::vector<int>& resolutions, Observer& observer);

  nas::SearchSpace space_;
  nas::Constraints constraints_;
  SearchOptions options_;
  std::unique_ptr<AccuracySearch> accuracy_;
  std::unique_ptr<nas::FitnessEvaluator> fitness_;  // without accuracy_; null: FLOPs proxy
};

}  // namespace tinynas::pipeline
