// Tests of the analytic cost model (MACs, parameters, Flash bytes, MCUNet's naive SRAM rule) on
// hand-built graphs whose numbers are worked out in the comments.
#include "memory_model/cost.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinynas::memory {
namespace {

TEST(CostTest, RegularConvCountsEveryOutputPixel) {
  Graph g;
  const int in = g.add_input({8, 8, 3});
  g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, in, 16, 3, 2, Activation::kRelu6);
  const OpCost c = op_cost(g, g.op(0));
  const int64_t weights = 3 * 3 * 3 * 16;  // 432
  EXPECT_EQ(c.macs, weights * 4 * 4);      // output 4x4x16
  EXPECT_EQ(c.params, weights + 16);
  EXPECT_EQ(c.flash_bytes, weights + 16 * 12);  // int8 weights + (bias, multiplier, shift) x 16
}

TEST(CostTest, PointwiseConv) {
  Graph g;
  const int in = g.add_input({7, 5, 8});
  g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, in, 24, 1, 1, Activation::kRelu6);
  const OpCost c = op_cost(g, g.op(0));
  EXPECT_EQ(c.macs, 8 * 24 * 7 * 5);
  EXPECT_EQ(c.params, 8 * 24 + 24);
  EXPECT_EQ(c.flash_bytes, 8 * 24 + 24 * (kBiasBytes + kRequantBytesPerChannel));
}

TEST(CostTest, DepthwiseConvHasOneFilterPerChannel) {
  Graph g;
  const int in = g.add_input({8, 8, 16});
  g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 1, in, 16, 5, 2, Activation::kRelu6);
  const OpCost c = op_cost(g, g.op(0));
  const int64_t weights = 5 * 5 * 16;
  EXPECT_EQ(c.macs, weights * 4 * 4);
  EXPECT_EQ(c.params, weights + 16);
  EXPECT_EQ(c.flash_bytes, weights + 16 * 12);
}

TEST(CostTest, LinearIsOneMacPerWeight) {
  Graph g;
  const int in = g.add_input({1, 1, 32});
  g.add_linear(in, 10);
  const OpCost c = op_cost(g, g.op(0));
  EXPECT_EQ(c.macs, 320);
  EXPECT_EQ(c.params, 330);
  EXPECT_EQ(c.flash_bytes, 320 + 10 * 12);
}

TEST(CostTest, AddAndPoolAreFree) {
  Graph g;
  const int in = g.add_input({4, 4, 8});
  const int x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, in, 8, 1, 1, Activation::kRelu6);
  const int sum = g.add_residual(1, in, x);
  g.add_global_avg_pool(sum);
  for (int op : {1, 2}) {
    const OpCost c = op_cost(g, g.op(op));
    EXPECT_EQ(c.macs, 0);
    EXPECT_EQ(c.params, 0);
    EXPECT_EQ(c.flash_bytes, 0);
  }
}

// input 8x8x3 -> stem 3x3 s1 (x: 8x8x4) -> expand 1x1 (8x8x12) -> dw 3x3 -> project 1x1 (8x8x4)
// -> add(x) -> pool -> linear 10.
Graph residual_block() {
  Graph g;
  const int in = g.add_input({8, 8, 3});
  const int x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, in, 4, 3, 1, Activation::kRelu6);
  const int e = g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, x, 12, 1, 1, Activation::kRelu6);
  const int d = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 1, e, 12, 3, 1,
                           Activation::kRelu6);
  const int p = g.add_conv(OpType::kConv2d, LayerRole::kProject, 1, d, 4, 1, 1, Activation::kNone);
  const int sum = g.add_residual(1, x, p);
  g.set_output(g.add_linear(g.add_global_avg_pool(sum), 10));
  return g;
}

TEST(CostTest, GraphCostSumsTheLayers) {
  const Graph g = residual_block();
  const GraphCost total = graph_cost(g);
  const int64_t macs = 3 * 3 * 3 * 4 * 64 + 4 * 12 * 64 + 3 * 3 * 12 * 64 + 12 * 4 * 64 + 4 * 10;
  const int64_t weights = 3 * 3 * 3 * 4 + 4 * 12 + 3 * 3 * 12 + 12 * 4 + 4 * 10;
  const int64_t channels = 4 + 12 + 12 + 4 + 10;
  EXPECT_EQ(total.macs, macs);
  EXPECT_EQ(total.params, weights + channels);
  EXPECT_EQ(total.flash_bytes, weights + channels * 12);
  EXPECT_EQ(total.sram_bytes_naive, sram_naive(g));
}

TEST(CostTest, NaiveSramCountsTheBlockInputAcrossTheResidualBlock) {
  const Graph g = residual_block();
  // Per op: inputs + output + tensors alive across it (the skip x, 256 bytes, during the body).
  const std::vector<int64_t> expected = {
      192 + 256,        // stem
      256 + 768,        // expand: x is its input
      768 + 768 + 256,  // dw + skip
      768 + 256 + 256,  // project + skip
      256 + 256 + 256,  // add: body, skip, output
      256 + 4,          // pool
      4 + 10,           // classifier
  };
  EXPECT_EQ(sram_naive_per_op(g), expected);
  EXPECT_EQ(sram_naive(g), 768 + 768 + 256);
}

TEST(CostTest, NaiveSramOfAPlainChainIsTheLargestInputPlusOutput) {
  Graph g;
  const int in = g.add_input({8, 8, 4});
  const int a = g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, in, 8, 1, 1, Activation::kRelu6);
  const int b = g.add_conv(OpType::kConv2d, LayerRole::kProject, 1, a, 4, 1, 1, Activation::kNone);
  g.set_output(b);
  EXPECT_EQ(sram_naive_per_op(g), (std::vector<int64_t>{256 + 512, 512 + 256}));
  EXPECT_EQ(sram_naive(g), 768);
}

TEST(CostTest, EmptyGraphCostsNothing) {
  Graph g;
  g.set_output(g.add_input({4, 4, 3}));
  const GraphCost total = graph_cost(g);
  EXPECT_EQ(total.macs, 0);
  EXPECT_EQ(total.flash_bytes, 0);
  EXPECT_EQ(total.sram_bytes_naive, 0);
}

}  // namespace
}  // namespace tinynas::memory
