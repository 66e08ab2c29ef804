// Every C kernel of engine/kernels against the reference interpreter, byte for byte: odd channel
// counts and sizes, kernel 3/5/7, stride 1/2, depthwise in place and not, residual add in place,
// outputs saturated at both ends, and the ARMv7E-M DSP path of the convolutions (emulated in C on
// the host).
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "depthwise_variants.h"
#include "engine/reference_interpreter.h"
#include "memory_model/scheduler.h"
#include "test_models.h"
#include "tn_add.h"
#include "tn_avgpool.h"
#include "tn_conv.h"
#include "tn_conv1x1.h"
#include "tn_depthwise.h"
#include "tn_linear.h"

extern "C" {
// The arm/ kernels built with TN_EMULATE_DSP (tests/engine/CMakeLists.txt).
void tn_emu_conv2d_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                      int out_c, int kernel, int stride, const tn_layer* layer, int8_t* output,
                      int8_t* im2col);
void tn_emu_conv1x1_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                       int out_c, int stride, const tn_layer* layer, int8_t* output);
void tn_emu_linear_s8(const int8_t* input, int in_n, int out_n, const tn_layer* layer,
                      int8_t* output);
}

namespace tinynas::engine {
namespace {

using memory::Activation;
using memory::Graph;
using memory::LayerRole;
using memory::OpType;
using memory::Shape;
using testing::c_add;
using testing::c_layer;
using testing::random_int8;
using testing::random_quant_model;

struct ConvCase {
  int h, w, cin, cout, kernel, stride;
  bool relu6;
};

std::string name(const ConvCase& c) {
  return std::to_string(c.h) + "x" + std::to_string(c.w) + "x" + std::to_string(c.cin) + "->" +
         std::to_string(c.cout) + " k" + std::to_string(c.kernel) + "s" + std::to_string(c.stride);
}

std::vector<ConvCase> conv_cases() {
  std::vector<ConvCase> cases;
  int i = 0;
  for (int k : {1, 3, 5, 7})
    for (int s : {1, 2})
      for (auto [h, w, cin, cout] :
           {std::tuple{7, 9, 5, 11}, std::tuple{6, 6, 3, 8}, std::tuple{5, 11, 13, 7},
            std::tuple{1, 1, 8, 16}, std::tuple{8, 7, 16, 3}, std::tuple{4, 5, 4, 1},
            std::tuple{9, 3, 12, 5}})
        cases.push_back({h, w, cin, cout, k, s, (i++ % 2) == 0});
  return cases;
}

TEST(KernelsTest, ConvolutionsMatchTheReferenceOnBothPaths) {
  uint64_t seed = 1;
  for (const ConvCase& c : conv_cases()) {
    Graph g;
    const int x = g.add_input({c.h, c.w, c.cin});
    g.set_output(g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, c.cout, c.kernel, c.stride,
                            c.relu6 ? Activation::kRelu6 : Activation::kNone));
    const QuantModel m = random_quant_model(g, ++seed);
    const Shape out = g.tensor(g.output()).shape;
    const tn_layer layer = c_layer(m.layers[0]);
    for (int trial = 0; trial < 3; ++trial) {
      const std::vector<int8_t> in = random_int8(static_cast<size_t>(c.h * c.w * c.cin), ++seed);
      const std::vector<int8_t> expected = reference_op(m, 0, in, {});
      std::vector<int8_t> got(expected.size()), emu(expected.size());
      if (c.kernel == 1) {
        tn_conv1x1_s8(in.data(), c.h, c.w, c.cin, out.h, out.w, out.c, c.stride, &layer,
                      got.data());
        tn_emu_conv1x1_s8(in.data(), c.h, c.w, c.cin, out.h, out.w, out.c, c.stride, &layer,
                          emu.data());
      } else {
        // The scheduler's im2col size, at an odd address (arena offsets are not aligned).
        const int64_t scratch = memory::op_scratch_bytes(g, g.op(0), false);
        std::vector<int8_t> im2col(static_cast<size_t>(scratch) + 1);
        tn_conv2d_s8(in.data(), c.h, c.w, c.cin, out.h, out.w, out.c, c.kernel, c.stride, &layer,
                     got.data(), im2col.data() + 1);
        tn_emu_conv2d_s8(in.data(), c.h, c.w, c.cin, out.h, out.w, out.c, c.kernel, c.stride,
                         &layer, emu.data(), im2col.data() + 1);
      }
      ASSERT_EQ(got, expected) << name(c);
      ASSERT_EQ(emu, expected) << "DSP path " << name(c);
    }
  }
}

// The 1x1 kernel's paths on the DSP side: its own unrolled loops for 8, 16 and 24 input channels
// (stride 1, even output channels) and the general one, each over runs of up to 32 pixels whose
// sums wait on the stack: one pixel, an odd count, exactly a run, and more than two runs.
TEST(KernelsTest, PointwiseConvolutionsMatchTheReferenceOnEveryPath) {
  uint64_t seed = 100;
  for (int cin : {8, 16, 24, 12, 40})
    for (int cout : {2, 6, 7})
      for (int s : {1, 2})
        for (auto [h, w] : {std::pair{1, 1}, std::pair{5, 7}, std::pair{4, 8}, std::pair{9, 8}}) {
          Graph g;
          const int x = g.add_input({h, w, cin});
          g.set_output(g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, x, cout, 1, s,
                                  cout % 2 ? Activation::kRelu6 : Activation::kNone));
          const QuantModel m = random_quant_model(g, ++seed);
          const Shape out = g.tensor(g.output()).shape;
          const tn_layer layer = c_layer(m.layers[0]);
          const std::vector<int8_t> in = random_int8(static_cast<size_t>(h * w * cin), ++seed);
          const std::vector<int8_t> expected = reference_op(m, 0, in, {});
          std::vector<int8_t> got(expected.size()), emu(expected.size());
          tn_conv1x1_s8(in.data(), h, w, cin, out.h, out.w, out.c, s, &layer, got.data());
          tn_emu_conv1x1_s8(in.data(), h, w, cin, out.h, out.w, out.c, s, &layer, emu.data());
          const std::string what = std::to_string(h) + "x" + std::to_string(w) + "x" +
                                   std::to_string(cin) + "->" + std::to_string(cout) + " s" +
                                   std::to_string(s);
          ASSERT_EQ(got, expected) << what;
          ASSERT_EQ(emu, expected) << "DSP path " << what;
        }
}

// Pushes a layer's outputs to both ends of the int8 range: channel by channel a huge positive or
// negative bias, or a real multiplier above 1 (a left shift, the rare requantisation path), or
// left as it is; the inputs alternate between -128 and 127 so (x + offset) takes its extremes.
void saturate(QuantLayer& q, std::vector<int8_t>& input) {
  for (size_t c = 0; c < q.bias.size(); ++c) {
    switch (c % 4) {
      case 0:
        q.bias[c] = 1 << 26;
        break;
      case 1:
        q.bias[c] = -(1 << 26);
        break;
      case 2:
        q.shift[c] = 3;
        break;
      default:
        break;
    }
  }
  for (size_t i = 0; i < input.size(); ++i)
    if (i % 3 != 2) input[i] = (i % 2) ? int8_t{127} : int8_t{-128};
}

bool reaches_both_ends(const std::vector<int8_t>& y, const QuantLayer& q) {
  bool low = false, high = false;
  for (int8_t v : y) {
    low = low || v == q.act_min;
    high = high || v == q.act_max;
  }
  return low && high;
}

TEST(KernelsTest, ConvolutionsSaturateAtBothEndsOnBothPaths) {
  uint64_t seed = 300;
  for (int k : {1, 3})
    for (int s : {1, 2})
      for (auto [h, w, cin, cout] :
           {std::tuple{5, 7, 9, 7}, std::tuple{4, 4, 24, 13}, std::tuple{6, 7, 16, 8}}) {
        Graph g;
        const int x = g.add_input({h, w, cin});
        // ReLU6 narrows the clamp; without it the ends are -128 and 127.
        const Activation act = cin % 2 ? Activation::kRelu6 : Activation::kNone;
        g.set_output(g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, cout, k, s, act));
        QuantModel m = random_quant_model(g, ++seed);
        std::vector<int8_t> in = random_int8(static_cast<size_t>(h * w * cin), ++seed);
        saturate(m.layers[0], in);
        const Shape out = g.tensor(g.output()).shape;
        const tn_layer layer = c_layer(m.layers[0]);
        const std::vector<int8_t> expected = reference_op(m, 0, in, {});
        ASSERT_TRUE(reaches_both_ends(expected, m.layers[0]));
        std::vector<int8_t> got(expected.size()), emu(expected.size());
        if (k == 1) {
          tn_conv1x1_s8(in.data(), h, w, cin, out.h, out.w, out.c, s, &layer, got.data());
          tn_emu_conv1x1_s8(in.data(), h, w, cin, out.h, out.w, out.c, s, &layer, emu.data());
        } else {
          std::vector<int8_t> im2col(
              static_cast<size_t>(memory::op_scratch_bytes(g, g.op(0), false)));
          tn_conv2d_s8(in.data(), h, w, cin, out.h, out.w, out.c, k, s, &layer, got.data(),
                       im2col.data());
          tn_emu_conv2d_s8(in.data(), h, w, cin, out.h, out.w, out.c, k, s, &layer, emu.data(),
                           im2col.data());
        }
        EXPECT_EQ(got, expected) << "k" << k << "s" << s << " " << cin << "->" << cout;
        EXPECT_EQ(emu, expected) << "DSP path k" << k << "s" << s << " " << cin << "->" << cout;
      }
}

TEST(KernelsTest, LinearSaturatesAtBothEndsOnBothPaths) {
  for (auto [c, classes] : {std::tuple{33, 9}, std::tuple{64, 16}}) {
    Graph g;
    g.set_output(g.add_linear(g.add_input({1, 1, c}), classes));
    QuantModel m = random_quant_model(g, 500 + c);
    std::vector<int8_t> in = random_int8(static_cast<size_t>(c), 600 + c);
    saturate(m.layers[0], in);
    const tn_layer layer = c_layer(m.layers[0]);
    const std::vector<int8_t> expected = reference_op(m, 0, in, {});
    ASSERT_TRUE(reaches_both_ends(expected, m.layers[0]));
    std::vector<int8_t> got(expected.size()), emu(expected.size());
    tn_linear_s8(in.data(), c, classes, &layer, got.data());
    tn_emu_linear_s8(in.data(), c, classes, &layer, emu.data());
    EXPECT_EQ(got, expected) << c << "->" << classes;
    EXPECT_EQ(emu, expected) << "DSP path " << c << "->" << classes;
  }
}

TEST(KernelsTest, DepthwiseSaturatesAtBothEnds) {
  uint64_t seed = 400;
  for (int k : {3, 5, 7})
    for (int s : {1, 2}) {
      const int h = 6, w = 7, c = 9;
      Graph g;
      const int x = g.add_input({h, w, c});
      const int y =
          g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, x, c, 1, 1, Activation::kRelu6);
      const Activation act = (k + s) % 2 ? Activation::kNone : Activation::kRelu6;
      g.set_output(g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 1, y, c, k, s, act));
      QuantModel m = random_quant_model(g, ++seed);
      std::vector<int8_t> in = random_int8(static_cast<size_t>(h * w * c), ++seed);
      saturate(m.layers[1], in);
      const Shape out = g.tensor(g.output()).shape;
      const tn_layer layer = c_layer(m.layers[1]);
      const std::vector<int8_t> expected = reference_op(m, 1, in, {});
      ASSERT_TRUE(reaches_both_ends(expected, m.layers[1]));
      std::vector<int8_t> separate(expected.size());
      tn_depthwise_s8(in.data(), h, w, c, out.h, out.w, k, s, &layer, separate.data());
      EXPECT_EQ(separate, expected) << "not in place k" << k << "s" << s;
      std::vector<int8_t> buffer = in;
      std::vector<int8_t> plane(static_cast<size_t>(memory::op_scratch_bytes(g, g.op(1), true)));
      ASSERT_EQ(tn_test_depthwise_inplace(k, s, buffer.data(), h, w, c, out.h, out.w, &layer,
                                          plane.data()),
                1);
      buffer.resize(expected.size());
      EXPECT_EQ(buffer, expected) << "in place k" << k << "s" << s;
    }
}

TEST(KernelsTest, DepthwiseInPlaceAndNotMatchTheReference) {
  uint64_t seed = 100;
  for (int k : {3, 5, 7})
    for (int s : {1, 2})
      for (auto [h, w, c] : {std::tuple{7, 9, 5}, std::tuple{8, 8, 16}, std::tuple{3, 5, 13},
                             std::tuple{1, 1, 7}, std::tuple{12, 11, 1}, std::tuple{4, 10, 6}}) {
        Graph g;
        const int x = g.add_input({h, w, c});
        // A conv first so that the depthwise input is not the graph input (in place allowed).
        const int y =
            g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, x, c, 1, 1, Activation::kRelu6);
        g.set_output(g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 1, y, c, k, s,
                                Activation::kRelu6));
        const QuantModel m = random_quant_model(g, ++seed);
        const Shape out = g.tensor(g.output()).shape;
        const tn_layer layer = c_layer(m.layers[1]);
        const std::string what = std::to_string(h) + "x" + std::to_string(w) + "x" +
                                 std::to_string(c) + " k" + std::to_string(k) + "s" +
                                 std::to_string(s);
        const std::vector<int8_t> in = random_int8(static_cast<size_t>(h * w * c), ++seed);
        const std::vector<int8_t> expected = reference_op(m, 1, in, {});

        std::vector<int8_t> separate(expected.size());
        tn_depthwise_s8(in.data(), h, w, c, out.h, out.w, k, s, &layer, separate.data());
        ASSERT_EQ(separate, expected) << "not in place " << what;

        // In place: one buffer of max(in, out) bytes and the scheduler's plane size.
        std::vector<int8_t> buffer = in;
        const int64_t plane_bytes = memory::op_scratch_bytes(g, g.op(1), true);
        std::vector<int8_t> plane(static_cast<size_t>(plane_bytes));
        ASSERT_EQ(tn_test_depthwise_inplace(k, s, buffer.data(), h, w, c, out.h, out.w, &layer,
                                            plane.data()),
                  1);
        buffer.resize(expected.size());
        ASSERT_EQ(buffer, expected) << "in place " << what;
      }
}

TEST(KernelsTest, ResidualAddMatchesTheReferenceInPlaceAndNot) {
  for (int c : {1, 7, 24}) {
    Graph g;
    const int x = g.add_input({5, 3, c});
    const int body =
        g.add_conv(OpType::kConv2d, LayerRole::kProject, 1, x, c, 1, 1, Activation::kNone);
    g.set_output(g.add_residual(1, x, body));
    const QuantModel m = random_quant_model(g, 40 + c);
    const tn_add_params p = c_add(m.layers[1]);
    const size_t n = static_cast<size_t>(15 * c);
    const std::vector<int8_t> a = random_int8(n, 1 + c), b = random_int8(n, 2 + c);
    const std::vector<int8_t> expected = reference_op(m, 1, a, b);
    std::vector<int8_t> out(n);
    tn_add_s8(a.data(), b.data(), out.data(), static_cast<long>(n), &p);
    EXPECT_EQ(out, expected);
    std::vector<int8_t> in_place = a;  // output over input 1 (the body), as the scheduler does
    tn_add_s8(in_place.data(), b.data(), in_place.data(), static_cast<long>(n), &p);
    EXPECT_EQ(in_place, expected);
  }
}

TEST(KernelsTest, ResidualAddSaturatesAtBothEnds) {
  // The output rescaled 16x too large (output shift + 4, a left shift for some layers) and the
  // operands at the ends of the int8 range: outputs at both ends of the clamp.
  for (int c : {5, 24}) {
    Graph g;
    const int x = g.add_input({3, 3, c});
    const int body =
        g.add_conv(OpType::kConv2d, LayerRole::kProject, 1, x, c, 1, 1, Activation::kNone);
    g.set_output(g.add_residual(1, x, body));
    QuantModel m = random_quant_model(g, 70 + c);
    m.layers[1].add.output_shift += 4;
    const tn_add_params p = c_add(m.layers[1]);
    const size_t n = static_cast<size_t>(9 * c);
    std::vector<int8_t> a = random_int8(n, 3 + c), b = random_int8(n, 4 + c);
    for (size_t i = 0; i < n; i += 2) {
      a[i] = b[i] = (i % 4) ? int8_t{127} : int8_t{-128};
    }
    const std::vector<int8_t> expected = reference_op(m, 1, a, b);
    ASSERT_TRUE(reaches_both_ends(expected, m.layers[1]));
    std::vector<int8_t> out(n);
    tn_add_s8(a.data(), b.data(), out.data(), static_cast<long>(n), &p);
    EXPECT_EQ(out, expected) << c;
  }
}

TEST(KernelsTest, AveragePoolAndLinearMatchTheReference) {
  for (auto [h, w, c, classes] : {std::tuple{3, 3, 17, 10}, std::tuple{7, 5, 8, 1},
                                  std::tuple{1, 1, 33, 7}, std::tuple{4, 4, 96, 100}}) {
    Graph g;
    const int x = g.add_input({h, w, c});
    const int pooled = g.add_global_avg_pool(x);
    g.set_output(g.add_linear(pooled, classes));
    const QuantModel m = random_quant_model(g, 7 + c);
    for (int trial = 0; trial < 5; ++trial) {
      const std::vector<int8_t> in = random_int8(static_cast<size_t>(h * w * c), 90 + trial);
      const std::vector<int8_t> pool_ref = reference_op(m, 0, in, {});
      std::vector<int8_t> pool(pool_ref.size());
      tn_global_avgpool_s8(in.data(), h, w, c, m.layers[0].act_min, m.layers[0].act_max,
                           pool.data());
      ASSERT_EQ(pool, pool_ref);
      const std::vector<int8_t> lin_ref = reference_op(m, 1, pool_ref, {});
      std::vector<int8_t> lin(lin_ref.size());
      const tn_layer layer = c_layer(m.layers[1]);
      tn_linear_s8(pool.data(), c, classes, &layer, lin.data());
      ASSERT_EQ(lin, lin_ref);
      std::vector<int8_t> emu(lin_ref.size());
      tn_emu_linear_s8(pool.data(), c, classes, &layer, emu.data());
      ASSERT_EQ(emu, lin_ref) << "DSP path";
    }
  }
}

TEST(KernelsTest, AveragePoolRoundsHalfAwayFromZero) {
  // Sums 3 and -3 over 2 pixels: 1.5 -> 2 and -1.5 -> -2; 1 over 4: 0.25 -> 0.
  const int8_t in[4] = {1, -1, 2, -2};
  int8_t out[2];
  tn_global_avgpool_s8(in, 1, 2, 2, -128, 127, out);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], -2);
}

}  // namespace
}  // namespace tinynas::engine
