// The op registry of the int8 engine: one EngineOp per op type owns everything the engine does
// with it -- quantise it, run it in float and in integers (the reference every generated kernel
// must match bit for bit), print its C call and parameters, and write it to ONNX. The quantiser,
// the interpreters, the code generator and the ONNX exporter ask the registry instead of
// switching on the type. What the memory model knows about an op (shapes, cost, scratch) is in its
// memory::OpDef (memory_model/op_def.h).
//
//   const EngineOp& impl = engine_op(op.type);
//   y = impl.reference(model, op, model.layers[i], x, x2);
//
// Adding an op: engine/ops/<op>.cpp defining a subclass, its kernel in engine/kernels/, and one
// line in engine/ops/registry.cpp (docs/ARCHITECTURE.md, "Adding an op").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/codegen/emit_context.h"
#include "engine/onnx_builder.h"
#include "engine/quant_model.h"
#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

// What quantising one op sees: its graph, its float layer (nullptr for ops without weights) and
// the already chosen quantisation of every tensor.
struct QuantizeContext {
  const memory::Graph& graph;
  const memory::Op& op;
  const memory::LayerWeights* layer;
  const std::vector<TensorQuant>& tensors;

  const TensorQuant& input() const { return tensors[static_cast<size_t>(op.input)]; }
  const TensorQuant& input2() const { return tensors[static_cast<size_t>(op.input2)]; }
  const TensorQuant& output() const { return tensors[static_cast<size_t>(op.output)]; }
};

class EngineOp {
 public:
  virtual ~EngineOp() = default;

  // True when the int8 output must reuse the input's scale and zero point instead of its own
  // calibrated range (pooling, as TFLite's int8 kernels require).
  virtual bool output_keeps_input_quant() const { return false; }
  // Fills q: weights, bias and requantisation for weighted ops, operand offsets, the clamp.
  virtual void quantize(const QuantizeContext& ctx, QuantLayer& q) const = 0;

  // The integer step: the ground truth for every output byte of the generated code.
  virtual std::vector<int8_t> reference(const QuantModel& model, const memory::Op& op,
                                        const QuantLayer& q, const std::vector<int8_t>& x,
                                        const std::vector<int8_t>& x2) const = 0;
  // The float step (calibration, the float side of `tinynas accuracy`); layer is nullptr for
  // ops without weights.
  virtual void run_float(const memory::Graph& graph, const memory::Op& op,
                         const memory::LayerWeights* layer, const std::vector<float>& x,
                         const std::vector<float>& x2, std::vector<float>& y) const = 0;

  // "conv 3x3/2", for the comments of the generated code.
  virtual std::string describe(const memory::Op& op) const = 0;
  // Writes the op's kernel call into model.c and names the kernel files it needs.
  virtual void emit_call(EmitContext& ctx) const = 0;
  // The C type of the op's constant parameters in weights.c ("tn_layer", "tn_add_params"), or ""
  // when the call needs none, and the kernel header that defines that type.
  virtual std::string params_type() const { return ""; }
  virtual std::string params_header() const { return ""; }
  // The definition of those parameters for weights.c (called only when params_type() is set).
  virtual std::string params_definition(const ParamsContext& ctx) const;

  // Writes the float op as ONNX nodes from input names to the output name (ReLU6, when the op has
  // it, is added by the exporter after output).
  virtual void to_onnx(OnnxBuilder& onnx, const memory::Graph& graph, const memory::Op& op,
                       const memory::LayerWeights* layer, const std::vector<std::string>& inputs,
                       const std::string& output) const = 0;
  // Name suffix of the tensor before a fused ReLU6 in ONNX ("<name>.conv" for convs).
  virtual const char* onnx_pre_activation_suffix() const { return ".pre"; }
  // ONNX dims of the output: NCHW, or [1, C] for ops that flatten (the classifier).
  virtual bool onnx_flat_output() const { return false; }
};

const EngineOp& engine_op(memory::OpType type);

}  // namespace tinynas::engine
