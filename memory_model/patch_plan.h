// A patch plan (MCUNetV2): the split, the tile grid of the stage output, and every tile's regions
// (patch_region.h). It says what the patch-based build computes and how much memory it needs:
// the MACs with the recomputed overlap, and a tile graph (the graph with every per-patch tensor
// at its largest tile's size) that the one scheduler plans like any other graph, so the SRAM the
// search sees for a patch build is the arena the code generator allocates.
//
//   PatchPlan plan = make_patch_plan(graph, /*split=*/5, /*rows=*/2, /*cols=*/2);
//   int64_t macs = patch_macs(graph, plan);                    // >= layer-wise MACs
//   MemoryPlan memory = schedule_patches(scheduler, graph, plan);
#pragma once

#include <cstdint>
#include <vector>

#include "memory_model/graph.h"
#include "memory_model/memory_plan.h"
#include "memory_model/patch_region.h"
#include "memory_model/scheduler.h"

namespace tinynas::memory {

struct PatchPlan {
  int split = 0;                  // ops [0, split) run per tile; 0: layer by layer
  std::vector<Span> row_tiles;    // the stage output's rows, one span per tile row
  std::vector<Span> col_tiles;    // and its columns
  std::vector<AxisRegions> rows;  // per tile row: every tensor's and op's rows
  std::vector<AxisRegions> cols;  // per tile column
  // false: the first ops read the image from the caller's memory (a camera frame, Flash), so
  // the arena never holds it.
  bool image_in_arena = true;

  bool patched() const { return split > 0; }
  int tiles() const { return static_cast<int>(row_tiles.size() * col_tiles.size()); }
};

// The plan for ops [0, split) on a grid of row_tiles x col_tiles even tiles (split_evenly).
// Throws std::invalid_argument for an illegal split or a grid larger than the stage output.
PatchPlan make_patch_plan(const Graph& graph, int split, int row_tiles, int col_tiles,
                          bool image_in_arena = true);

// MACs of the whole network built with the plan: every tile computes its regions, so the overlap
// between neighbouring tiles is computed once per tile that needs it.
int64_t patch_macs(const Graph& graph, const PatchPlan& plan);

// The graph with every tensor of the per-patch stage at the size of its largest tile region (the
// image included when it is read per tile), and the stage output at full size: what the arena
// must hold while a tile runs.
Graph tile_graph(const Graph& graph, const PatchPlan& plan);

// The memory plan of a patch build: the scheduler on the tile graph, with the image and the
// stage output alive across the whole stage (every tile reads the one and writes into the other).
// A plan that is not patched gives the layer-wise schedule. Either way the image is in the arena
// only if plan.image_in_arena.
MemoryPlan schedule_patches(Scheduler& scheduler, const Graph& graph, const PatchPlan& plan);

// What `--patch auto` may choose from.
struct PatchSearch {
  // Extra MACs allowed, as a fraction of the layer-wise network's. 10 %: at 5 % mcunet-in2 and
  // mcunet-in0 get no useful plan, and what 20 % adds costs 14-19 % more MACs
  // (docs/results/patch.md).
  double max_overhead = 0.10;
  int max_tiles = 8;  // per axis; grids are n x n
  // The image in the arena in the patch build and in the layer-wise build it must beat; false:
  // both read it from the caller's memory.
  bool image_in_arena = true;
};

// The best plan over every legal split and every n x n grid (n from 2 to max_tiles, at most the
// stage output's size): the smallest arena within the MAC overhead; ties go to fewer MACs, then
// fewer tiles. The layer-wise build (an unpatched plan, with search.image_in_arena) when no plan
// has a smaller arena.
PatchPlan choose_patch_plan(Scheduler& scheduler, const Graph& graph, const PatchSearch& search);

}  // namespace tinynas::memory
