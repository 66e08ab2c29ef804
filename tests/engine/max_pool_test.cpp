// max_pool2d end to end, the op added through the registries alone: its shape rule and cost in
// the memory model, its plan (not in place, no scratch), quantisation (the output keeps the
// input's scale), the C kernel against the reference interpreter byte for byte, a generated
// project with max pooling bit-exact on the host, and the quant_model.json round trip.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/codegen/c_project.h"
#include "engine/float_interpreter.h"
#include "engine/host_verify.h"
#include "engine/ops/engine_op.h"
#include "engine/quant_model_io.h"
#include "engine/random_weights.h"
#include "engine/reference_interpreter.h"
#include "memory_model/cost.h"
#include "memory_model/scheduler.h"
#include "test_models.h"
#include "tests/memory_model/plan_checker.h"
#include "tests/support/temp_dir.h"
#include "tn_maxpool.h"
#include "util/process.h"

namespace tinynas::engine {
namespace {

using memory::Activation;
using memory::Graph;
using memory::LayerRole;
using memory::OpType;
using memory::Shape;

// stem conv -> max pool -> depthwise -> 1x1 -> global pool -> classifier.
Graph pooled_net(Shape input, int kernel, int stride, int pad) {
  Graph g;
  int x = g.add_input(input);
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 8, 3, 1, Activation::kRelu6);
  x = g.add_max_pool(-1, x, kernel, stride, pad);
  x = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 0, x, 8, 3, 1,
                 Activation::kRelu6);
  x = g.add_conv(OpType::kConv2d, LayerRole::kProject, 0, x, 12, 1, 1, Activation::kNone);
  x = g.add_global_avg_pool(x);
  g.set_output(g.add_linear(x, 10));
  return g;
}

TEST(MaxPool, ShapeRuleFollowsKernelStrideAndPadding) {
  const Graph a = pooled_net({32, 32, 3}, 2, 2, 0);
  EXPECT_EQ(a.tensor(a.op(1).output).shape, (Shape{16, 16, 8}));
  const Graph b = pooled_net({32, 32, 3}, 3, 2, 1);
  EXPECT_EQ(b.tensor(b.op(1).output).shape, (Shape{16, 16, 8}));
  const Graph c = pooled_net({15, 9, 3}, 3, 2, 0);
  EXPECT_EQ(c.tensor(c.op(1).output).shape, (Shape{7, 4, 8}));
  EXPECT_EQ(c.op(1).name(), "maxpool");
  EXPECT_THROW(pooled_net({32, 32, 3}, 3, 2, 3), std::invalid_argument);  // pad >= kernel
  EXPECT_THROW(pooled_net({2, 2, 3}, 5, 1, 0), std::invalid_argument);    // window > input
}

TEST(MaxPool, CostsNothingButItsActivations) {
  const Graph g = pooled_net({32, 32, 3}, 2, 2, 0);
  const memory::OpCost c = memory::op_cost(g, g.op(1));
  EXPECT_EQ(c.macs, 0);
  EXPECT_EQ(c.params, 0);
  EXPECT_EQ(c.flash_bytes, 0);
  EXPECT_FALSE(memory::has_weights(g.op(1)));
}

TEST(MaxPool, IsPlannedOutOfPlaceWithoutScratch) {
  const Graph g = pooled_net({32, 32, 3}, 3, 2, 1);
  const memory::MemoryPlan plan = memory::Scheduler().schedule(g);
  const memory::Op& pool = g.op(1);
  EXPECT_NE(plan.tensor_buffer[static_cast<size_t>(pool.input)],
            plan.tensor_buffer[static_cast<size_t>(pool.output)]);
  for (const memory::Buffer& b : plan.buffers)
    EXPECT_FALSE(b.kind == memory::BufferKind::kScratch && b.owner_op == 1);
  const std::vector<std::string> problems = tinynas::testing::check_plan(g, plan);
  EXPECT_TRUE(problems.empty()) << tinynas::testing::join_lines(problems);
}

TEST(MaxPool, OutputKeepsTheInputQuantisationAndMatchesTheFloatMax) {
  const Graph g = pooled_net({12, 12, 3}, 3, 2, 1);
  const QuantModel m = testing::random_quant_model(g, 4);
  const memory::Op& pool = g.op(1);
  const TensorQuant& in_q = m.tensors[static_cast<size_t>(pool.input)];
  const TensorQuant& out_q = m.tensors[static_cast<size_t>(pool.output)];
  EXPECT_EQ(in_q.scale, out_q.scale);
  EXPECT_EQ(in_q.zero_point, out_q.zero_point);
  // The integer max equals the quantised float max exactly: the same elements win.
  const std::vector<float> input = testing::random_float_inputs(g, 1, 9).front();
  const std::vector<std::vector<int8_t>> ints = run_reference_all(m, quantize_input(m, input));
  const std::vector<int8_t>& x = ints[static_cast<size_t>(pool.input)];
  std::vector<float> xf(x.size());
  for (size_t i = 0; i < x.size(); ++i) xf[i] = in_q.scale * (x[i] - in_q.zero_point);
  std::vector<float> yf;
  engine_op(OpType::kMaxPool2d).run_float(g, pool, nullptr, xf, {}, yf);
  const std::vector<int8_t>& y = ints[static_cast<size_t>(pool.output)];
  ASSERT_EQ(y.size(), yf.size());
  for (size_t i = 0; i < y.size(); ++i)
    ASSERT_FLOAT_EQ(out_q.scale * (y[i] - out_q.zero_point), yf[i]) << "element " << i;
}

struct PoolCase {
  Shape in;
  int kernel, stride, pad;
};

TEST(MaxPool, KernelIsByteExactWithTheReference) {
  const PoolCase cases[] = {{{16, 16, 8}, 2, 2, 0}, {{15, 13, 5}, 3, 2, 1}, {{9, 11, 3}, 3, 1, 1},
                            {{10, 10, 7}, 5, 3, 2}, {{7, 7, 1}, 7, 1, 3},   {{8, 6, 16}, 3, 3, 0}};
  uint64_t seed = 1;
  for (const PoolCase& pc : cases) {
    Graph g;
    const int x = g.add_input(pc.in);
    g.set_output(g.add_max_pool(-1, x, pc.kernel, pc.stride, pc.pad));
    const Shape out = g.tensor(g.output()).shape;
    QuantModel m;
    m.graph = g;
    m.tensors.resize(2);
    m.layers.resize(1);
    m.layers[0].act_min = -100;  // a clamp on both sides is applied too
    m.layers[0].act_max = 90;
    const std::vector<int8_t> input = testing::random_int8(pc.in.elements(), seed++);
    const std::vector<int8_t> expected = reference_op(m, 0, input, {});
    std::vector<int8_t> actual(static_cast<size_t>(out.elements()));
    tn_maxpool_s8(input.data(), pc.in.h, pc.in.w, pc.in.c, out.h, out.w, out.c, pc.kernel,
                  pc.stride, pc.pad, -100, 90, actual.data());
    EXPECT_EQ(actual, expected) << "k" << pc.kernel << " s" << pc.stride << " p" << pc.pad;
  }
}

TEST(MaxPool, GeneratedProjectIsBitExactOnTheHost) {
  if (!util::program_available("gcc")) GTEST_SKIP() << "gcc not installed";
  const Graph g = pooled_net({20, 20, 3}, 3, 2, 1);
  const QuantModel m = testing::random_quant_model(g, 7);
  const memory::MemoryPlan plan = memory::Scheduler().schedule(g);
  tinynas::testing::TempDir dir;
  const CProjectInfo info = write_c_project(m, plan, dir.str(), {"max pool"});
  EXPECT_NE(std::find(info.kernel_files.begin(), info.kernel_files.end(), "tn_maxpool.c"),
            info.kernel_files.end());
  HostBuildOptions opt;
  opt.sanitize = true;
  const HostModel exe(dir.str(), opt);
  constexpr int kInputs = 50;
  const std::vector<int8_t> inputs = random_int8_inputs(kInputs, g.tensor(g.input()).bytes(), 3);
  const VerifyResult r =
      compare_outputs(run_reference_batch(m, inputs, kInputs), exe.run(inputs, kInputs),
                      static_cast<int>(g.tensor(g.output()).bytes()));
  EXPECT_TRUE(r.exact()) << r.first_mismatch;
}

TEST(MaxPool, SurvivesTheQuantModelJsonRoundTrip) {
  const Graph g = pooled_net({20, 20, 3}, 2, 2, 0);
  const QuantModel m = testing::random_quant_model(g, 8);
  const QuantModel back = quant_model_from_json(quant_model_to_json(m), "test");
  ASSERT_EQ(back.graph.ops().size(), g.ops().size());
  const memory::Op& pool = back.graph.op(1);
  EXPECT_EQ(pool.type, OpType::kMaxPool2d);
  EXPECT_EQ(pool.kernel, 2);
  EXPECT_EQ(pool.stride, 2);
  EXPECT_EQ(pool.pad, 0);
  const std::vector<int8_t> input = testing::random_int8(g.tensor(g.input()).bytes(), 5);
  EXPECT_EQ(run_reference(back, input), run_reference(m, input));
}

}  // namespace
}  // namespace tinynas::engine
