// Float sub-net -> int8 QuantModel, per the TFLite int8 spec as CMSIS-NN implements it:
// BatchNorm folded into the convs; weights int8 symmetric per output channel (zero point 0,
// [-127, 127]); activations int8 asymmetric per tensor, their ranges calibrated by running the
// float network on sample inputs (min/max, or a percentile of |values| on each side) and always
// containing 0; int32 biases at scale in_scale * w_scale[c]; per-channel Q31 multiplier + shift
// for in_scale * w_scale[c] / out_scale; ReLU6 as a clamp; residual adds as TFLite's int8 ADD;
// global average pooling keeps its input's scale and zero point.
//
//   QuantizeOptions opt;                      // min/max calibration
//   QuantModel m = quantize(graph, weights, calibration_inputs, opt);
#pragma once

#include <vector>

#include "engine/quant_model.h"
#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

struct QuantizeOptions {
  enum class Calibration { kMinMax, kPercentile };
  Calibration calibration = Calibration::kMinMax;
  // kPercentile: the range is [p-th lowest, p-th highest] value, p = (100 - percentile) %.
  double percentile = 99.99;
};

// A conv with its BatchNorm folded in: the weight in the same layout and one bias per channel.
struct FoldedLayer {
  std::vector<float> weight;
  std::vector<float> bias;
};
FoldedLayer fold_batch_norm(const memory::LayerWeights& layer);

// Asymmetric int8 parameters for the real range [lo, hi] (widened to contain 0).
TensorQuant choose_activation_quant(float lo, float hi);

// The int8 clamp of an activation on an output with quantisation q.
void activation_range(memory::Activation activation, const TensorQuant& q, int32_t* act_min,
                      int32_t* act_max);

// Throws std::invalid_argument when the weights do not fit the graph or there are no calibration
// inputs (each must have the graph input's element count). The weights' input normalisation, if
// any, is carried into the model.
QuantModel quantize(const memory::Graph& graph, const memory::FloatWeights& weights,
                    const std::vector<std::vector<float>>& calibration_inputs,
                    const QuantizeOptions& options = {});

}  // namespace tinynas::engine
