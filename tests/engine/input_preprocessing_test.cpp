// Images -> network inputs: the bilinear resize against values computed by hand with the
// half-pixel formula (src = (in / out) * (i + 0.5) - 0.5, clamped at 0), the identity at the same
// size, the normalisation of batch_loader.cpp, and the normalisation travelling with the int8 model
// (quant_model.json and model.h).
#include "engine/input_preprocessing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "engine/codegen/c_project.h"
#include "engine/quant_model_io.h"
#include "engine/quantizer.h"
#include "engine/random_weights.h"
#include "memory_model/scheduler.h"
#include "test_models.h"
#include "tests/support/invalid_argument.h"

namespace tinynas::engine {
namespace {

using memory::InputNormalization;
using memory::Shape;

using tinynas::testing::invalid_message;

TEST(BilinearTest, AxisFourToTwoSamplesPixelPairs) {
  // scale 2: src = 2 * (i + 0.5) - 0.5 = 0.5 and 2.5, halfway between pixels 0|1 and 2|3.
  const BilinearAxis a = bilinear_axis(4, 2);
  EXPECT_EQ(a.i0, (std::vector<int>{0, 2}));
  EXPECT_EQ(a.i1, (std::vector<int>{1, 3}));
  EXPECT_EQ(a.w0, (std::vector<float>{0.5f, 0.5f}));
  EXPECT_EQ(a.w1, (std::vector<float>{0.5f, 0.5f}));
}

TEST(BilinearTest, AxisTwoToThreeClampsBothEnds) {
  // scale 2/3: src = -1/6 (clamped to 0: all weight on pixel 0), 1/2, 7/6 (pixel 1; its right
  // neighbour is clamped to pixel 1 too).
  const BilinearAxis a = bilinear_axis(2, 3);
  EXPECT_EQ(a.i0, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(a.i1, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(a.w0[0], 1.0f);
  EXPECT_EQ(a.w1[0], 0.0f);
  EXPECT_FLOAT_EQ(a.w1[1], 0.5f);
  EXPECT_FLOAT_EQ(a.w1[2], 1.0f / 6.0f);
  EXPECT_FLOAT_EQ(a.w0[2], 5.0f / 6.0f);
}

TEST(BilinearTest, AxisOfTheSameSizeIsTheIdentity) {
  const BilinearAxis a = bilinear_axis(5, 5);
  EXPECT_EQ(a.i0, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(a.i1, a.i0);
  EXPECT_EQ(a.w0, std::vector<float>(5, 1.0f));
  EXPECT_EQ(a.w1, std::vector<float>(5, 0.0f));
}

TEST(BilinearTest, FourByFourToTwoByTwoAveragesEachQuad) {
  // Pixel (y, x) of channel k holds 10 y + x + 100 k; each output is the mean of a 2x2 quad.
  for (int c : {1, 3}) {
    std::vector<float> image;
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x)
        for (int k = 0; k < c; ++k) image.push_back(static_cast<float>(10 * y + x + 100 * k));
    const std::vector<float> out = resize_bilinear(image, 4, 4, c, 2, 2);
    ASSERT_EQ(out.size(), static_cast<size_t>(4 * c));
    const float expected[4] = {5.5f, 7.5f, 25.5f, 27.5f};  // (0+1+10+11)/4, (2+3+12+13)/4, ...
    for (int p = 0; p < 4; ++p)
      for (int k = 0; k < c; ++k)
        EXPECT_FLOAT_EQ(out[static_cast<size_t>(p * c + k)], expected[p] + 100.0f * k)
            << "pixel " << p << " channel " << k << " of " << c;
  }
}

TEST(BilinearTest, TwoByTwoToThreeByThreeKeepsCornersAndAveragesBetween) {
  // [[a, b], [c, d]] -> [[a, (a+b)/2, b], [(a+c)/2, (a+b+c+d)/4, (b+d)/2], [c, (c+d)/2, d]].
  const std::vector<float> image = {0, 4, 8, 16};
  const std::vector<float> expected = {0, 2, 4, 4, 7, 10, 8, 12, 16};
  const std::vector<float> out = resize_bilinear(image, 2, 2, 1, 3, 3);
  ASSERT_EQ(out.size(), expected.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], expected[i], 1e-5) << i;
  // The same in three channels (offsets per channel), through the NCHW blend.
  std::vector<float> rgb;
  for (float v : image)
    for (int k = 0; k < 3; ++k) rgb.push_back(v + 100.0f * k);
  const std::vector<float> out3 = resize_bilinear(rgb, 2, 2, 3, 3, 3);
  ASSERT_EQ(out3.size(), 27u);
  for (size_t i = 0; i < expected.size(); ++i)
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(out3[i * 3 + static_cast<size_t>(k)], expected[i] + 100.0f * k, 1e-4) << i;
}

TEST(BilinearTest, SameSizeReturnsTheImageUnchanged) {
  std::vector<float> image(5 * 7 * 3);
  for (size_t i = 0; i < image.size(); ++i) image[i] = std::sin(static_cast<float>(i)) * 3.0f;
  EXPECT_EQ(resize_bilinear(image, 5, 7, 3, 5, 7), image);
}

TEST(BilinearTest, ConstantImagesStayConstantAndShapesFollowTheOutput) {
  const std::vector<float> image(32 * 32 * 3, 0.75f);
  for (int r : {16, 20, 24, 28, 40}) {
    const std::vector<float> out = resize_bilinear(image, 32, 32, 3, r, r);
    ASSERT_EQ(out.size(), static_cast<size_t>(r * r * 3));
    for (float v : out) ASSERT_NEAR(v, 0.75f, 1e-6) << r;
  }
}

TEST(BilinearTest, BadSizesAreRejected) {
  EXPECT_THROW(resize_bilinear({1, 2, 3}, 2, 2, 1, 3, 3), std::invalid_argument);
  EXPECT_THROW(resize_bilinear({1}, 1, 1, 1, 0, 3), std::invalid_argument);
  EXPECT_THROW(bilinear_axis(0, 3), std::invalid_argument);
}

TEST(NormalizationTest, PixelsFollowTheTrainingFormula) {
  const InputNormalization norm{{0.5f, 0.25f, 0.0f}, {0.25f, 0.5f, 1.0f}};
  const uint8_t pixels[6] = {0, 255, 51, 255, 0, 102};
  float out[6];
  normalize_pixels(pixels, 2, 3, norm, out);
  for (int i = 0; i < 6; ++i) {
    const int c = i % 3;
    const double expected = (pixels[i] / 255.0 - norm.mean[c]) / norm.std[c];
    EXPECT_NEAR(out[i], expected, 1e-6) << i;
  }
  EXPECT_FLOAT_EQ(out[0], -2.0f);  // (0 - 0.5) / 0.25
  EXPECT_FLOAT_EQ(out[1], 1.5f);   // (1 - 0.25) / 0.5
  EXPECT_FLOAT_EQ(out[3], 2.0f);   // (1 - 0.5) / 0.25
}

TEST(NormalizationTest, WrongOrInvalidNormalisationsAreRejected) {
  EXPECT_NE(invalid_message([] {
              check_normalization({{0.5f}, {0.25f}}, 3);
            }).find("3 channels"),
            std::string::npos);
  EXPECT_NE(invalid_message([] {
              check_normalization({{0.5f}, {0.0f}}, 1);
            }).find("positive"),
            std::string::npos);
  EXPECT_THROW(check_normalization({{NAN}, {1.0f}}, 1), std::invalid_argument);
  EXPECT_NO_THROW(check_normalization({{0.1f, 0.2f}, {1.0f, 2.0f}}, 2));
}

TEST(ImagePreprocessorTest, NormalisesThenResizesToTheNetworkInput) {
  const InputNormalization norm{{0.4f, 0.5f, 0.6f}, {0.2f, 0.25f, 0.3f}};
  std::vector<uint8_t> image(6 * 6 * 3);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(i * 37 % 256);
  const ImagePreprocessor prep(norm, 6, 6, 3, Shape{4, 4, 3});
  EXPECT_TRUE(prep.resizes());
  std::vector<float> normalised(image.size());
  normalize_pixels(image.data(), 36, 3, norm, normalised.data());
  EXPECT_EQ(prep(image.data()), resize_bilinear(normalised, 6, 6, 3, 4, 4));
  const ImagePreprocessor same(norm, 6, 6, 3, Shape{6, 6, 3});
  EXPECT_FALSE(same.resizes());
  EXPECT_EQ(same(image.data()), normalised);
}

TEST(ImagePreprocessorTest, ChannelMismatchIsAClearError) {
  const std::string m = invalid_message([] {
    ImagePreprocessor({{0.5f}, {0.25f}}, 28, 28, 1, Shape{24, 24, 3});
  });
  EXPECT_NE(m.find("the images have 1 channel, the network input has 3"), std::string::npos) << m;
}

memory::Graph tiny_net() {
  memory::Graph g;
  const int x = g.add_input({5, 5, 3});
  const int a = g.add_conv(memory::OpType::kConv2d, memory::LayerRole::kStem, -1, x, 8, 3, 1,
                           memory::Activation::kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(a), 4));
  return g;
}

TEST(ModelNormalizationTest, TravelsFromTheWeightsIntoQuantModelJsonAndModelH) {
  const memory::Graph g = tiny_net();
  memory::FloatWeights w = random_float_weights(g, 3);
  w.input = InputNormalization{{0.4914f, 0.4822f, 0.4465f}, {0.247f, 0.2435f, 0.2616f}};
  const QuantModel m = quantize(g, w, testing::random_float_inputs(g, 2, 4));
  ASSERT_TRUE(m.input_normalization);
  EXPECT_EQ(m.input_normalization->mean, w.input->mean);

  const QuantModel back = quant_model_from_json(quant_model_to_json(m), "test");
  ASSERT_TRUE(back.input_normalization);
  EXPECT_EQ(back.input_normalization->mean, w.input->mean);
  EXPECT_EQ(back.input_normalization->std, w.input->std);

  const CProject p = generate_c_project(m, memory::Scheduler().schedule(g), {});
  const std::string model_h = p.files.at(0).second;
  ASSERT_EQ(p.files.at(0).first, "model.h");
  EXPECT_NE(model_h.find("#define TINYNAS_INPUT_MEAN {0.491400003f, 0.482199997f, 0.446500003f}"),
            std::string::npos)
      << model_h;
  EXPECT_NE(model_h.find("#define TINYNAS_INPUT_STD {0.246999994f, 0.243499994f, 0.261599988f}"),
            std::string::npos)
      << model_h;

  // Without a normalisation nothing is written, and a wrong one is refused on load.
  memory::FloatWeights plain = w;
  plain.input.reset();
  const QuantModel m2 = quantize(g, plain, testing::random_float_inputs(g, 2, 4));
  EXPECT_FALSE(m2.input_normalization);
  EXPECT_FALSE(quant_model_to_json(m2).contains("input_normalization"));
  EXPECT_EQ(generate_c_project(m2, memory::Scheduler().schedule(g), {})
                .files.at(0)
                .second.find("TINYNAS_INPUT_MEAN"),
            std::string::npos);
  nlohmann::json bad = quant_model_to_json(m);
  bad["input_normalization"]["std"] = {1.0, 1.0};
  EXPECT_NE(invalid_message([&] {
              quant_model_from_json(bad, "bad.json");
            }).find("bad.json input_normalization"),
            std::string::npos);
}

}  // namespace
}  // namespace tinynas::engine
