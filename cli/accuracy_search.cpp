#include "cli/accuracy_search.h"

#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "nas/accuracy_predictor.h"
#ifdef TINYNAS_WITH_TORCH
#include "cli/supernet_args.h"
#include "supernet/supernet_evaluator.h"
#endif

namespace tinynas::cli {

nlohmann::json JudgedResult::to_json() const {
  nlohmann::json candidates = nlohmann::json::array();
  for (const JudgedCandidate& c : top_k)
    candidates.push_back({{"arch", nas::arch_to_json(c.candidate.arch)},
                          {"summary", c.candidate.arch.summary()},
                          {"fitness", c.candidate.fitness},
                          {"macs", c.candidate.cost.macs},
                          {"sram_bytes", c.candidate.cost.sram_bytes},
                          {"flash_bytes", c.candidate.cost.flash_bytes},
                          {"validation_top1", c.validation_top1}});
  return {{"top_k", candidates},
          {"chosen", chosen},
          {"validation_images", validation_images},
          {"test_top1", test_top1},
          {"test_images", test_images}};
}

#ifdef TINYNAS_WITH_TORCH
// Two views of one checkpoint: held-out training images to choose among candidates, the test
// split to report the chosen one. Both re-calibrate BN per sub-net and cache per arch.
struct AccuracySearch::Judge {
  supernet::SupernetEvaluator validation, test;
  Judge(const std::string& checkpoint, const supernet::EvalRequest& validation_request,
        const supernet::EvalRequest& test_request)
      : validation(checkpoint, validation_request), test(checkpoint, test_request) {}
};

namespace {

// run: the settings of the run that wrote the checkpoint (its data and training subset);
// threads from the search's settings.
supernet::EvalRequest judge_request(const Settings& settings, const Settings& run,
                                    const std::string& checkpoint, const std::string& split,
                                    int64_t images) {
  supernet::EvalRequest request = eval_request_for(run, checkpoint);
  request.threads = settings.threads;
  request.split = split;
  request.eval.test_subset = images;
  return request;
}

}  // namespace
#else
struct AccuracySearch::Judge {};
#endif

AccuracySearch::AccuracySearch(const Settings& settings, const nas::SearchSpace& space)
    : settings_(settings) {
  const AccuracySearchSettings& a = settings.search;
  if (!a.supernet.empty() && !std::filesystem::exists(a.supernet))
    throw std::invalid_argument("supernet checkpoint '" + a.supernet +
                                "' does not exist (train one with tinynas train)");
#ifndef TINYNAS_WITH_TORCH
  if (!a.supernet.empty())
    throw std::invalid_argument(
        "this tinynas was built without LibTorch, so it cannot evaluate a supernet; search with "
        "--predictor alone, or build with -DTINYNAS_WITH_TORCH=ON");
#endif
  if (!a.predictor.empty()) {
    if (!std::filesystem::exists(a.predictor))
      throw std::invalid_argument("accuracy predictor '" + a.predictor +
                                  "' does not exist (build one with tinynas predictor build)");
    nas::AccuracyPredictor predictor = nas::AccuracyPredictor::load(a.predictor);
    if (predictor.space().name != space.name)
      throw std::invalid_argument("the predictor " + a.predictor + " is for space '" +
                                  predictor.space().name + "', the search's is '" + space.name +
                                  "'");
    width_mult_ = predictor.width_mult();
    resolutions_ = predictor.resolutions();
    fitness_ = std::make_unique<nas::PredictorFitness>(std::move(predictor));
    source_ = a.predictor;
  }
#ifdef TINYNAS_WITH_TORCH
  if (!a.supernet.empty()) {
    const supernet::CheckpointInfo info = supernet::describe_checkpoint(a.supernet);
    const Settings run = checkpoint_settings(info, "");
    if (info.space.name != space.name)
      throw std::invalid_argument("the supernet " + a.supernet + " is for space '" +
                                  info.space.name + "', the search's is '" + space.name + "'");
    if (fitness_ && !nas::same_width(info.width_mult, width_mult_))
      throw std::invalid_argument("the predictor is for width " + std::to_string(width_mult_) +
                                  ", the supernet has width " + std::to_string(info.width_mult));
    judge_ = std::make_unique<Judge>(
        a.supernet, judge_request(settings, run, a.supernet, "validation", a.validation_images),
        judge_request(settings, run, a.supernet, "test", 0));
    if (!fitness_) {
      width_mult_ = info.width_mult;
      resolutions_ = run.train.resolutions;
      if (resolutions_.empty()) resolutions_ = {space.resolutions.back()};
      // The validation view is the fitness: every candidate measured (slow; a predictor is the
      // fast way).
      struct Measured final : nas::FitnessEvaluator {
        supernet::SupernetEvaluator& eval;
        explicit Measured(supernet::SupernetEvaluator& e) : eval(e) {}
        std::string kind() const override { return "supernet"; }
        double fitness(const nas::Arch& arch, const nas::ArchCost& cost) override {
          return eval.fitness(arch, cost);
        }
      };
      fitness_ = std::make_unique<Measured>(judge_->validation);
      source_ = a.supernet;
    }
  }
#endif
  if (!fitness_) throw std::invalid_argument("accuracy search needs --supernet or --predictor");
}

AccuracySearch::~AccuracySearch() = default;

bool AccuracySearch::can_judge() const {
  return judge_ != nullptr;
}

std::string AccuracySearch::fitness_label() const {
  return fitness_->kind() == "predictor" ? "predicted top-1 (%)" : "validation top-1 (%)";
}

nlohmann::json AccuracySearch::describe() const {
  return {{"fitness_source", source_},
          {"supernet", settings_.search.supernet},
          {"predictor", settings_.search.predictor},
          {"width_mult", width_mult_},
          {"resolutions", resolutions_},
          {"top_k", settings_.search.top_k},
          {"validation_images", settings_.search.validation_images}};
}

JudgedResult AccuracySearch::judge(const std::vector<nas::Candidate>& ranked,
                                   const std::function<void(const std::string&)>& progress) {
  JudgedResult result;
  std::set<std::string> seen;
  for (const nas::Candidate& c : ranked) {
    if (static_cast<int>(result.top_k.size()) >= settings_.search.top_k) break;
    if (seen.insert(nas::arch_to_json(c.arch).dump()).second) result.top_k.push_back({c, -1});
  }
#ifdef TINYNAS_WITH_TORCH
  if (!judge_) return result;
  result.validation_images = judge_->validation.images();
  for (size_t i = 0; i < result.top_k.size(); ++i) {
    JudgedCandidate& c = result.top_k[i];
    c.validation_top1 = judge_->validation.accuracy(c.candidate.arch);
    if (c.validation_top1 > result.top_k[result.chosen].validation_top1) result.chosen = i;
    if (progress) {
      char line[256];
      std::snprintf(line, sizeof line, "  %zu/%zu fitness %.2f, validation top-1 %.2f%%: %s", i + 1,
                    result.top_k.size(), c.candidate.fitness, c.validation_top1,
                    c.candidate.arch.summary().c_str());
      progress(line);
    }
  }
  if (!result.top_k.empty()) {
    result.test_top1 = judge_->test.accuracy(result.top_k[result.chosen].candidate.arch);
    result.test_images = judge_->test.images();
  }
#else
  (void)progress;
#endif
  return result;
}

}  // namespace tinynas::cli
