// The sliding-window arithmetic that conv2d and depthwise_conv2d share: the integer and float
// steps over Op::pad padding (padding is real 0, i.e. the input zero point in int8) and the ONNX
// Conv node with BatchNorm folded in.
#pragma once

#include <string>
#include <vector>

#include "engine/onnx_builder.h"
#include "engine/quant_model.h"
#include "memory_model/float_weights.h"

namespace tinynas::engine {

// Weights OHWI ([out][kh][kw][in]); depthwise: [c][kh][kw], output channel c reads input c.
std::vector<int8_t> reference_convolution(const QuantModel& m, const memory::Op& op,
                                          const QuantLayer& q, const std::vector<int8_t>& x,
                                          bool depthwise);
void float_convolution(const memory::Graph& g, const memory::Op& op, const memory::LayerWeights& l,
                       const std::vector<float>& x, std::vector<float>& y, bool depthwise);
void onnx_convolution(OnnxBuilder& onnx, const memory::Graph& graph, const memory::Op& op,
                      const memory::LayerWeights& l, const std::string& input,
                      const std::string& output, bool depthwise);
// "conv 3x3/2" / "depthwise 3x3/2".
std::string describe_window(const char* kind, const memory::Op& op);

}  // namespace tinynas::engine
