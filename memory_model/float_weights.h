// The float weights of one sub-net, layer by layer, as the supernet's extraction writes them and
// the int8 engine reads them. BatchNorm is kept separate (the engine folds it), and layers are
// named after the Graph ops they belong to ("stem", "b3.expand", "b3.dw", "b3.project", "mix",
// "classifier"), so a weights folder maps onto the lowered arch without guessing.
//
// On disk, a folder:
//   weights.json  {"format": "tinynas-float-weights", "version": 1, "arch": {...Arch JSON...},
//                  "input": {"mean": [C floats], "std": [C floats]}   (optional, see below),
//                  "layers": [{"name": "stem", "type": "conv2d",
//                              "weight": {"shape": [24, 3, 3, 3], "offset": 0},
//                              "bias": null | {"shape": [24], "offset": ...},
//                              "bn": null | {"eps": 1e-5, "gamma": {...}, "beta": {...},
//                                            "mean": {...}, "var": {...}}}, ...]}
//   weights.bin   every array as little-endian float32, at its byte "offset", in the order listed
// Weight layouts: conv [out, kh, kw, in] (OHWI, matching HWC activations), depthwise
// [channels, kh, kw, 1], linear [out, in]. Convs carry BN and no bias; the classifier a bias and no
// BN.
//
//   FloatWeights w = load_float_weights("subnet/");
//   check_weights_match(graph, w);   // throws naming the first layer that does not fit the graph
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "memory_model/graph.h"

namespace tinynas::memory {

struct FloatTensor {
  std::vector<int> shape;
  std::vector<float> data;

  size_t expected_size() const;  // product of shape
};

struct BatchNorm {
  std::vector<float> gamma, beta, mean, var;
  float eps = 1e-5f;
};

struct LayerWeights {
  std::string name;  // Op::name() of the layer in the lowered graph
  OpType type = OpType::kConv2d;
  FloatTensor weight;
  std::optional<FloatTensor> bias;
  std::optional<BatchNorm> bn;
};

// How the network's float input is made from 8-bit pixels: x = (pixel / 255 - mean[c]) / std[c],
// the normalisation the supernet was trained with. Calibration and accuracy runs need it.
struct InputNormalization {
  std::vector<float> mean, std;  // per channel
};

struct FloatWeights {
  nlohmann::json arch;                      // the Arch JSON these weights belong to
  std::optional<InputNormalization> input;  // absent: the inputs are already network floats
  std::vector<LayerWeights> layers;

  const LayerWeights* find(const std::string& name) const;
  // The layer of a weighted op of the graph; nullptr for ops without weights (or a missing layer,
  // which check_weights_match() refuses).
  const LayerWeights* layer_of(const Op& op) const;
};

// The shape a layer's weight must have in this graph ([out, kh, kw, in] etc., see above).
std::vector<int> expected_weight_shape(const Graph& graph, const Op& op);
bool has_weights(const Op& op);

// Writes dir/weights.json and dir/weights.bin atomically (the folder is created if needed).
void save_float_weights(const std::string& dir, const FloatWeights& weights);
// Throws std::invalid_argument naming the file and layer when the folder is missing, truncated or
// inconsistent.
FloatWeights load_float_weights(const std::string& dir);

// Throws std::invalid_argument naming the first weighted op of graph with no layer, a layer with
// the wrong shape or BN size, or a layer the graph does not have.
void check_weights_match(const Graph& graph, const FloatWeights& weights);

}  // namespace tinynas::memory
