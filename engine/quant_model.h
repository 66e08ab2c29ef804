// An int8 network ready to run: the Graph plus, per tensor, its scale and zero point and, per op,
// the integer weights and requantisation parameters of the TFLite int8 spec. The quantiser
// produces it, the reference interpreter runs it, the code generator prints it as C, and
// quant_model_io.h stores it in a model folder so `tinynas verify` can run on its own.
//
//   QuantModel m = quantize(graph, float_weights, calibration_inputs, options);
//   std::vector<int8_t> y = run_reference(m, x);
//
// Real value of an int8 tensor element q: scale * (q - zero_point).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

struct TensorQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// The parameters of TFLite's int8 ADD (reference_ops::Add): both inputs are moved to a common
// scale 2 * max(s1, s2) with 20 bits of headroom, summed, then rescaled to the output.
struct AddParams {
  int32_t left_shift = 20;
  int32_t input1_offset = 0;  // -zero_point of input 1 (Op::input, the block's body)
  int32_t input2_offset = 0;  // -zero_point of input 2 (Op::input2, the skip)
  int32_t output_offset = 0;  // zero_point of the output
  int32_t input1_multiplier = 0;
  int32_t input1_shift = 0;
  int32_t input2_multiplier = 0;
  int32_t input2_shift = 0;
  int32_t output_multiplier = 0;
  int32_t output_shift = 0;
};

// One op's integer parameters. Which fields are used depends on the op type:
// - conv2d: weights OHWI [out][kh][kw][in]; depthwise: [c][kh][kw]; linear: [out][in].
//   bias (int32, scale in_scale * w_scale[c]), multiplier / shift per output channel with
//   M = in_scale * w_scale[c] / out_scale; input_offset = -input zero point,
//   output_offset = output zero point.
// - add: add. Global average pool: nothing but the clamp (output scale = input scale).
// Every op clamps its int8 result to [act_min, act_max] (ReLU6 narrows it).
struct QuantLayer {
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;
  std::vector<int32_t> multiplier;
  std::vector<int32_t> shift;
  std::vector<float> weight_scale;  // per output channel, for reports and ONNX
  int32_t input_offset = 0;
  int32_t output_offset = 0;
  int32_t act_min = -128;
  int32_t act_max = 127;
  AddParams add;
};

struct QuantModel {
  memory::Graph graph;
  std::vector<TensorQuant> tensors;  // per tensor of graph
  std::vector<QuantLayer> layers;    // per op of graph
  // How the float input is made from 8-bit pixels (the float weights' normalisation, kept so a
  // model folder alone can be fed images); absent when the weights had none.
  std::optional<memory::InputNormalization> input_normalization;

  const TensorQuant& input_quant() const { return tensors[static_cast<size_t>(graph.input())]; }
  const TensorQuant& output_quant() const { return tensors[static_cast<size_t>(graph.output())]; }
};

}  // namespace tinynas::engine
