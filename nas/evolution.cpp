#include "nas/evolution.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#include "nas/genome.h"
#include "nas/random.h"
#include "util/interrupt.h"

namespace tinynas::nas {
namespace {

// Sorts best first; stable so equal fitness keeps insertion order (determinism).
void rank(std::vector<Candidate>& candidates) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.fitness > b.fitness; });
}

// A member of the population: the genome the operators vary and the sub-net it encodes.
struct Member {
  Genome genome;
  Candidate candidate;
};

void rank(std::vector<Member>& population) {
  std::stable_sort(population.begin(), population.end(), [](const Member& a, const Member& b) {
    return a.candidate.fitness > b.candidate.fitness;
  });
}

}  // namespace

EvolutionResult evolve(const SearchSpace& space, const std::vector<int>& resolutions,
                       double width_mult, const Constraints& constraints, FitnessEvaluator& fitness,
                       const EvolutionOptions& options, const GenerationCallback& progress) {
  if (resolutions.empty()) throw std::invalid_argument("evolution needs at least one resolution");
  if (options.population < 2) throw std::invalid_argument("population must be at least 2");
  if (options.generations < 0) throw std::invalid_argument("generations must be >= 0");
  if (!(options.parent_ratio > 0 && options.parent_ratio <= 1))
    throw std::invalid_argument("parent_ratio must be in (0, 1]");
  if (!(options.mutation_ratio >= 0 && options.mutation_ratio <= 1))
    throw std::invalid_argument("mutation_ratio must be in [0, 1]");
  if (options.max_tries < 1) throw std::invalid_argument("max_tries must be at least 1");

  Rng rng(options.seed);
  CostModel model(space, constraints.latency_model.get());
  EvolutionResult result;

  // Scores a batch of fitting children at once (batch-friendly evaluators).
  std::vector<Genome> batch_genomes;
  std::vector<Arch> batch_archs;
  std::vector<ArchCost> batch_costs;
  std::map<std::string, Candidate> seen;  // summary -> candidate, pruned to the best
  const auto remember = [&](const Candidate& c) {
    if (options.keep_distinct <= 0) return;
    seen.emplace(c.arch.summary(), c);
    if (seen.size() > static_cast<size_t>(8 * options.keep_distinct)) {
      std::vector<Candidate> all;
      for (auto& [key, cand] : seen) all.push_back(std::move(cand));
      rank(all);
      all.resize(static_cast<size_t>(options.keep_distinct));
      seen.clear();
      for (Candidate& cand : all) seen.emplace(cand.arch.summary(), std::move(cand));
    }
  };
  const auto score = [&](std::vector<Member>& into) {
    const std::vector<double> scores = fitness.fitness_batch(batch_archs, batch_costs);
    for (size_t i = 0; i < batch_archs.size(); ++i) {
      into.push_back(
          {std::move(batch_genomes[i]), {std::move(batch_archs[i]), batch_costs[i], scores[i]}});
      remember(into.back().candidate);
    }
    result.evaluated += static_cast<int64_t>(batch_archs.size());
    batch_genomes.clear();
    batch_archs.clear();
    batch_costs.clear();
  };
  // Costs a genome's sub-net; queues it for scoring when it fits.
  const auto admit = [&](Genome&& genome) {
    util::throw_if_interrupted();  // every evaluation, so Ctrl-C stops a search of any size
    Arch arch = to_arch(genome, space, width_mult);
    const ArchCost cost = model.evaluate(arch);
    if (!constraints.fits(cost)) return false;
    batch_genomes.push_back(std::move(genome));
    batch_archs.push_back(std::move(arch));
    batch_costs.push_back(cost);
    return true;
  };

  // Initial population: random genomes whose sub-nets fit.
  std::vector<Member> population;
  const int64_t max_draws = int64_t{options.population} * options.max_tries;
  for (int64_t draws = 0;
       static_cast<int>(batch_archs.size()) < options.population && draws < max_draws; ++draws)
    admit(sample_genome(space, rng.pick(resolutions), rng));
  if (batch_archs.empty()) {
    // Name the sub-space searched: a user who chose it (tinynas evolve) must see which one.
    std::string where = "resolution";
    for (size_t i = 0; i < resolutions.size(); ++i)
      where += (i == 0 ? " " : ", ") + std::to_string(resolutions[i]);
    char width[32];
    std::snprintf(width, sizeof width, "%g", width_mult);
    throw std::invalid_argument("no sub-net of space '" + space.name + "' at " + where +
                                " and width " + width + " satisfying " + constraints.describe() +
                                " was found in " + std::to_string(max_draws) + " random draws");
  }
  score(population);
  rank(population);

  const int parent_count =
      std::max(1, static_cast<int>(std::lround(options.population * options.parent_ratio)));
  const int mutants = static_cast<int>(std::lround(options.population * options.mutation_ratio));
  const int crossovers = options.population - mutants;

  for (int gen = 0; gen < options.generations; ++gen) {
    population.resize(std::min(population.size(), static_cast<size_t>(parent_count)));
    const std::vector<Member>& parents = population;
    const int n_parents = static_cast<int>(parents.size());
    GenerationStats stats;
    stats.generation = gen + 1;

    for (int i = 0; i < mutants + crossovers; ++i) {
      const bool mutation = i < mutants;
      for (int attempt = 0; attempt < options.max_tries; ++attempt) {
        const Genome& a = parents[static_cast<size_t>(rng.index(n_parents))].genome;
        Genome child =
            mutation ? mutate(a, space, resolutions, options.rates, rng)
                     : crossover(a, parents[static_cast<size_t>(rng.index(n_parents))].genome, rng);
        if (admit(std::move(child))) break;
        ++stats.rejected;
      }
    }
    stats.children = static_cast<int>(batch_archs.size());
    score(population);
    double sum = 0;
    for (const Member& m : population) sum += m.candidate.fitness;
    stats.mean_fitness = sum / static_cast<double>(population.size());
    rank(population);
    stats.best_fitness = population.front().candidate.fitness;
    result.history.push_back(stats);
    if (progress) progress(gen + 1, options.generations);
  }

  population.resize(std::min(population.size(), static_cast<size_t>(parent_count)));
  for (Member& m : population) result.parents.push_back(std::move(m.candidate));
  result.best = result.parents.front();
  for (auto& [key, cand] : seen) result.top_distinct.push_back(std::move(cand));
  rank(result.top_distinct);
  if (result.top_distinct.size() > static_cast<size_t>(std::max(0, options.keep_distinct)))
    result.top_distinct.resize(static_cast<size_t>(options.keep_distinct));
  return result;
}

}  // namespace tinynas::nas
