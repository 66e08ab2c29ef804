// How much SRAM the scheduler's several placement orders save over TinyEngine's single one
// (largest buffer first, first fit), on random sub-nets of each shipped space. Prints, per space:
// how often each order alone reaches the live-set lower bound, the mean and worst gap above it,
// and the same for the scheduler (best of all orders).
//
//   build/bench/placement_quality [archs per space, default 5000]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "memory_model/placement.h"
#include "memory_model/scheduler.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"

namespace {

using namespace tinynas;

struct Tally {
  int at_bound = 0;
  double gap_sum = 0;  // relative to the lower bound
  double gap_max = 0;
  void add(int64_t arena, int64_t bound) {
    const double gap = double(arena - bound) / double(bound);
    at_bound += arena == bound;
    gap_sum += gap;
    gap_max = std::max(gap_max, gap);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int archs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5000;
  constexpr size_t kOrders = memory::kPlacementStrategies.size();
  std::printf("%-8s %-18s %10s %10s %10s\n", "space", "placement", "at bound", "mean gap",
              "worst gap");
  for (const char* name : {"mcunet", "cifar", "mbv2"}) {
    const nas::SearchSpace space = nas::load_space(name, TINYNAS_BENCH_CONFIG_DIR);
    nas::Rng rng(1);
    memory::Scheduler scheduler;
    std::vector<Tally> per_order(kOrders);
    Tally best;
    memory::ConflictLists conflicts;
    std::vector<int> order, int_work;
    std::vector<uint64_t> key_work;
    std::vector<int64_t> live, offsets;
    std::vector<memory::AddressRange> ranges;
    for (int i = 0; i < archs; ++i) {
      const nas::Arch arch =
          nas::sample_arch(space, rng.pick(space.resolutions), rng.pick(space.width_mults), rng);
      const memory::Graph graph = nas::lower(arch, space);
      const memory::MemoryPlan plan = scheduler.schedule(graph);
      std::vector<memory::LiveBuffer> buffers;
      for (const memory::Buffer& b : plan.buffers)
        buffers.push_back({b.bytes, b.first_op, b.last_op});
      std::stable_sort(buffers.begin(), buffers.end(),
                       [](const auto& a, const auto& b) { return a.first_op < b.first_op; });
      memory::build_conflicts(buffers, &conflicts, &int_work);
      memory::live_bytes_per_op(buffers, &live);
      for (size_t k = 0; k < kOrders; ++k) {
        memory::make_order(buffers, memory::kPlacementStrategies[k].order, live, &order, &key_work);
        const int64_t arena =
            memory::place_greedy(buffers, conflicts, order, INT64_MAX, &offsets, &ranges);
        per_order[k].add(arena, plan.lower_bound);
      }
      best.add(plan.arena_bytes, plan.lower_bound);
    }
    const auto row = [&](const char* label, const Tally& t) {
      std::printf("%-8s %-18s %9.1f%% %9.2f%% %9.1f%%\n", name, label, 100.0 * t.at_bound / archs,
                  100.0 * t.gap_sum / archs, 100.0 * t.gap_max);
    };
    for (size_t k = 0; k < kOrders; ++k) row(memory::kPlacementStrategies[k].name, per_order[k]);
    row("scheduler (best)", best);
  }
  return 0;
}
