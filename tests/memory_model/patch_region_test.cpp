// Tests of the patch regions: a brute-force oracle (for every pixel of a tile, the input pixels
// it depends on, found by walking every window) against the derived regions, on random stages of
// convolutions, depthwise convolutions, max pools and residual blocks of any kernel and stride.
#include "memory_model/patch_region.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "memory_model/op_def.h"
#include "tests/memory_model/patch_oracle.h"

namespace tinynas::memory {
namespace {

constexpr OpType kConv = OpType::kConv2d;
constexpr OpType kDw = OpType::kDepthwiseConv2d;
constexpr Activation kRelu6 = Activation::kRelu6;

TEST(SplitEvenly, CoversOnceWithSizesWithinOne) {
  for (int extent = 1; extent <= 40; ++extent)
    for (int n = 1; n <= extent; ++n) {
      const std::vector<Span> spans = split_evenly(extent, n);
      ASSERT_EQ(spans.size(), static_cast<size_t>(n));
      EXPECT_EQ(spans.front().begin, 0);
      EXPECT_EQ(spans.back().end, extent);
      for (size_t i = 0; i < spans.size(); ++i) {
        if (i > 0) {
          EXPECT_EQ(spans[i].begin, spans[i - 1].end);
        }
        EXPECT_GE(spans[i].size(), extent / n);
        EXPECT_LE(spans[i].size(), extent / n + 1);
      }
    }
  EXPECT_THROW(split_evenly(4, 5), std::invalid_argument);
  EXPECT_THROW(split_evenly(4, 0), std::invalid_argument);
}

TEST(PatchSplit, RefusesOpsThatMixAllPixelsAndOpenResiduals) {
  Graph g;
  const int x = g.add_input({16, 16, 3});
  const int a = g.add_conv(kConv, LayerRole::kStem, -1, x, 4, 3, 1, kRelu6);
  const int b = g.add_conv(kConv, LayerRole::kConv1, 0, a, 4, 3, 1, kRelu6);
  const int c = g.add_residual(0, a, b, kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(c), 10));
  std::string why;
  EXPECT_TRUE(is_patch_split(g, 1, &why)) << why;
  EXPECT_FALSE(is_patch_split(g, 2, &why));  // the add after the split reads the stem's output
  EXPECT_NE(why.find("b0.add"), std::string::npos) << why;
  EXPECT_TRUE(is_patch_split(g, 3, &why)) << why;
  EXPECT_FALSE(is_patch_split(g, 4, &why));  // the global pool cannot run per patch
  EXPECT_NE(why.find("pool"), std::string::npos) << why;
  EXPECT_FALSE(is_patch_split(g, 0, &why));
  EXPECT_FALSE(is_patch_split(g, 5, &why));
  EXPECT_THROW(derive_regions(g, 2, Axis::kRows, {0, 4}), std::invalid_argument);
  EXPECT_THROW(derive_regions(g, 1, Axis::kRows, {10, 17}), std::invalid_argument);
}

// The worked example of MCUNetV2's VWW model (../shared/notes/patch-inference.md): an 80x80
// image, a 3x3 stride-2 stem, a 3x3 depthwise, two 1x1 convs and a 3x3 stride-2 depthwise, cut
// into 2 x 2 tiles of the 20x20 output: tile 0 reads image rows 0-41 (one pad row above), tile 1
// rows 35-79, so 7 rows are read twice.
TEST(PatchRegions, MatchTheWorkedVwwExample) {
  const Graph g = testing::vww_first_blocks_network();
  const int img = g.input();
  const std::vector<Span> tiles = split_evenly(20, 2);
  const AxisRegions first = derive_regions(g, 5, Axis::kRows, tiles[0]);
  const AxisRegions second = derive_regions(g, 5, Axis::kRows, tiles[1]);
  EXPECT_EQ(first.tensor[static_cast<size_t>(img)], (Span{0, 42}));
  EXPECT_EQ(second.tensor[static_cast<size_t>(img)], (Span{35, 80}));
  EXPECT_EQ(first.op[0].pad_before, 1);
  EXPECT_EQ(first.op[0].pad_after, 0);
  EXPECT_EQ(second.op[0].pad_before, 0);
  EXPECT_EQ(first.op[0].out, (Span{0, 21}));    // stem rows of tile 0
  EXPECT_EQ(second.op[0].out, (Span{18, 40}));  // and of tile 1
  EXPECT_EQ(first.op[4].out, (Span{0, 10}));
  EXPECT_EQ(first.op[4].in_begin, -1);
  EXPECT_EQ(second.op[4].in_begin, 19);
  EXPECT_EQ(second.op[4].pad_after, 0);
}

// Every tensor's derived region is exactly the bounding box of what the tile depends on, every
// op's windows over its computed rows stay inside its inputs' regions (or in padding outside the
// tensor), and the pads are what the windows hang over the tensor's edges.
TEST(PatchRegions, EqualTheBruteForceDependenciesOnRandomStages) {
  std::mt19937 rng(2026);
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const Graph g = testing::random_stage_network(rng);
    const std::vector<int> splits = testing::patch_splits(g);
    if (splits.empty()) continue;
    const int split = splits[std::uniform_int_distribution<size_t>(0, splits.size() - 1)(rng)];
    const Shape out = g.tensor(stage_output(g, split)).shape;
    const int n_rows = std::uniform_int_distribution<int>(1, std::min(5, out.h))(rng);
    const int n_cols = std::uniform_int_distribution<int>(1, std::min(5, out.w))(rng);
    for (const Span& rows_tile : split_evenly(out.h, n_rows))
      for (const Span& cols_tile : split_evenly(out.w, n_cols)) {
        const AxisRegions rows = derive_regions(g, split, Axis::kRows, rows_tile);
        const AxisRegions cols = derive_regions(g, split, Axis::kCols, cols_tile);
        const auto need = testing::dependency_masks(g, split, rows_tile, cols_tile);
        for (size_t t = 0; t < g.tensors().size(); ++t) {
          Span box_rows, box_cols;
          testing::bounding_box(need[t], g.tensors()[t].shape, &box_rows, &box_cols);
          ASSERT_EQ(rows.tensor[t], box_rows) << "tensor " << t << " split " << split;
          ASSERT_EQ(cols.tensor[t], box_cols) << "tensor " << t << " split " << split;
        }
        for (int i = 0; i < split; ++i) {
          const Op& op = g.op(i);
          for (const AxisRegions* r : {&rows, &cols}) {
            const Axis axis = r == &rows ? Axis::kRows : Axis::kCols;
            const OpWindow& w = r->op[static_cast<size_t>(i)];
            ASSERT_EQ(w.out, r->tensor[static_cast<size_t>(op.output)]);
            const Span read = window_input(op, w.out);
            EXPECT_EQ(w.in_begin, read.begin);
            for (int operand : {op.input, op.input2}) {
              if (operand < 0) continue;
              const int extent = axis_extent(g.tensor(operand).shape, axis);
              const Span inside{std::max(0, read.begin), std::min(extent, read.end)};
              EXPECT_TRUE(r->tensor[static_cast<size_t>(operand)].contains(inside))
                  << op.name() << " reads outside its input's region";
              EXPECT_EQ(w.pad_before, inside.begin - read.begin);
              EXPECT_EQ(w.pad_after, read.end - inside.end);
            }
          }
        }
        ++checked;
      }
  }
  EXPECT_GT(checked, 1000);  // enough tiles for the oracle to mean something
}

}  // namespace
}  // namespace tinynas::memory
