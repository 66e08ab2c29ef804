// The op registry: every OpType has exactly one definition at its own index, names are unique
// and round-trip, and each definition's facts agree with what the rest of the memory model
// derives from them (weights -> Flash, scratch -> the kernel headers' declarations).
#include <gtest/gtest.h>

#include <set>

#include "engine/kernels/ref/tn_conv.h"
#include "engine/kernels/ref/tn_depthwise.h"
#include "memory_model/cost.h"
#include "memory_model/op_def.h"
#include "memory_model/scheduler.h"

namespace tinynas::memory {
namespace {

TEST(OpRegistry, EveryTypeIsRegisteredOnceUnderAUniqueName) {
  std::set<std::string> names;
  ASSERT_FALSE(op_types().empty());
  for (size_t i = 0; i < op_types().size(); ++i) {
    const OpType type = op_types()[i];
    EXPECT_EQ(static_cast<size_t>(type), i) << "registry order must follow OpType";
    const OpDef& def = op_def(type);
    EXPECT_EQ(def.type, type);
    EXPECT_TRUE(names.insert(def.name).second) << "duplicate name " << def.name;
    OpType back{};
    ASSERT_TRUE(op_type_from_name(def.name, &back));
    EXPECT_EQ(back, type);
    EXPECT_TRUE(def.operands == 1 || def.operands == 2) << def.name;
  }
  OpType unused{};
  EXPECT_FALSE(op_type_from_name("conv3d", &unused));
  EXPECT_THROW(op_def(static_cast<OpType>(op_types().size())), std::logic_error);
}

TEST(OpRegistry, RoleNamesRoundTrip) {
  for (LayerRole role : {LayerRole::kStem, LayerRole::kExpand, LayerRole::kDepthwise,
                         LayerRole::kProject, LayerRole::kResidual, LayerRole::kFeatureMix,
                         LayerRole::kPool, LayerRole::kClassifier, LayerRole::kMaxPool}) {
    LayerRole back{};
    ASSERT_TRUE(layer_role_from_name(to_string(role), &back)) << to_string(role);
    EXPECT_EQ(back, role);
  }
  LayerRole unused{};
  EXPECT_FALSE(layer_role_from_name("head", &unused));
}

TEST(OpRegistry, FlashFollowsTheWeightShape) {
  Graph g;
  int x = g.add_input({10, 10, 4});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 6, 3, 2, Activation::kRelu6);
  x = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 0, x, 6, 5, 1,
                 Activation::kRelu6);
  x = g.add_global_avg_pool(x);
  g.set_output(g.add_linear(x, 3));
  for (const Op& op : g.ops()) {
    const OpDef& def = op_def(op.type);
    const OpCost c = op_cost(g, op);
    const int64_t weights = def.weight_shape(g, op).count();
    EXPECT_EQ(def.has_weights, weights > 0) << op.name();
    const int64_t channels = def.has_weights ? g.tensor(op.output).shape.c : 0;
    EXPECT_EQ(c.flash_bytes, weights + channels * (kBiasBytes + kRequantBytesPerChannel))
        << op.name();
  }
  EXPECT_EQ(op_cost(g, g.op(0)).macs, 6 * 3 * 3 * 4 * 5 * 5);
  EXPECT_EQ(op_cost(g, g.op(1)).macs, 6 * 5 * 5 * 5 * 5);
  EXPECT_EQ(op_cost(g, g.op(3)).macs, 6 * 3);
}

TEST(OpRegistry, ScratchIsWhatTheKernelHeadersDeclare) {
  Graph g;
  int x = g.add_input({9, 7, 5});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 8, 5, 1, Activation::kNone);
  g.set_output(g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 0, x, 8, 7, 2,
                          Activation::kNone));
  EXPECT_EQ(op_scratch_bytes(g, g.op(0), false), tn_conv2d_s8_scratch_bytes(5, 5));
  EXPECT_EQ(op_scratch_bytes(g, g.op(0), false), 2 * 5 * 5 * 5 * 2);
  EXPECT_EQ(op_scratch_bytes(g, g.op(1), true), tn_depthwise_inplace_scratch_bytes(9, 7, 3));
  EXPECT_EQ(op_scratch_bytes(g, g.op(1), true), (9 + 6) * (7 + 6));
  EXPECT_EQ(op_scratch_bytes(g, g.op(1), false), 0);
}

TEST(OpRegistry, GraphRejectsOpsTheirDefinitionsRefuse) {
  Graph g;
  const int x = g.add_input({8, 8, 4});
  EXPECT_THROW(
      g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 0, x, 5, 3, 1, Activation::kNone),
      std::invalid_argument);
  Op conv;
  conv.type = OpType::kConv2d;
  conv.input = x;
  conv.kernel = 3;
  conv.stride = 1;
  conv.pad = 0;  // the conv kernels assume kernel / 2
  EXPECT_THROW(g.add(conv, 4), std::invalid_argument);
  Op add;
  add.type = OpType::kAdd;
  add.input = x;
  add.input2 = 7;  // no such tensor
  EXPECT_THROW(g.add(add), std::invalid_argument);
  EXPECT_EQ(g.ops().size(), 0u);
}

}  // namespace
}  // namespace tinynas::memory
