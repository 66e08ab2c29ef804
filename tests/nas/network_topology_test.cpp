// The network topology (nas/network_topology.h) and the graph nas::lower() builds from it: the
// MBConv rules written out by hand for a small space, expand ratio 1 (no expansion layer), the
// residual rule, the fixed first block, the ResNet basic block (MLPerf Tiny's ResNet-8 op by op),
// and the rules re-derived for random sub-nets of the shipped spaces.
#include "nas/network_topology.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "test_spaces.h"
#include "util/json_reader.h"

namespace tinynas::nas {
namespace {

using memory::Activation;
using memory::OpType;

// Two stages; expansion 1 or 3.
SearchSpace small_space() {
  SearchSpace s;
  s.name = "small";
  s.num_classes = 10;
  s.stem_base_channels = 16;
  s.stem_stride = 2;
  s.first_block_base_channels = 8;
  s.stages = {{16, 2, {1, 2}}, {16, 1, {1}}};
  s.kernels = {3, 5};
  s.expands = {1, 3};
  s.resolutions = {32};
  s.width_mults = {1.0};
  return s;
}

Arch small_arch() {
  Arch a;
  a.space = "small";
  a.resolution = 32;
  a.width_mult = 1.0;
  a.num_classes = 10;
  a.stages = {{{{3, 3}, {5, 1}}}, {{{5, 1}}}};
  return a;
}

struct OpRow {
  std::string name;
  OpType type;
  int in_channels, out_channels, kernel, stride, out_size;
  Activation activation;
};

std::vector<OpRow> rows(const memory::Graph& g) {
  std::vector<OpRow> out;
  for (const memory::Op& op : g.ops()) {
    const memory::Shape in = g.tensor(op.input).shape, o = g.tensor(op.output).shape;
    out.push_back({op.name(), op.type, in.c, o.c, op.kernel, op.stride, o.h, op.activation});
  }
  return out;
}

void expect_rows(const memory::Graph& g, const std::vector<OpRow>& expected) {
  const std::vector<OpRow> got = rows(g);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const OpRow &e = expected[i], &o = got[i];
    EXPECT_EQ(o.name, e.name) << "op " << i;
    EXPECT_EQ(o.type, e.type) << e.name;
    EXPECT_EQ(o.in_channels, e.in_channels) << e.name;
    EXPECT_EQ(o.out_channels, e.out_channels) << e.name;
    EXPECT_EQ(o.kernel, e.kernel) << e.name;
    EXPECT_EQ(o.stride, e.stride) << e.name;
    EXPECT_EQ(o.out_size, e.out_size) << e.name;
    EXPECT_EQ(o.activation, e.activation) << e.name;
  }
}

TEST(MBConvTest, LowersTheBlockRulesOfASmallSpace) {
  const SearchSpace space = small_space();
  validate(small_arch(), space);
  const memory::Graph g = lower(small_arch(), space);
  const auto C = OpType::kConv2d, D = OpType::kDepthwiseConv2d, A = OpType::kAdd;
  const auto R = Activation::kRelu6, N = Activation::kNone;
  const std::vector<OpRow> expected = {
      {"stem", C, 3, 16, 3, 2, 16, R},
      {"b0.dw", D, 16, 16, 3, 1, 16, R},  // the fixed first block: no expansion, no shortcut
      {"b0.project", C, 16, 8, 1, 1, 16, N},
      {"b1.expand", C, 8, 24, 1, 1, 16, R},   // e = 3: make_divisible(8 * 3)
      {"b1.dw", D, 24, 24, 3, 2, 8, R},       // the stage's stride on its first block
      {"b1.project", C, 24, 16, 1, 1, 8, N},  // stride 2: no shortcut
      {"b2.dw", D, 16, 16, 5, 1, 8, R},       // e = 1: the depthwise reads the block input
      {"b2.project", C, 16, 16, 1, 1, 8, N},
      {"b2.add", A, 16, 16, 1, 1, 8, N},  // stride 1, 16 -> 16
      {"b3.dw", D, 16, 16, 5, 1, 8, R},
      {"b3.project", C, 16, 16, 1, 1, 8, N},
      {"b3.add", A, 16, 16, 1, 1, 8, N},
      {"pool", OpType::kGlobalAvgPool, 16, 16, 1, 1, 1, N},
      {"classifier", OpType::kLinear, 16, 10, 1, 1, 1, N},
  };
  expect_rows(g, expected);
  // The shortcuts add each block's input: b2's is b1.project's output.
  const auto& ops = g.ops();
  EXPECT_EQ(ops[8].input2, ops[5].output);
  EXPECT_EQ(ops[8].input, ops[7].output);
  EXPECT_EQ(ops[11].input2, ops[8].output);
}

// configs/archs/resnet8.json: MLPerf Tiny's ResNet-8 (3x3 stem 16; one basic block per stage at
// 16 / 32 / 64 channels, strides 1 / 2 / 2; 1x1 projections where the shape changes).
TEST(ResidualBlockTest, Resnet8LowersToTheMlperfTinyTopology) {
  const SearchSpace& space = testing::shipped_space("resnet");
  EXPECT_FALSE(space.has_first_block());
  Arch a;
  a.space = "resnet";
  a.resolution = 32;
  a.width_mult = 1.0;
  a.num_classes = 10;
  a.stages = {{{{3, 1}}}, {{{3, 1}}}, {{{3, 1}}}};
  validate(a, space);
  const memory::Graph g = lower(a, space);
  const auto C = OpType::kConv2d, A = OpType::kAdd;
  const auto R = Activation::kRelu6, N = Activation::kNone;
  expect_rows(g, {
                     {"stem", C, 3, 16, 3, 1, 32, R},
                     {"b1.conv1", C, 16, 16, 3, 1, 32, R},  // 16 -> 16 at stride 1: identity skip
                     {"b1.conv2", C, 16, 16, 3, 1, 32, N},
                     {"b1.add", A, 16, 16, 1, 1, 32, R},  // ReLU6 after the sum
                     {"b2.shortcut", C, 16, 32, 1, 2, 16, N},
                     {"b2.conv1", C, 16, 32, 3, 2, 16, R},
                     {"b2.conv2", C, 32, 32, 3, 1, 16, N},
                     {"b2.add", A, 32, 32, 1, 1, 16, R},
                     {"b3.shortcut", C, 32, 64, 1, 2, 8, N},
                     {"b3.conv1", C, 32, 64, 3, 2, 8, R},
                     {"b3.conv2", C, 64, 64, 3, 1, 8, N},
                     {"b3.add", A, 64, 64, 1, 1, 8, R},
                     {"pool", OpType::kGlobalAvgPool, 64, 64, 1, 1, 1, N},
                     {"classifier", OpType::kLinear, 64, 10, 1, 1, 1, N},
                 });
  const auto& ops = g.ops();
  EXPECT_EQ(ops[3].input2, ops[0].output);  // b1 adds its input
  EXPECT_EQ(ops[7].input2, ops[4].output);  // b2 adds its projected input
  EXPECT_EQ(ops[4].input, ops[3].output);
  EXPECT_EQ(ops[5].input, ops[3].output);
  // The shipped arch file is this network.
  EXPECT_EQ(
      arch_from_json(util::read_json_file(testing::kConfigDir + "/archs/resnet8.json"), "resnet8"),
      a);
}

// Expansion e widens a residual block's middle to make_divisible(out * e); elastic kernels apply
// to both convolutions; the second block of a stage keeps the identity skip.
TEST(ResidualBlockTest, MiddleWidthAndKernelFollowTheArch) {
  const SearchSpace& space = testing::shipped_space("resnet");
  Arch a = largest_arch(space, 24, 0.5);
  const NetworkTopology t = network_topology(a, space);
  ASSERT_EQ(t.blocks.size(), 9u);
  const NetworkBlock& b = t.blocks[1];  // stage 0, second block: 8 -> 8 channels
  EXPECT_EQ(b.kind, BlockKind::kResidual);
  EXPECT_EQ(b.index, 2);
  EXPECT_EQ(b.middle_channels, 16);  // make_divisible(8 * 2)
  EXPECT_FALSE(b.projection);
  EXPECT_EQ(b.conv1().kernel, 5);
  EXPECT_EQ(b.conv2().kernel, 5);
  EXPECT_EQ(b.conv2().in_channels, 16);
  EXPECT_TRUE(t.blocks[3].projection);  // stage 1's first block: stride 2, 8 -> 16
  EXPECT_EQ(t.blocks[3].shortcut().stride, 2);
}

TEST(MBConvTest, FirstBlockHasNoShortcutEvenWhenItsChannelsMatch) {
  SearchSpace space = small_space();
  space.first_block_base_channels = space.stem_base_channels;
  const NetworkBlock b = first_block(space, 1.0);
  EXPECT_EQ(b.in_channels, b.out_channels);
  EXPECT_FALSE(b.residual);
  EXPECT_FALSE(b.has_expand);
  const memory::Graph g = lower(small_arch(), space);
  for (const memory::Op& op : g.ops()) EXPECT_NE(op.name(), "b0.add");
}

TEST(MBConvTest, BlockLayersAreNamedAndSizedAsTheirOps) {
  const SearchSpace space = small_space();
  const NetworkBlock expanded = stage_block(space, 1.0, 4, 0, 0, 8, {5, 3});
  ASSERT_EQ(expanded.layers().size(), 3);
  EXPECT_EQ(expanded.layers()[0].name(), "b4.expand");
  EXPECT_EQ(expanded.layers()[1].name(), "b4.dw");
  EXPECT_EQ(expanded.layers()[2].name(), "b4.project");
  EXPECT_EQ(expanded.middle_channels, 24);
  EXPECT_EQ(expanded.stride, 2);
  const NetworkBlock plain = stage_block(space, 1.0, 5, 0, 1, 16, {3, 1});
  ASSERT_EQ(plain.layers().size(), 2);
  EXPECT_EQ(plain.layers()[0].name(), "b5.dw");
  EXPECT_EQ(plain.layers()[0].in_channels, 16);
  EXPECT_EQ(plain.middle_channels, 16);
  EXPECT_TRUE(plain.residual);
}

// The rules re-derived per block from the space and the arch (not from nas/mbconv.cpp), for
// random sub-nets of the shipped spaces and of one whose expansion choices include 1.
TEST(MBConvTest, RandomSubnetsFollowTheBlockRules) {
  SearchSpace with_one = testing::shipped_space("mcunet");
  with_one.expands = {1, 3, 6};
  std::vector<SearchSpace> spaces = {testing::shipped_space("mcunet"),
                                     testing::shipped_space("mbv2"),
                                     testing::shipped_space("cifar"), with_one};
  Rng rng(17);
  int without_expansion = 0;
  for (const SearchSpace& space : spaces) {
    for (int trial = 0; trial < 50; ++trial) {
      const Arch arch =
          sample_arch(space, rng.pick(space.resolutions), rng.pick(space.width_mults), rng);
      const memory::Graph g = lower(arch, space);
      std::vector<std::string> names;
      for (const memory::Op& op : g.ops()) names.push_back(op.name());
      const auto has = [&](const std::string& n) {
        return std::find(names.begin(), names.end(), n) != names.end();
      };
      const auto channels = [&](const std::string& n) {
        for (const memory::Op& op : g.ops())
          if (op.name() == n) return g.tensor(op.output).shape.c;
        return -1;
      };
      int block = 0, in = space.channels(space.first_block_base_channels, arch.width_mult);
      for (size_t s = 0; s < arch.stages.size(); ++s) {
        const int out = space.channels(space.stages[s].base_channels, arch.width_mult);
        for (size_t b = 0; b < arch.stages[s].blocks.size(); ++b) {
          const BlockArch& k = arch.stages[s].blocks[b];
          const std::string p = "b" + std::to_string(++block) + ".";
          const int stride = b == 0 ? space.stages[s].stride : 1;
          EXPECT_EQ(has(p + "expand"), k.expand != 1) << p;
          without_expansion += k.expand == 1;
          const int middle = k.expand == 1 ? in : make_divisible(in * k.expand, 8);
          EXPECT_EQ(channels(p + "dw"), middle) << p;
          EXPECT_EQ(channels(p + "project"), out) << p;
          EXPECT_EQ(has(p + "add"), stride == 1 && in == out) << p;
          in = out;
        }
      }
      EXPECT_FALSE(has("b" + std::to_string(block + 1) + ".dw"));
    }
  }
  EXPECT_GT(without_expansion, 20);
}

TEST(MBConvTest, TopologyOfTheLargestSubnetDescribesEverySlot) {
  const SearchSpace& space = testing::shipped_space("mcunet");
  const NetworkTopology t = network_topology(largest_arch(space, 96, 0.5), space);
  int slots = 1;
  for (const StageSpec& s : space.stages) slots += s.max_depth();
  ASSERT_EQ(static_cast<int>(t.blocks.size()), slots);
  for (size_t i = 0; i < t.blocks.size(); ++i) EXPECT_EQ(t.blocks[i].index, static_cast<int>(i));
  EXPECT_EQ(t.stem.out_channels, 16);  // make_divisible(32 * 0.5)
  EXPECT_EQ(t.blocks[1].middle_channels, make_divisible(8 * 6, 8));
  EXPECT_FALSE(t.feature_mix.has_value());
  EXPECT_EQ(t.classifier_in, 160);  // make_divisible(320 * 0.5)
}

}  // namespace
}  // namespace tinynas::nas
