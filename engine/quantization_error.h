// How far the int8 model is from its float original, layer by layer: both run on the same float
// inputs (the int8 one on the quantised input), every op's int8 output is dequantised and compared
// with the float tensor. Errors accumulate through the network, as they do on the device.
//
//   std::vector<LayerError> e = quantization_error(model, float_weights, inputs);
//   e[i].snr_db, e[i].max_abs_error   // per op, in graph order
#pragma once

#include <string>
#include <vector>

#include "engine/quant_model.h"
#include "memory_model/float_weights.h"

namespace tinynas::engine {

struct LayerError {
  std::string name;
  double snr_db = 0;         // 10 log10(sum f^2 / sum (f - dq)^2); +inf when exact
  double max_abs_error = 0;  // max |f - dq|
  double max_abs_value = 0;  // max |f|, for scale
};

// Throws std::invalid_argument when there are no inputs or the weights do not fit.
std::vector<LayerError> quantization_error(const QuantModel& model,
                                           const memory::FloatWeights& weights,
                                           const std::vector<std::vector<float>>& inputs);

}  // namespace tinynas::engine
