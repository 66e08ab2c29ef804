// Tests of patch plans: the MACs a patch build computes, and its memory plan from the one
// scheduler, accepted by the independent plan checker on random stages.
#include "memory_model/patch_plan.h"

#include <gtest/gtest.h>

#include <random>

#include "memory_model/cost.h"
#include "tests/memory_model/patch_oracle.h"
#include "tests/memory_model/plan_checker.h"

namespace tinynas::memory {
namespace {

int64_t layer_wise_macs(const Graph& g) {
  return patch_macs(g, PatchPlan{});
}

// ../shared/notes/patch-inference.md works the VWW model's first stage out by hand: 1,913,600
// MACs layer by layer, 2,074,304 in 2 x 2 tiles (+160,704: the overlap recomputed); a live-set
// bound of 63,096 B with the 19,200 B image in the arena (tile 1's 8 -> 48 expansion, 21x21,
// beside the image and the 20x20x48 stage output) against 89,600 B layer by layer.
TEST(PatchPlan, MatchesTheWorkedVwwExample) {
  const Graph g = testing::vww_first_blocks_network();
  const PatchPlan plan = make_patch_plan(g, 5, 2, 2);
  const int64_t head = layer_wise_macs(g) - 1913600;  // the ops after the stage
  EXPECT_EQ(patch_macs(g, plan) - head, 2074304);

  Scheduler scheduler;
  const MemoryPlan layer_wise = scheduler.schedule(g);
  EXPECT_EQ(layer_wise.lower_bound, 89600);
  const MemoryPlan patched = schedule_patches(scheduler, g, plan);
  EXPECT_EQ(patched.lower_bound, 63096);
  const Graph tiles = tile_graph(g, plan);
  EXPECT_TRUE(testing::check_plan(tiles, patched, plan.split).empty())
      << testing::join_lines(testing::check_plan(tiles, patched, plan.split));
  EXPECT_EQ(tiles.tensor(g.op(3).output).shape, (Shape{21, 21, 48}));
  EXPECT_EQ(tiles.tensor(g.input()).shape, (Shape{80, 80, 3}));        // read by every tile
  EXPECT_EQ(tiles.tensor(g.op(4).output).shape, (Shape{20, 20, 48}));  // assembled in full

  // The image read from the caller's frame: the notes' 43,896 B bound without it (the same
  // expansion, beside the stage output alone).
  const PatchPlan framed = make_patch_plan(g, 5, 2, 2, /*image_in_arena=*/false);
  const MemoryPlan framed_memory = schedule_patches(scheduler, g, framed);
  EXPECT_EQ(framed_memory.lower_bound, 43896);
  EXPECT_EQ(framed_memory.buffers[static_cast<size_t>(framed_memory.tensor_buffer[0])].bytes, 0);
  EXPECT_TRUE(testing::check_plan(tiles, framed_memory, 5, false).empty())
      << testing::join_lines(testing::check_plan(tiles, framed_memory, 5, false));
  // and the checker refuses the same plan as one that keeps the image in the arena
  EXPECT_FALSE(testing::check_plan(tiles, framed_memory, 5, true).empty());
}

// The notes' split sweep on the same model: splitting after b1's 1x1 projection (op 6) instead of
// its depthwise keeps the same overlap but hands over 20x20x16 instead of 20x20x48 bytes, so the
// bound with the image falls from 63,096 B to 50,296 B. The chooser must find the later split and
// stay within the overhead it is allowed. Every split that saves memory puts both stride-2 layers
// in the stage, and 2 x 2 tiles of them already recompute 7.2 % of these ops' MACs: allowed 5 %,
// the chooser must keep the layer-wise build.
TEST(PatchPlan, ChooserPrefersTheSplitWithTheSmallerStageOutput) {
  const Graph g = testing::vww_first_blocks_network();
  Scheduler scheduler;
  EXPECT_EQ(schedule_patches(scheduler, g, make_patch_plan(g, 6, 2, 2)).lower_bound, 50296);
  const int64_t macs = layer_wise_macs(g);
  const int64_t layer_wise_arena = scheduler.arena_bytes(g);
  for (double cap : {0.10, 0.25}) {
    const PatchPlan best = choose_patch_plan(scheduler, g, PatchSearch{cap, 8});
    ASSERT_TRUE(best.patched()) << cap;
    EXPECT_EQ(best.split, 6) << cap;
    EXPECT_LE(patch_macs(g, best) - macs, static_cast<int64_t>(static_cast<double>(macs) * cap));
    EXPECT_LT(schedule_patches(scheduler, g, best).arena_bytes, layer_wise_arena);
  }
  EXPECT_FALSE(choose_patch_plan(scheduler, g, PatchSearch{0.05, 8}).patched());
  EXPECT_FALSE(choose_patch_plan(scheduler, g, PatchSearch{0.0, 8}).patched());
}

// MACs of a plan by the oracle: per tile, each op's MACs per output pixel times the pixels of the
// bounding box of what the tile depends on (which the op must compute).
int64_t oracle_macs(const Graph& g, const PatchPlan& plan) {
  int64_t total = 0;
  for (int i = plan.split; i < static_cast<int>(g.ops().size()); ++i)
    total += op_cost(g, g.op(i)).macs;
  for (const Span& rows : plan.row_tiles)
    for (const Span& cols : plan.col_tiles) {
      const auto need = testing::dependency_masks(g, plan.split, rows, cols);
      for (int i = 0; i < plan.split; ++i) {
        const int t = g.op(i).output;
        const Shape s = g.tensor(t).shape;
        Span box_rows, box_cols;
        testing::bounding_box(need[static_cast<size_t>(t)], s, &box_rows, &box_cols);
        total +=
            op_cost(g, g.op(i)).macs / (int64_t{s.h} * s.w) * box_rows.size() * box_cols.size();
      }
    }
  return total;
}

// One tile computes what the layer-wise build does, less the rows no reader needs (the last
// row of an even-sized tensor that only a strided 1x1 reads, or rows an unpadded pool skips).
TEST(PatchPlan, OneTileComputesAtMostTheLayerWiseBuild) {
  const Graph vww = testing::vww_first_blocks_network();
  EXPECT_EQ(patch_macs(vww, make_patch_plan(vww, 5, 1, 1)), layer_wise_macs(vww));
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    const Graph g = testing::random_stage_network(rng);
    for (int split : testing::patch_splits(g)) {
      const PatchPlan plan = make_patch_plan(g, split, 1, 1);
      EXPECT_LE(patch_macs(g, plan), layer_wise_macs(g));
      EXPECT_EQ(patch_macs(g, plan), oracle_macs(g, plan));
    }
  }
}

// Every plan of every legal split and grid up to 4 x 4 on random stages, the image in the arena
// or in the caller's frame: the checker accepts the schedule (lifetimes across tiles, in-place
// rules, scratch, live-set bound) and the MACs are the oracle's.
TEST(PatchPlan, SchedulesPassTheIndependentCheckerOnRandomStages) {
  std::mt19937 rng(11);
  Scheduler scheduler;
  int plans = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const Graph g = testing::random_stage_network(rng);
    for (int split : testing::patch_splits(g)) {
      const Shape out = g.tensor(stage_output(g, split)).shape;
      for (int n = 1; n <= std::min({4, out.h, out.w}); ++n) {
        const int cols = std::min(out.w, n + trial % 2);  // some grids are not square
        const bool image_in_arena = trial % 3 != 0;
        const PatchPlan plan = make_patch_plan(g, split, n, cols, image_in_arena);
        EXPECT_EQ(patch_macs(g, plan), oracle_macs(g, plan));
        const Graph tiles = tile_graph(g, plan);
        const MemoryPlan memory = schedule_patches(scheduler, g, plan);
        const auto problems = testing::check_plan(tiles, memory, split, image_in_arena);
        ASSERT_TRUE(problems.empty()) << "split " << split << " grid " << n << "x" << cols << "\n"
                                      << testing::join_lines(problems);
        ++plans;
      }
    }
  }
  EXPECT_GT(plans, 300);
}

}  // namespace
}  // namespace tinynas::memory
