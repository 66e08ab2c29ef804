// Every kernel variant natively on the emulated Cortex-M4 and M7 (the arm/ DSP kernels as the
// target compiles them, not their host emulation): hand-made networks with odd channel counts and
// sizes, 1x1 convs at stride 1 and 2 (and their unrolled paths for 8, 16 and 24 inputs), regular
// convs of 3 and of a multiple of 4 channels, depthwise 3/5/7 at stride 1 and 2 in place and not,
// residual adds, and layers whose outputs saturate at both ends; every output byte must equal the
// reference interpreter's.
#include <gtest/gtest.h>

#include "engine/codegen/c_project.h"
#include "engine/host_verify.h"
#include "engine/quantizer.h"
#include "engine/random_weights.h"
#include "engine/reference_interpreter.h"
#include "firmware/hil.h"
#include "memory_model/scheduler.h"
#include "test_support.h"

namespace tinynas::firmware {
namespace {

using memory::Activation;
using memory::Graph;
using memory::LayerRole;
using memory::OpType;

// In-place depthwise of every (kernel, stride), each between a 1x1 expansion and projection with
// odd channel counts; a 1x1 conv at stride 2 before the classifier.
Graph in_place_variants() {
  Graph g;
  int x = g.add_input({29, 27, 3});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 13, 3, 2, Activation::kRelu6);
  int block = 0;
  for (auto [k, s] : {std::pair{3, 1}, {5, 2}, {7, 1}, {3, 2}, {5, 1}, {7, 2}}) {
    const int wide = 2 * 13 + 1 + 2 * block;
    const int e =
        g.add_conv(OpType::kConv2d, LayerRole::kExpand, block, x, wide, 1, 1, Activation::kRelu6);
    const int d = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, block, e, wide, k, s,
                             Activation::kRelu6);
    x = g.add_conv(OpType::kConv2d, LayerRole::kProject, block, d, 13, 1, 1, Activation::kNone);
    ++block;
  }
  x = g.add_conv(OpType::kConv2d, LayerRole::kProject, block, x, 17, 1, 2, Activation::kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 7));
  return g;
}

// Depthwise whose input lives on (a residual reads it, or a later conv): not in place, for kernel
// 3/5/7 at stride 1 and 2.
Graph out_of_place_variants() {
  Graph g;
  int x = g.add_input({17, 15, 3});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 11, 3, 1, Activation::kRelu6);
  int block = 0;
  for (int k : {3, 5, 7}) {
    const int d = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, block, x, 11, k, 1,
                             Activation::kRelu6);
    x = g.add_residual(block, x, d);
    ++block;
  }
  for (int k : {3, 5, 7}) {
    const int d = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, block, x, 11, k, 2,
                             Activation::kRelu6);
    const int skip =
        g.add_conv(OpType::kConv2d, LayerRole::kProject, block, x, 11, 1, 2, Activation::kNone);
    x = g.add_residual(block, skip, d);
    ++block;
  }
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 9));
  return g;
}

// The DSP paths of the regular and 1x1 convs: regular convs whose channel count is a multiple of
// 4 (their columns filled four channels at a time), 1x1 convs with 8, 16 and 24 input channels and
// an even output count (their own unrolled loops) and others, over more than one run of 32 pixels
// and an odd pixel count.
Graph dsp_conv_paths() {
  Graph g;
  int x = g.add_input({13, 11, 8});
  x = g.add_conv(OpType::kConv2d, LayerRole::kConv1, 0, x, 16, 3, 1, Activation::kRelu6);
  x = g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, x, 24, 1, 1, Activation::kRelu6);
  x = g.add_conv(OpType::kConv2d, LayerRole::kProject, 1, x, 8, 1, 1, Activation::kNone);
  x = g.add_conv(OpType::kConv2d, LayerRole::kExpand, 2, x, 16, 1, 1, Activation::kRelu6);
  x = g.add_conv(OpType::kConv2d, LayerRole::kConv2, 2, x, 12, 5, 2, Activation::kRelu6);
  x = g.add_conv(OpType::kConv2d, LayerRole::kExpand, 3, x, 36, 1, 1, Activation::kRelu6);
  x = g.add_conv(OpType::kConv2d, LayerRole::kProject, 3, x, 15, 1, 2, Activation::kNone);
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 5));
  return g;
}

// Every third weighted layer saturates: per channel a huge bias of either sign, a multiplier
// above 1 (left shift) or nothing.
void saturate_some_layers(engine::QuantModel& m) {
  for (size_t i = 0; i < m.layers.size(); ++i) {
    engine::QuantLayer& q = m.layers[i];
    if (q.bias.empty() || i % 3 != 1) continue;
    for (size_t c = 0; c < q.bias.size(); ++c) {
      if (c % 4 == 0) q.bias[c] = 1 << 26;
      if (c % 4 == 1) q.bias[c] = -(1 << 26);
      if (c % 4 == 2) q.shift[c] = 3;
    }
  }
}

engine::QuantModel quantised(const Graph& g, uint64_t seed) {
  const memory::FloatWeights w = engine::random_float_weights(g, seed);
  std::vector<std::vector<float>> calibration(
      3, std::vector<float>(static_cast<size_t>(g.tensor(g.input()).bytes())));
  uint32_t state = static_cast<uint32_t>(seed);
  for (auto& input : calibration)
    for (float& v : input) {
      state = state * 1664525u + 1013904223u;
      v = static_cast<float>(state >> 8) / 16777216.0f * 3.0f - 1.0f;
    }
  engine::QuantModel m = engine::quantize(g, w, calibration);
  saturate_some_layers(m);
  return m;
}

// How many layers saturate at both ends of their clamp on this input (reference interpreter).
int layers_at_both_ends(const engine::QuantModel& m, const std::vector<int8_t>& input) {
  const std::vector<std::vector<int8_t>> all = engine::run_reference_all(m, input);
  int count = 0;
  for (size_t i = 0; i < m.graph.ops().size(); ++i) {
    const engine::QuantLayer& q = m.layers[i];
    bool low = false, high = false;
    for (int8_t v : all[static_cast<size_t>(m.graph.ops()[i].output)]) {
      low = low || v == q.act_min;
      high = high || v == q.act_max;
    }
    count += low && high ? 1 : 0;
  }
  return count;
}

void expect_bit_exact_on_both_cores(const Graph& graph, bool depthwise_in_place, uint64_t seed) {
  testing::TempDir dir;
  const engine::QuantModel model = quantised(graph, seed);
  const memory::MemoryPlan plan = memory::Scheduler().schedule(model.graph);
  for (const memory::Op& op : graph.ops()) {
    if (op.type != OpType::kDepthwiseConv2d) continue;
    const bool in_place = plan.tensor_buffer[static_cast<size_t>(op.input)] ==
                          plan.tensor_buffer[static_cast<size_t>(op.output)];
    ASSERT_EQ(in_place, depthwise_in_place) << op.name();
  }
  const std::string model_dir = dir.str() + "/model";
  engine::write_c_project(model, plan, model_dir, {});
  const int inputs = 3;
  FirmwareRequest request;
  request.model_dir = model_dir;
  request.inputs =
      engine::random_int8_inputs(inputs, graph.tensor(graph.input()).bytes(), seed + 1);
  // The first input at both ends of the int8 range.
  for (size_t i = 0; i < static_cast<size_t>(graph.tensor(graph.input()).bytes()); ++i)
    request.inputs[i] = (i % 2) ? int8_t{127} : int8_t{-128};
  request.timeout_s = 120;
  const std::vector<int8_t> expected = engine::run_reference_batch(model, request.inputs, inputs);
  const std::vector<int8_t> first(request.inputs.begin(),
                                  request.inputs.begin() + graph.tensor(graph.input()).bytes());
  EXPECT_GE(layers_at_both_ends(model, first), 3);
  for (const char* target : {"qemu-m4", "qemu-m7"}) {
    request.target = target;
    request.work_dir = dir.str() + "/fw-" + target;
    const FirmwareResult fw = run_model_on_qemu(request);
    EXPECT_TRUE(fw.guard_ok) << target;
    EXPECT_EQ(fw.arena_bytes, plan.arena_bytes) << target;
    EXPECT_TRUE(fw.outputs == expected) << target;
  }
}

TEST(KernelVariantsQemu, InPlaceDepthwiseAndPointwiseBitExactOnM4AndM7) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  expect_bit_exact_on_both_cores(in_place_variants(), true, 11);
}

TEST(KernelVariantsQemu, OutOfPlaceDepthwiseAndResidualsBitExactOnM4AndM7) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  expect_bit_exact_on_both_cores(out_of_place_variants(), false, 12);
}

TEST(KernelVariantsQemu, RegularAndPointwiseDspPathsBitExactOnM4AndM7) {
  TINYNAS_SKIP_WITHOUT_ARM_TOOLS();
  expect_bit_exact_on_both_cores(dsp_conv_paths(), false, 13);
}

}  // namespace
}  // namespace tinynas::firmware
