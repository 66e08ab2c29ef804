// The float weights folder format: save/load round trip, and clear errors for a truncated
// weights.bin, a corrupt manifest and weights that do not fit the graph.
#include "memory_model/float_weights.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tinynas::memory {
namespace {

namespace fs = std::filesystem;

Graph tiny_graph() {
  Graph g;
  const int x = g.add_input({8, 8, 3});
  const int a = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, 4, 3, 2, Activation::kRelu6);
  const int b = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 0, a, 4, 3, 1,
                           Activation::kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(b), 5));
  return g;
}

FloatWeights tiny_weights(const Graph& g) {
  FloatWeights w;
  w.arch = {{"space", "test"}};
  float v = 0.5f;
  for (const Op& op : g.ops()) {
    if (!has_weights(op)) continue;
    LayerWeights l;
    l.name = op.name();
    l.type = op.type;
    l.weight.shape = expected_weight_shape(g, op);
    for (size_t i = 0; i < l.weight.expected_size(); ++i) l.weight.data.push_back(v += 0.25f);
    const size_t c = static_cast<size_t>(l.weight.shape[0]);
    if (op.type == OpType::kLinear) {
      l.bias = FloatTensor{{static_cast<int>(c)}, std::vector<float>(c, -1.5f)};
    } else {
      BatchNorm bn;
      bn.gamma.assign(c, 1.25f);
      bn.beta.assign(c, -0.5f);
      bn.mean.assign(c, 0.125f);
      bn.var.assign(c, 2.0f);
      bn.eps = 1e-3f;
      l.bn = bn;
    }
    w.layers.push_back(l);
  }
  return w;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tinynas-fw-test-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(FloatWeightsTest, RoundTripKeepsEveryValue) {
  const Graph g = tiny_graph();
  const FloatWeights w = tiny_weights(g);
  TempDir dir;
  save_float_weights(dir.path.string(), w);
  const FloatWeights back = load_float_weights(dir.path.string());
  EXPECT_EQ(back.arch, w.arch);
  ASSERT_EQ(back.layers.size(), w.layers.size());
  for (size_t i = 0; i < w.layers.size(); ++i) {
    const LayerWeights& a = w.layers[i];
    const LayerWeights& b = back.layers[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.weight.shape, b.weight.shape);
    EXPECT_EQ(a.weight.data, b.weight.data);
    ASSERT_EQ(a.bias.has_value(), b.bias.has_value());
    if (a.bias) {
      EXPECT_EQ(a.bias->data, b.bias->data);
    }
    ASSERT_EQ(a.bn.has_value(), b.bn.has_value());
    if (a.bn) {
      EXPECT_EQ(a.bn->gamma, b.bn->gamma);
      EXPECT_EQ(a.bn->beta, b.bn->beta);
      EXPECT_EQ(a.bn->mean, b.bn->mean);
      EXPECT_EQ(a.bn->var, b.bn->var);
      EXPECT_EQ(a.bn->eps, b.bn->eps);
    }
  }
  EXPECT_NO_THROW(check_weights_match(g, back));
  EXPECT_FALSE(back.input.has_value());
}

TEST(FloatWeightsTest, InputNormalizationRoundTrips) {
  FloatWeights w = tiny_weights(tiny_graph());
  w.input = InputNormalization{{0.49f, 0.48f, 0.45f}, {0.25f, 0.24f, 0.26f}};
  TempDir dir;
  save_float_weights(dir.path.string(), w);
  const FloatWeights back = load_float_weights(dir.path.string());
  ASSERT_TRUE(back.input.has_value());
  EXPECT_EQ(back.input->mean, w.input->mean);
  EXPECT_EQ(back.input->std, w.input->std);
}

TEST(FloatWeightsTest, TruncatedDataIsRejected) {
  TempDir dir;
  save_float_weights(dir.path.string(), tiny_weights(tiny_graph()));
  const fs::path bin = dir.path / "weights.bin";
  fs::resize_file(bin, fs::file_size(bin) - 4);
  try {
    load_float_weights(dir.path.string());
    FAIL() << "truncated weights.bin accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(FloatWeightsTest, CorruptManifestIsRejected) {
  TempDir dir;
  save_float_weights(dir.path.string(), tiny_weights(tiny_graph()));
  std::ofstream(dir.path / "weights.json") << "{\"format\": \"tinynas-float-weights\", \"vers";
  EXPECT_THROW(load_float_weights(dir.path.string()), std::invalid_argument);
  std::ofstream(dir.path / "weights.json") << R"({"format": "something-else", "version": 1})";
  EXPECT_THROW(load_float_weights(dir.path.string()), std::invalid_argument);
  EXPECT_THROW(load_float_weights((dir.path / "missing").string()), std::invalid_argument);
}

TEST(FloatWeightsTest, MismatchedShapesNameTheLayer) {
  const Graph g = tiny_graph();
  FloatWeights w = tiny_weights(g);
  w.layers[1].weight.shape = {4, 5, 5, 1};  // b0.dw is 3x3 in the graph
  w.layers[1].weight.data.resize(w.layers[1].weight.expected_size());
  try {
    check_weights_match(g, w);
    FAIL() << "shape mismatch accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("b0.dw"), std::string::npos) << e.what();
  }
  FloatWeights missing = tiny_weights(g);
  missing.layers.pop_back();
  EXPECT_THROW(check_weights_match(g, missing), std::invalid_argument);
  FloatWeights bad_bn = tiny_weights(g);
  bad_bn.layers[0].bn->var.pop_back();
  EXPECT_THROW(check_weights_match(g, bad_bn), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::memory
