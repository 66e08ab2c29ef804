// The float sub-net as an ONNX model (opset 13), for users who want to run, inspect or convert the
// network with other tools (onnxruntime, Netron, TFLite converters). `tinynas export --onnx` writes
// it as model/model.onnx next to the generated C project. Built only when libonnx-dev and
// libprotobuf-dev are found (library tinynas_onnx, compile definition TINYNAS_WITH_ONNX).
//
//   onnx::ModelProto m = make_onnx_model(graph, float_weights);   // checks weights against graph
//   write_onnx_model("model/model.onnx", graph, float_weights);     // throws naming the path
//
// The model computes what FloatInterpreter computes, in ONNX's NCHW layout:
// - graph input "input" [1, C, H, W] float (the Graph's HWC input, transposed); output "logits"
//   [1, classes] (or [1, C, H, W] for a graph that does not end in a classifier);
// - every conv / depthwise op is one Conv node (kernel_shape, pads = kernel / 2 on every side,
//   strides, group = 1 or channels) with its BatchNorm FOLDED into the weights and a bias:
//   w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta, so there
//   are no BatchNormalization nodes; weights are transposed from OHWI to OIHW;
// - ReLU6 is Clip with min 0 and max 6 given as (shared) scalar initializers, opset 13 style;
// - residual adds are Add, the pool GlobalAveragePool, the classifier Flatten + Gemm (transB = 1).
// Tensors are named after the ops that produce them ("stem", "b3.expand", ...; a conv followed by
// ReLU6 gives "<name>.conv" then "<name>"), weights "<name>.weight" / "<name>.bias", and every
// intermediate tensor has a value_info with its shape.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

struct OnnxExportOptions {
  std::string graph_name = "tinynas";
  std::string doc_string;        // e.g. the arch summary
  std::string producer_version;  // e.g. TINYNAS_VERSION
};

// Throws std::invalid_argument when the weights do not match the graph (as check_weights_match).
onnx::ModelProto make_onnx_model(const memory::Graph& graph, const memory::FloatWeights& weights,
                                 const OnnxExportOptions& options = {});

// make_onnx_model, serialised to path (atomically: a temporary file, then rename). Throws
// std::runtime_error naming path when it cannot be written.
void write_onnx_model(const std::string& path, const memory::Graph& graph,
                      const memory::FloatWeights& weights, const OnnxExportOptions& options = {});

}  // namespace tinynas::engine
