#include "nas/space_optimizer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "nas/arch_cost.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "util/interrupt.h"

namespace tinynas::nas {

int64_t percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const size_t index = static_cast<size_t>(std::max(1.0, rank)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

namespace {

constexpr int kProgressEvery = 100;  // samples between progress reports

SubspaceStats sample_subspace(const SearchSpace& space, const Constraints& constraints,
                              int resolution, double width_mult, int samples, Rng rng,
                              CostModel& model, std::atomic<int64_t>& done,
                              const ProgressCallback& progress, int64_t total) {
  SubspaceStats stats;
  stats.resolution = resolution;
  stats.width_mult = width_mult;
  stats.sampled = samples;
  Arch arch;
  for (int i = 0; i < samples; ++i) {
    util::throw_if_interrupted();  // the workers pass it to the caller like any failure
    sample_arch_into(space, resolution, width_mult, rng, arch);
    const ArchCost cost = model.evaluate(arch);
    if (constraints.fits(cost)) stats.satisfying_macs.push_back(cost.macs);
    if ((i + 1) % kProgressEvery == 0 || i + 1 == samples) {
      const int64_t step = (i + 1) % kProgressEvery ? (i + 1) % kProgressEvery : kProgressEvery;
      const int64_t now = done.fetch_add(step) + step;
      if (progress) progress(now, total);
    }
  }
  auto& macs = stats.satisfying_macs;
  std::sort(macs.begin(), macs.end());
  stats.satisfying = static_cast<int>(macs.size());
  if (!macs.empty()) {
    stats.mean_macs =
        std::accumulate(macs.begin(), macs.end(), 0.0) / static_cast<double>(macs.size());
    stats.p10_macs = percentile(macs, 0.1);
    stats.p50_macs = percentile(macs, 0.5);
    stats.p90_macs = percentile(macs, 0.9);
  }
  return stats;
}

bool better(const SubspaceStats& a, const SubspaceStats& b) {
  if ((a.satisfying > 0) != (b.satisfying > 0)) return a.satisfying > 0;
  if (a.mean_macs != b.mean_macs) return a.mean_macs > b.mean_macs;
  if (a.satisfying != b.satisfying) return a.satisfying > b.satisfying;
  if (a.resolution != b.resolution) return a.resolution < b.resolution;
  return a.width_mult < b.width_mult;
}

}  // namespace

std::vector<SubspaceStats> rank_subspaces(const SearchSpace& space, const Constraints& constraints,
                                          const SpaceOptimizerOptions& options,
                                          const ProgressCallback& progress) {
  struct Task {
    int resolution;
    double width_mult;
  };
  std::vector<Task> tasks;
  for (int r : space.resolutions)
    for (double w : space.width_mults) tasks.push_back({r, w});

  const int64_t total = static_cast<int64_t>(tasks.size()) * options.samples_per_space;
  std::vector<SubspaceStats> results(tasks.size());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;

  const auto worker = [&] {
    try {
      CostModel model(space, constraints.latency_model.get());
      for (size_t i = next++; i < tasks.size(); i = next++) {
        results[i] = sample_subspace(space, constraints, tasks[i].resolution, tasks[i].width_mult,
                                     options.samples_per_space, Rng::for_stream(options.seed, i),
                                     model, done, progress, total);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = tasks.size();  // stop the other workers early
    }
  };

  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, static_cast<int>(std::max<size_t>(1, tasks.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  std::sort(results.begin(), results.end(), better);
  return results;
}

}  // namespace tinynas::nas
