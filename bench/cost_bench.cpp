// Throughput of pricing one sub-net, the search's inner loop: lowering, MACs / params / Flash and
// the scheduled SRAM arena. Target (foundation issue): >= 200,000 archs/s on one core for
// mcunet-in2-sized archs.
//
//   build/bench/cost_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <vector>

#include "nas/arch_cost.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "util/json_reader.h"

namespace tinynas::nas {
namespace {

const std::string kConfigs = TINYNAS_BENCH_CONFIG_DIR;

// mcunet-in2 itself, priced again and again.
void BM_CostMcunetIn2(benchmark::State& state) {
  const SearchSpace space = load_space("mcunet", kConfigs);
  const Arch arch =
      arch_from_json(util::read_json_file(kConfigs + "/archs/mcunet-in2.json"), "mcunet-in2");
  CostModel model(space);
  for (auto _ : state) benchmark::DoNotOptimize(model.evaluate(arch));
  state.counters["archs/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CostMcunetIn2);

// Random sub-nets of the in2 sub-space (R160, W0.5): what the space optimiser prices.
void BM_CostRandomR160W05(benchmark::State& state) {
  const SearchSpace space = load_space("mcunet", kConfigs);
  Rng rng(1);
  std::vector<Arch> archs;
  for (int i = 0; i < 1024; ++i) archs.push_back(sample_arch(space, 160, 0.5, rng));
  CostModel model(space);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(model.evaluate(archs[i++ & 1023]));
  state.counters["archs/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CostRandomR160W05);

// Sampling included: one space-optimiser step.
void BM_SampleAndCost(benchmark::State& state) {
  const SearchSpace space = load_space("mcunet", kConfigs);
  Rng rng(2);
  Arch arch;
  CostModel model(space);
  for (auto _ : state) {
    sample_arch_into(space, 160, 0.5, rng, arch);
    benchmark::DoNotOptimize(model.evaluate(arch));
  }
  state.counters["archs/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SampleAndCost);

}  // namespace
}  // namespace tinynas::nas
