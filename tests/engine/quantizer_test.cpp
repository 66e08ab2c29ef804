// The quantiser against the TFLite int8 spec: BN folding preserves the float function, weights
// are symmetric per output channel, activation ranges contain 0, ReLU6 becomes the right clamp,
// average pooling keeps its input's quantisation, ADD gets TFLite's parameters, and bad input is
// rejected.
#include "engine/quantizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/float_interpreter.h"
#include "engine/quantization_error.h"
#include "engine/random_weights.h"
#include "engine/reference_interpreter.h"
#include "test_models.h"

namespace tinynas::engine {
namespace {

using memory::Activation;
using memory::Graph;
using memory::LayerRole;
using memory::OpType;

Graph small_block() {
  Graph g;
  const int x = g.add_input({6, 6, 5});
  const int a = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 8, 3, 1, Activation::kRelu6);
  const int b = g.add_conv(OpType::kConv2d, LayerRole::kExpand, 1, a, 16, 1, 1, Activation::kRelu6);
  const int c = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 1, b, 16, 5, 1,
                           Activation::kRelu6);
  const int d = g.add_conv(OpType::kConv2d, LayerRole::kProject, 1, c, 8, 1, 1, Activation::kNone);
  const int e = g.add_residual(1, a, d);
  g.set_output(g.add_linear(g.add_global_avg_pool(e), 7));
  return g;
}

TEST(QuantizerTest, FoldingBatchNormKeepsTheFloatFunction) {
  const Graph g = small_block();
  const memory::FloatWeights w = random_float_weights(g, 4);
  memory::FloatWeights folded = w;
  for (memory::LayerWeights& l : folded.layers) {
    if (!l.bn) continue;
    FoldedLayer f = fold_batch_norm(l);
    l.weight.data = f.weight;
    l.bias = memory::FloatTensor{{static_cast<int>(f.bias.size())}, f.bias};
    l.bn.reset();
  }
  const auto inputs = testing::random_float_inputs(g, 3, 5);
  for (const auto& x : inputs) {
    const auto a = FloatInterpreter(g, w).run_all(x);
    const auto b = FloatInterpreter(g, folded).run_all(x);
    for (size_t t = 0; t < a.size(); ++t)
      for (size_t j = 0; j < a[t].size(); ++j) ASSERT_NEAR(a[t][j], b[t][j], 1e-4) << t;
  }
}

TEST(QuantizerTest, WeightsAreSymmetricPerOutputChannel) {
  const Graph g = small_block();
  const memory::FloatWeights w = random_float_weights(g, 4);
  const QuantModel m = quantize(g, w, testing::random_float_inputs(g, 2, 1));
  const QuantLayer& q = m.layers[0];  // the stem: 8 channels of 3x3x5
  const FoldedLayer f = fold_batch_norm(*w.find("stem"));
  for (size_t c = 0; c < 8; ++c) {
    int max_abs = 0;
    float max_real = 0;
    for (size_t j = 0; j < 45; ++j) {
      max_abs = std::max(max_abs, std::abs(int{q.weights[c * 45 + j]}));
      max_real = std::max(max_real, std::fabs(f.weight[c * 45 + j]));
      EXPECT_NEAR(q.weights[c * 45 + j] * q.weight_scale[c], f.weight[c * 45 + j],
                  q.weight_scale[c] / 2 + 1e-7);
    }
    EXPECT_EQ(max_abs, 127) << "channel " << c;
    EXPECT_FLOAT_EQ(q.weight_scale[c], max_real / 127);
    // Bias at scale in_scale * w_scale[c].
    const double bias_scale = double{m.tensors[0].scale} * q.weight_scale[c];
    EXPECT_EQ(q.bias[c], static_cast<int32_t>(std::round(f.bias[c] / bias_scale)));
  }
}

TEST(QuantizerTest, ActivationRangesAlwaysContainZero) {
  TensorQuant q = choose_activation_quant(1.0f, 3.0f);  // widened to [0, 3]
  EXPECT_FLOAT_EQ(q.scale, 3.0f / 255);
  EXPECT_EQ(q.zero_point, -128);
  q = choose_activation_quant(-2.0f, -1.0f);  // widened to [-2, 0]
  EXPECT_EQ(q.zero_point, 127);
  q = choose_activation_quant(-1.0f, 1.0f);
  EXPECT_EQ(q.zero_point, -1);  // round(-128 + 127.5) = round(-0.5): half away from zero
  q = choose_activation_quant(0.0f, 0.0f);  // a dead tensor still gets a positive scale
  EXPECT_GT(q.scale, 0.0f);
}

TEST(QuantizerTest, Relu6BecomesAClamp) {
  int32_t lo, hi;
  activation_range(Activation::kRelu6, TensorQuant{6.0f / 255, -128}, &lo, &hi);
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
  activation_range(Activation::kRelu6, TensorQuant{0.05f, -128}, &lo, &hi);  // 6 / 0.05 = 120
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, -8);
  activation_range(Activation::kRelu6, TensorQuant{0.1f, 10}, &lo, &hi);
  EXPECT_EQ(lo, 10);
  EXPECT_EQ(hi, 70);
  activation_range(Activation::kRelu6, TensorQuant{0.01f, 0}, &lo, &hi);  // 600 > 127
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 127);
  activation_range(Activation::kNone, TensorQuant{0.01f, 0}, &lo, &hi);
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
}

TEST(QuantizerTest, PoolKeepsItsInputQuantisationAndAddFollowsTflite) {
  const Graph g = small_block();
  const QuantModel m = testing::random_quant_model(g, 8);
  const memory::Op& pool = g.op(5);
  ASSERT_EQ(pool.type, OpType::kGlobalAvgPool);
  EXPECT_EQ(m.tensors[pool.output].scale, m.tensors[pool.input].scale);
  EXPECT_EQ(m.tensors[pool.output].zero_point, m.tensors[pool.input].zero_point);

  const memory::Op& add = g.op(4);
  const AddParams& p = m.layers[4].add;
  const double s1 = m.tensors[add.input].scale, s2 = m.tensors[add.input2].scale;
  const double so = m.tensors[add.output].scale;
  const double twice_max = 2 * std::max(s1, s2);
  EXPECT_EQ(p.left_shift, 20);
  EXPECT_EQ(p.input1_offset, -m.tensors[add.input].zero_point);
  EXPECT_EQ(p.input2_offset, -m.tensors[add.input2].zero_point);
  EXPECT_EQ(p.output_offset, m.tensors[add.output].zero_point);
  EXPECT_NEAR(p.input1_multiplier * std::ldexp(1.0, p.input1_shift - 31), s1 / twice_max, 1e-9);
  EXPECT_NEAR(p.input2_multiplier * std::ldexp(1.0, p.input2_shift - 31), s2 / twice_max, 1e-9);
  EXPECT_NEAR(p.output_multiplier * std::ldexp(1.0, p.output_shift - 31),
              twice_max / (double(1 << 20) * so), 1e-12);
}

TEST(QuantizerTest, PercentileCalibrationIgnoresOutliers) {
  Graph g;
  const int x = g.add_input({10, 10, 10});
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 2));
  auto inputs = testing::random_float_inputs(g, 1, 3, -1.0f, 1.0f);
  inputs[0][17] = 100.0f;  // one outlier in 1000 values
  const memory::FloatWeights w = random_float_weights(g, 1);
  const QuantModel minmax = quantize(g, w, inputs);
  QuantizeOptions opt;
  opt.calibration = QuantizeOptions::Calibration::kPercentile;
  opt.percentile = 99.0;
  const QuantModel pct = quantize(g, w, inputs, opt);
  EXPECT_NEAR(minmax.tensors[0].scale, 101.0 / 255, 0.01);
  EXPECT_LT(pct.tensors[0].scale, 2.5 / 255);
}

TEST(QuantizerTest, Int8ModelStaysCloseToTheFloatModel) {
  const Graph g = small_block();
  const memory::FloatWeights w = random_float_weights(g, 12);
  const auto inputs = testing::random_float_inputs(g, 8, 13);
  const QuantModel m = quantize(g, w, inputs);
  const std::vector<LayerError> e = quantization_error(m, w, inputs);
  ASSERT_EQ(e.size(), g.ops().size());
  for (const LayerError& l : e) EXPECT_GT(l.snr_db, 20.0) << l.name;
}

TEST(QuantizerTest, RejectsBadInput) {
  const Graph g = small_block();
  const memory::FloatWeights w = random_float_weights(g, 1);
  EXPECT_THROW(quantize(g, w, {}), std::invalid_argument);  // no calibration data
  EXPECT_THROW(quantize(g, w, {std::vector<float>(5)}), std::invalid_argument);  // wrong size
  memory::FloatWeights wrong = w;
  wrong.layers[1].weight.shape[0] = 17;
  EXPECT_THROW(quantize(g, wrong, testing::random_float_inputs(g, 1, 1)), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::engine
