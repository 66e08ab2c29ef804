// Helpers for the engine tests: small quantised models built from hand-made or lowered graphs
// with random weights, random inputs, and the C kernels' parameter structs from a QuantLayer.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "engine/quant_model.h"
#include "engine/quantizer.h"
#include "engine/random_weights.h"
#include "memory_model/graph.h"
#include "tn_add.h"
#include "tn_common.h"

namespace tinynas::engine::testing {

// count float inputs for graph, uniform in [lo, hi] (shifted so zero points are not trivial).
inline std::vector<std::vector<float>> random_float_inputs(const memory::Graph& graph, int count,
                                                           uint64_t seed, float lo = -1.0f,
                                                           float hi = 2.0f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  const auto n = static_cast<size_t>(graph.tensor(graph.input()).shape.elements());
  std::vector<std::vector<float>> inputs(static_cast<size_t>(count), std::vector<float>(n));
  for (auto& x : inputs)
    for (float& v : x) v = dist(rng);
  return inputs;
}

// graph quantised with random weights (seed) calibrated on a few random inputs.
inline QuantModel random_quant_model(const memory::Graph& graph, uint64_t seed,
                                     int calibration_inputs = 3) {
  const memory::FloatWeights w = random_float_weights(graph, seed);
  return quantize(graph, w, random_float_inputs(graph, calibration_inputs, seed + 1000));
}

inline std::vector<int8_t> random_int8(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int8_t> v(n);
  for (int8_t& x : v) x = static_cast<int8_t>(static_cast<uint8_t>(rng() >> 56));
  return v;
}

inline tn_layer c_layer(const QuantLayer& q) {
  return tn_layer{q.weights.data(), q.bias.data(),   q.multiplier.data(), q.shift.data(),
                  q.input_offset,   q.output_offset, q.act_min,           q.act_max};
}

inline tn_add_params c_add(const QuantLayer& q) {
  const AddParams& a = q.add;
  return tn_add_params{a.left_shift,        a.input1_offset, a.input2_offset,     a.output_offset,
                       a.input1_multiplier, a.input1_shift,  a.input2_multiplier, a.input2_shift,
                       a.output_multiplier, a.output_shift,  q.act_min,           q.act_max};
}

}  // namespace tinynas::engine::testing
