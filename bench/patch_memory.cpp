// Patch-based inference (MCUNetV2) on the shipped networks: the layer-wise arena against the best
// patch plan (memory::choose_patch_plan, n x n grids up to 8 x 8) under several caps on the extra
// MACs, with the image in the arena in both builds, then read from the caller's frame in both.
// Results: docs/results/patch.md.
//
//   build/bench/patch_memory [ARCH.json ...]      (default: every configs/archs/*.json)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "memory_model/patch_plan.h"
#include "memory_model/scheduler.h"
#include "nas/arch.h"
#include "nas/lowering.h"

namespace {

using namespace tinynas;

std::vector<std::string> default_archs() {
  std::vector<std::string> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TINYNAS_BENCH_CONFIG_DIR) + "/archs"))
    if (entry.path().extension() == ".json") paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> paths(argv + 1, argv + argc);
  if (paths.empty()) paths = default_archs();
  constexpr double kCaps[] = {0.02, 0.05, 0.10, 0.20, 0.30};
  memory::Scheduler scheduler;
  for (const std::string& path : paths) {
    const nas::ArchFile file = nas::load_arch_file(path, "", TINYNAS_BENCH_CONFIG_DIR);
    const memory::Graph graph = nas::lower(file.arch, file.space);
    const int64_t macs = memory::patch_macs(graph, memory::PatchPlan{});
    std::printf("\n%s: %s, %.2f M MACs, image %lld B\n", std::filesystem::path(path).stem().c_str(),
                file.arch.summary().c_str(), macs / 1e6,
                static_cast<long long>(graph.tensor(graph.input()).bytes()));
    for (bool image_in_arena : {true, false}) {
      const memory::MemoryPlan layer_wise =
          scheduler.schedule(graph, memory::ScheduleOptions{0, image_in_arena});
      std::printf("  image %s: layer by layer arena %lld B (bound %lld B)\n",
                  image_in_arena ? "in the arena" : "in the caller's frame",
                  static_cast<long long>(layer_wise.arena_bytes),
                  static_cast<long long>(layer_wise.lower_bound));
      std::printf("  %8s %-14s %6s %10s %10s %7s %9s %9s\n", "max +MAC", "split after", "grid",
                  "arena B", "bound B", "ratio", "+MACs", "chose in");
      for (double cap : kCaps) {
        const auto start = std::chrono::steady_clock::now();
        const memory::PatchPlan plan = memory::choose_patch_plan(
            scheduler, graph, memory::PatchSearch{cap, 8, image_in_arena});
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (!plan.patched()) {
          std::printf("  %7.0f%% %-14s (no plan beats layer by layer) %27.1f ms\n", 100 * cap, "-",
                      ms);
          continue;
        }
        const memory::MemoryPlan patched = memory::schedule_patches(scheduler, graph, plan);
        const int64_t extra = memory::patch_macs(graph, plan) - macs;
        const std::string grid =
            std::to_string(plan.row_tiles.size()) + "x" + std::to_string(plan.col_tiles.size());
        std::printf(
            "  %7.0f%% %-14s %6s %10lld %10lld %6.2fx %8.2f%% %6.1f ms\n", 100 * cap,
            graph.op(plan.split - 1).name().c_str(), grid.c_str(),
            static_cast<long long>(patched.arena_bytes),
            static_cast<long long>(patched.lower_bound),
            static_cast<double>(patched.arena_bytes) / static_cast<double>(layer_wise.arena_bytes),
            100.0 * static_cast<double>(extra) / static_cast<double>(macs), ms);
      }
    }
  }
  return 0;
}
