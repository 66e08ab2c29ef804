// The op registry of the graph layer: one OpDef per op type owns everything the memory model must
// know about it (its name, how many operands it reads, its output shape rule, weights, MACs,
// whether it may run in place, and the scratch its kernel needs). Graph building, cost, the
// scheduler and the float-weights checks all ask the registry instead of switching on the type.
//
//   const OpDef& def = op_def(op.type);
//   int64_t macs = def.macs(graph, op);
//
// Adding an op type: an enum value in graph.h, a file memory_model/ops/<op>.cpp that defines its
// OpDef, and one line in op_registry.cpp (docs/ARCHITECTURE.md, "Adding an op").
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "memory_model/graph.h"

namespace tinynas::memory {

// A weight tensor's shape without allocating (cost runs in the search's hot loop).
struct WeightShape {
  std::array<int, 4> dims{};
  int rank = 0;  // 0: the op has no weights

  int64_t count() const;
  std::vector<int> to_vector() const { return {dims.begin(), dims.begin() + rank}; }
};

struct OpDef {
  OpType type;
  const char* name;  // in JSON files and reports: "conv2d", "max_pool2d", ...
  int operands;      // tensors read: 1, or 2 (Op::input and Op::input2)
  // Weighted ops (conv, linear) carry int8 weights, and per output channel an int32 bias and the
  // requantisation pair, in Flash; the float weights folder has a layer for each.
  bool has_weights;
  // Does the op slide a window (Op::kernel, Op::stride and Op::pad mean something)?
  bool windowed;
  // May the op write its output over Op::input when that operand dies at this op? The scheduler
  // then merges the two buffers; the kernel must be safe for it (see the op's kernel header).
  bool in_place;
  // The output shape from the operands and the op's attributes; out_channels is the requested
  // channel count for ops that choose it (conv, linear) and ignored by the others. Throws
  // std::invalid_argument when the op cannot exist (a depthwise conv that changes the channels).
  Shape (*output_shape)(const Graph& graph, const Op& op, int out_channels);
  // Weights in the layout of memory_model/float_weights.h; rank 0 for ops without.
  WeightShape (*weight_shape)(const Graph& graph, const Op& op);
  int64_t (*macs)(const Graph& graph, const Op& op);
  // Arena bytes the op's kernel needs while it runs, declared by the kernel's own header.
  int64_t (*scratch_bytes)(const Graph& graph, const Op& op, bool in_place);
};

const OpDef& op_def(OpType type);
// Every registered op type, in enum order.
const std::vector<OpType>& op_types();
// The op type called name ("conv2d"), or false.
bool op_type_from_name(const std::string& name, OpType* type);

// Shared rules for the op definitions.
namespace op_rules {
WeightShape no_weights(const Graph& graph, const Op& op);
int64_t no_macs(const Graph& graph, const Op& op);
int64_t no_scratch(const Graph& graph, const Op& op, bool in_place);
// The convs' 'same' window: padding kernel / 2 (their kernels assume it; anything else is
// rejected), ceil(in / stride) outputs per axis.
Shape same_padding_output(const Graph& graph, const Op& op, int channels);
// A sliding window with Op::pad on every side: (in + 2 pad - kernel) / stride + 1 per axis.
Shape window_output(Shape in, const Op& op, int channels);
}  // namespace op_rules

}  // namespace tinynas::memory
