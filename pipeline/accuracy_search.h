// What turns the search from the FLOPs proxy into an accuracy-driven search: the fitness (an
// accuracy predictor, or a supernet measuring every candidate), the sub-space the supernet was
// trained for (its width, its training resolutions), and the meters of the final judgement
// (pipeline/top_k_judgement.h): held-out training images to choose, the test split to report.
//
//   auto a = open_accuracy_search(settings.search, threads, space, access);  // reads the files
//   SearchPipeline search(space, constraints, options, std::move(a));
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/fitness.h"
#include "nas/search_space.h"
#include "pipeline/accuracy_meter.h"
#include "pipeline/accuracy_search_settings.h"
#include "pipeline/top_k_judgement.h"

namespace tinynas::pipeline {

class AccuracySearch {
 public:
  struct Parts {
    std::unique_ptr<nas::FitnessEvaluator> fitness;
    std::string fitness_source;  // which file the fitness comes from
    double width_mult = 0;
    std::vector<int> resolutions;
    // Both or neither: without them the top-k are not re-measured.
    std::unique_ptr<AccuracyMeter> validation, test;
  };
  AccuracySearch(AccuracySearchSettings settings, Parts parts);
  ~AccuracySearch();

  nas::FitnessEvaluator& fitness() { return *parts_.fitness; }
  const std::vector<int>& resolutions() const { return parts_.resolutions; }
  double width_mult() const { return parts_.width_mult; }
  const AccuracySearchSettings& settings() const { return settings_; }
  // "predicted top-1 (%)" or "validation top-1 (%)": the fitness axis of the plots.
  std::string fitness_label() const;
  // Can re-measure candidates (a supernet was given, and this build has LibTorch).
  bool can_judge() const { return parts_.validation && parts_.test; }
  nlohmann::json describe() const;  // result.json's "accuracy_search"

  // judge_top_k with settings().top_k and this search's meters.
  JudgedResult judge(const std::vector<nas::Candidate>& ranked,
                     const std::function<void(const std::string&)>& note);

 private:
  AccuracySearchSettings settings_;
  Parts parts_;
};

// Reads the predictor and / or the supernet named in settings (at least one) and checks they
// belong to space and to each other. threads: the supernet's evaluation threads. Throws
// std::invalid_argument on missing or mismatched files, and on a supernet in a build without
// LibTorch (supernets.available() false).
std::unique_ptr<AccuracySearch> open_accuracy_search(const AccuracySearchSettings& settings,
                                                     int threads, const nas::SearchSpace& space,
                                                     const SupernetAccess& supernets);

}  // namespace tinynas::pipeline
