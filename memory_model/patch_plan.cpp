#include "memory_model/patch_plan.h"

#include <algorithm>
#include <stdexcept>

#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

// The largest region any tile needs of tensor t along one axis.
int largest(const std::vector<AxisRegions>& tiles, size_t t) {
  int most = 0;
  for (const AxisRegions& r : tiles) most = std::max(most, r.tensor[t].size());
  return most;
}

}  // namespace

PatchPlan make_patch_plan(const Graph& graph, int split, int row_tiles, int col_tiles,
                          bool image_in_arena) {
  std::string why;
  if (!is_patch_split(graph, split, &why)) throw std::invalid_argument(why);
  const Shape out = graph.tensor(stage_output(graph, split)).shape;
  PatchPlan plan;
  plan.split = split;
  plan.image_in_arena = image_in_arena;
  plan.row_tiles = split_evenly(out.h, row_tiles);
  plan.col_tiles = split_evenly(out.w, col_tiles);
  for (const Span& tile : plan.row_tiles)
    plan.rows.push_back(derive_regions(graph, split, Axis::kRows, tile));
  for (const Span& tile : plan.col_tiles)
    plan.cols.push_back(derive_regions(graph, split, Axis::kCols, tile));
  return plan;
}

int64_t patch_macs(const Graph& graph, const PatchPlan& plan) {
  int64_t total = 0;
  for (int i = 0; i < static_cast<int>(graph.ops().size()); ++i) {
    const Op& op = graph.op(i);
    const int64_t macs = op_def(op.type).macs(graph, op);
    if (i >= plan.split) {
      total += macs;
      continue;
    }
    // A windowed op's MACs are the same for every output pixel; count the pixels each tile
    // computes (rows and columns are independent, so sum each axis over its tiles).
    const Shape s = graph.tensor(op.output).shape;
    int64_t rows = 0, cols = 0;
    for (const AxisRegions& r : plan.rows) rows += r.op[static_cast<size_t>(i)].out.size();
    for (const AxisRegions& c : plan.cols) cols += c.op[static_cast<size_t>(i)].out.size();
    total += macs / (int64_t{s.h} * s.w) * rows * cols;
  }
  return total;
}

Graph tile_graph(const Graph& graph, const PatchPlan& plan) {
  Graph tiled = graph;
  if (!plan.patched()) return tiled;
  const int assembled = stage_output(graph, plan.split);
  for (int i = 0; i < plan.split; ++i) {
    const int t = graph.op(i).output;
    if (t == assembled) continue;
    Shape shape = graph.tensor(t).shape;
    shape.h = largest(plan.rows, static_cast<size_t>(t));
    shape.w = largest(plan.cols, static_cast<size_t>(t));
    tiled.set_tensor_shape(t, shape);
  }
  return tiled;
}

MemoryPlan schedule_patches(Scheduler& scheduler, const Graph& graph, const PatchPlan& plan) {
  return scheduler.schedule(tile_graph(graph, plan),
                            ScheduleOptions{plan.split, plan.image_in_arena});
}

PatchPlan choose_patch_plan(Scheduler& scheduler, const Graph& graph, const PatchSearch& search) {
  PatchPlan best;
  best.image_in_arena = search.image_in_arena;
  int64_t best_arena = scheduler.arena_bytes(graph, ScheduleOptions{0, search.image_in_arena});
  const int64_t base_macs = patch_macs(graph, best);
  int64_t best_macs = base_macs;
  const auto allowed = static_cast<int64_t>(static_cast<double>(base_macs) * search.max_overhead);
  for (int split = 1; split < static_cast<int>(graph.ops().size()); ++split) {
    if (!is_patch_split(graph, split)) continue;
    const Shape out = graph.tensor(stage_output(graph, split)).shape;
    for (int n = 2; n <= std::min({search.max_tiles, out.h, out.w}); ++n) {
      PatchPlan plan = make_patch_plan(graph, split, n, n, search.image_in_arena);
      const int64_t macs = patch_macs(graph, plan);
      if (macs - base_macs > allowed) continue;
      const int64_t arena = scheduler.arena_bytes(tile_graph(graph, plan),
                                                  ScheduleOptions{split, search.image_in_arena});
      const bool better =
          arena < best_arena ||
          (arena == best_arena && best.patched() &&
           (macs < best_macs || (macs == best_macs && plan.tiles() < best.tiles())));
      if (!better) continue;
      best = std::move(plan);
      best_arena = arena;
      best_macs = macs;
    }
  }
  return best;
}

}  // namespace tinynas::memory
