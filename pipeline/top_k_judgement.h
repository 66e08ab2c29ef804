// The accuracy search's final judgement, the same for the evolution and for its random baseline:
// the first top_k distinct candidates of a ranking (best fitness first) are measured on held-out
// training images, the one with the best validation top-1 (the first of equals) wins and only it
// is measured on the test split. Choosing never looks at the test split.
//
//   JudgedResult j = judge_top_k(evolved.top_distinct, 5, &validation, &test, note);
//   const nas::Candidate& winner = j.top_k[j.chosen].candidate;
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/evolution.h"
#include "pipeline/accuracy_meter.h"

namespace tinynas::pipeline {

struct JudgedCandidate {
  nas::Candidate candidate;
  double validation_top1 = -1;  // percent, on the held-out training images; -1: not measured
};

struct JudgedResult {
  std::vector<JudgedCandidate> top_k;  // in the fitness order they came in
  size_t chosen = 0;                   // index into top_k: best validation top-1
  double test_top1 = -1;               // the chosen one on the test split; -1: not measured
  int64_t validation_images = 0, test_images = 0;
  nlohmann::json to_json() const;  // result.json's "judged" entries
};

// validation and test: null when there is no supernet; then the top_k keep their fitness order
// (chosen 0) and nothing is measured. note: a line per measured candidate (may be empty).
JudgedResult judge_top_k(const std::vector<nas::Candidate>& ranked, int top_k,
                         AccuracyMeter* validation, AccuracyMeter* test,
                         const std::function<void(const std::string&)>& note);

}  // namespace tinynas::pipeline
