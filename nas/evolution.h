// Evolutionary search inside one (resolution, width) sub-space, with Once-for-All's defaults:
// a population of 100, 500 generations; each generation keeps the best 25 % as parents and adds
// 50 mutants and 50 crossovers of random parents. The operators vary fixed-length genomes
// (nas/genome.h); candidates are scored and reported as the sub-nets they encode. Every candidate
// must satisfy the constraints: operators are retried (rejection) up to max_tries times, and a
// child that never fits is dropped. Deterministic for a seed.
//
//   FlopsProxyFitness fitness;
//   EvolutionResult r = evolve(space, {176}, 0.5, constraints, fitness, EvolutionOptions{},
//   nullptr);
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "nas/arch.h"
#include "nas/arch_cost.h"
#include "nas/constraints.h"
#include "nas/fitness.h"
#include "nas/genetic_operators.h"
#include "nas/genome.h"
#include "nas/search_space.h"

namespace tinynas::nas {

struct EvolutionOptions {
  int population = 100;
  int generations = 500;
  double parent_ratio = 0.25;
  double mutation_ratio = 0.5;  // share of a generation's children made by mutation
  MutationRates rates;
  int max_tries = 100;     // per child, before it is dropped
  int keep_distinct = 25;  // how many of the best distinct sub-nets seen the result lists
  uint64_t seed = 0;
};

struct Candidate {
  Arch arch;
  ArchCost cost;
  double fitness = 0;
};

struct GenerationStats {
  int generation = 0;
  double best_fitness = 0;  // of the parents kept after selection
  double mean_fitness = 0;  // of the whole population (parents + children)
  int children = 0;
  int rejected = 0;  // operator outputs that broke a constraint
};

struct EvolutionResult {
  Candidate best;
  std::vector<Candidate> parents;  // the final parents, best first (may repeat one sub-net)
  // The best distinct sub-nets evaluated over the whole run, best first: what a final
  // re-measurement picks from, since a converged population holds copies of few sub-nets.
  std::vector<Candidate> top_distinct;
  std::vector<GenerationStats> history;
  int64_t evaluated = 0;  // fitness evaluations
};

// Called after every generation: (generations done, total).
using GenerationCallback = std::function<void(int done, int total)>;

// resolutions: those the search may use (one value: fixed). Throws std::invalid_argument when not
// a single initial sub-net satisfying the constraints is found within population x max_tries draws.
EvolutionResult evolve(const SearchSpace& space, const std::vector<int>& resolutions,
                       double width_mult, const Constraints& constraints, FitnessEvaluator& fitness,
                       const EvolutionOptions& options, const GenerationCallback& progress);

}  // namespace tinynas::nas
