#include "pipeline/search.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "nas/arch.h"
#include "nas/fitness.h"
#include "nas/random_search.h"

namespace tinynas::pipeline {
namespace {

std::string subspace_label(int resolution, double width) {
  char text[48];
  std::snprintf(text, sizeof text, "R%d W%g", resolution, width);
  return text;
}

}  // namespace

SearchPipeline::SearchPipeline(nas::SearchSpace space, nas::Constraints constraints,
                               SearchOptions options, std::unique_ptr<AccuracySearch> accuracy)
    : space_(std::move(space)),
      constraints_(constraints),
      options_(std::move(options)),
      accuracy_(options_.evolve ? std::move(accuracy) : nullptr) {
  if (!accuracy_) return;
  // A trained supernet fixes the width and the resolutions it was trained on.
  space_.width_mults = {accuracy_->width_mult()};
  space_.resolutions = accuracy_->resolutions();
  if (options_.subspace &&
      (!nas::same_width(options_.subspace->width_mult, accuracy_->width_mult()) ||
       std::find(space_.resolutions.begin(), space_.resolutions.end(),
                 options_.subspace->resolution) == space_.resolutions.end()))
    throw std::invalid_argument("the supernet / predictor covers width " +
                                std::to_string(accuracy_->width_mult()) +
                                " at its training resolutions only");
}

SearchPipeline::~SearchPipeline() = default;

void SearchPipeline::set_fitness(std::unique_ptr<nas::FitnessEvaluator> fitness) {
  if (accuracy_)
    throw std::invalid_argument("an accuracy search (predictor or supernet) has its own fitness");
  fitness_ = std::move(fitness);
}

std::vector<nas::SubspaceStats> SearchPipeline::rank(SearchObserver& observer) const {
  nas::SpaceOptimizerOptions options = options_.space_optimizer;
  options.seed = options_.seed;
  options.threads = options_.threads;
  const int64_t total =
      static_cast<int64_t>(space_.resolutions.size() * space_.width_mults.size()) *
      options.samples_per_space;
  observer.note(NoteLevel::kInfo,
                "space optimiser: " + std::to_string(total / options.samples_per_space) +
                    " sub-spaces x " + std::to_string(options.samples_per_space) + " samples");
  observer.begin("space optimiser", total);
  auto ranking = nas::rank_subspaces(space_, constraints_, options,
                                     [&](int64_t done, int64_t) { observer.update(done); });
  observer.end();
  return ranking;
}

AccuracyOutcome SearchPipeline::judge_against_random(const nas::EvolutionResult& evolved,
                                                     const std::vector<int>& resolutions,
                                                     Observer& observer) {
  AccuracySearch& accuracy = *accuracy_;
  const int top_k = accuracy.settings().top_k;
  AccuracyOutcome out;
  out.judged = accuracy.can_judge();
  const auto note = [&](const std::string& line) { observer.note(NoteLevel::kInfo, line); };
  if (accuracy.can_judge())
    observer.note(NoteLevel::kInfo, "re-measuring the evolution's top " + std::to_string(top_k) +
                                        " with the supernet");
  else
    observer.note(NoteLevel::kWarning, "no supernet given: the top " + std::to_string(top_k) +
                                           " keep their predicted accuracy only");
  out.search = accuracy.judge(evolved.top_distinct, note);
  if (!accuracy.settings().random_baseline) return out;
  const nas::RandomSearchResult random =
      nas::random_search(space_, resolutions, accuracy.width_mult(), constraints_,
                         accuracy.fitness(), evolved.evaluated, options_.seed + 1);
  out.random_drawn = random.drawn;
  out.random_fitting = static_cast<int64_t>(random.ranked.size());
  if (!random.ranked.empty()) out.random_best_fitness = random.ranked.front().fitness;
  observer.note(NoteLevel::kInfo, "random baseline: " + std::to_string(out.random_fitting) +
                                      " fitting sub-nets of " + std::to_string(out.random_drawn) +
                                      " drawn, scored by the same fitness");
  out.random = accuracy.judge(random.ranked, note);
  return out;
}

SearchResult SearchPipeline::run(SearchObserver& observer) {
  SearchResult result;
  if (options_.subspace) {
    result.subspace = *options_.subspace;
  } else {
    result.ranking = rank(observer);
    observer.space_ranked(result.ranking);
    const nas::SubspaceStats& chosen = result.ranking.front();
    if (chosen.satisfying == 0)
      throw std::invalid_argument(
          "none of the " + std::to_string(chosen.sampled) +
          " sub-nets sampled per sub-space fits " + constraints_.describe() +
          " (the smallest sub-net does): try more --samples or a larger budget");
    result.subspace = {chosen.resolution, chosen.width_mult};
    observer.subspace_chosen(chosen);
  }
  if (!options_.evolve) return result;

  nas::EvolutionOptions evolution = options_.evolution;
  evolution.seed = options_.seed;
  nas::FlopsProxyFitness flops_proxy;
  nas::FitnessEvaluator& fitness = accuracy_  ? accuracy_->fitness()
                                   : fitness_ ? *fitness_
                                              : flops_proxy;
  // With a supernet, resolution is a gene over its training resolutions (as in OFA).
  result.resolutions = accuracy_ && !options_.subspace
                           ? accuracy_->resolutions()
                           : std::vector<int>{result.subspace.resolution};
  result.width_mult = accuracy_ ? accuracy_->width_mult() : result.subspace.width_mult;
  result.fitness_kind = fitness.kind();
  observer.note(NoteLevel::kInfo,
                "evolution in " + subspace_label(result.resolutions.front(), result.width_mult) +
                    (result.resolutions.size() > 1 ? " (resolution mutates)" : "") +
                    ": population " + std::to_string(evolution.population) + ", " +
                    std::to_string(evolution.generations) + " generations, fitness " +
                    fitness.kind());
  observer.begin("evolution", evolution.generations);
  result.evolution = nas::evolve(space_, result.resolutions, result.width_mult, constraints_,
                                 fitness, evolution, [&](int done, int) { observer.update(done); });
  observer.end();
  result.evolved = true;
  observer.evolved(result.evolution);

  if (accuracy_)
    result.accuracy = judge_against_random(result.evolution, result.resolutions, observer);
  // With a supernet, the winner is the re-measured best of the final top-k.
  const std::optional<AccuracyOutcome>& o = result.accuracy;
  result.winner = o && o->judged && !o->search.top_k.empty()
                      ? o->search.top_k[o->search.chosen].candidate
                      : result.evolution.best;
  return result;
}

}  // namespace tinynas::pipeline
