#include "memory_model/scheduler.h"

#include <algorithm>

#include "memory_model/op_def.h"

namespace tinynas::memory {

int64_t op_scratch_bytes(const Graph& graph, const Op& op, bool in_place) {
  return op_def(op.type).scratch_bytes(graph, op, in_place);
}

PlacementResult Scheduler::solve(const Graph& graph, const ScheduleOptions& options) {
  const int patch_split = options.patch_split;
  const std::vector<Tensor>& tensors = graph.tensors();
  const std::vector<Op>& ops = graph.ops();
  const int n_ops = static_cast<int>(ops.size());
  const int final_op = std::max(n_ops - 1, 0);
  const int output = graph.output();

  last_use_.assign(tensors.size(), -1);
  for (int i = 0; i < n_ops; ++i) {
    const Op& op = ops[static_cast<size_t>(i)];
    last_use_[static_cast<size_t>(op.input)] = i;
    if (op.input2 >= 0) last_use_[static_cast<size_t>(op.input2)] = i;
  }
  if (output >= 0) last_use_[static_cast<size_t>(output)] = final_op;
  // The tensor assembled tile by tile: -1 when the graph runs layer by layer.
  const int assembled = patch_split > 0 ? ops[static_cast<size_t>(patch_split - 1)].output : -1;

  buffer_of_tensor_.assign(tensors.size(), -1);
  buffers_.clear();
  scratch_owner_.clear();
  auto add_buffer = [&](int64_t bytes, int first_op, int last_op, int owner) {
    // Field by field into the vector: a pushed temporary was copied with one 16-byte load right
    // after its narrower stores, a store-forwarding stall that cost a third of this function.
    LiveBuffer& buffer = buffers_.emplace_back();
    buffer.bytes = bytes;
    buffer.first_op = first_op;
    buffer.last_op = last_op;
    scratch_owner_.push_back(owner);
    return static_cast<int>(buffers_.size()) - 1;
  };

  // Graph inputs exist before op 0. Every later buffer is created at its first op, so buffers_
  // comes out sorted by first_op, which lets the placer skip sorting for its conflict sweep.
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (tensors[t].producer >= 0) continue;
    // Every tile reads the image, the last tile at the stage's last op.
    const int last = std::max({last_use_[t], patch_split - 1, 0});
    const int64_t bytes = options.input_in_arena ? tensors[t].bytes() : 0;
    buffer_of_tensor_[t] = add_buffer(bytes, 0, last, /*owner=*/-1);
  }
  if (assembled >= 0) {
    // Written by every tile from the first on: alive from op 0, like an input.
    const auto a = static_cast<size_t>(assembled);
    buffer_of_tensor_[a] =
        add_buffer(tensors[a].bytes(), 0, std::max(last_use_[a], patch_split - 1), -1);
  }

  for (int i = 0; i < n_ops; ++i) {
    const Op& op = ops[static_cast<size_t>(i)];
    const auto in = static_cast<size_t>(op.input);
    const auto out = static_cast<size_t>(op.output);
    const int out_last = std::max(i, last_use_[out]);
    // Overwriting the operand is safe only when nothing reads it later; graph input and output
    // are owned by the caller.
    const bool in_place = op_def(op.type).in_place && last_use_[in] == i &&
                          tensors[in].producer >= 0 && op.input != output && op.output != assembled;
    if (op.output == assembled) {
      // Its buffer exists since op 0.
    } else if (in_place) {
      // The operand's buffer may already hold earlier tensors of an in-place chain: grow it.
      const int b = buffer_of_tensor_[in];
      LiveBuffer& buffer = buffers_[static_cast<size_t>(b)];
      buffer.bytes = std::max(buffer.bytes, tensors[out].bytes());
      buffer.last_op = std::max(buffer.last_op, out_last);
      buffer_of_tensor_[out] = b;
    } else {
      buffer_of_tensor_[out] = add_buffer(tensors[out].bytes(), i, out_last, /*owner=*/-1);
    }
    const int64_t scratch = op_scratch_bytes(graph, op, in_place);
    if (scratch > 0) add_buffer(scratch, i, i, /*owner=*/i);
  }
  return placer_.place(buffers_);
}

int64_t Scheduler::arena_bytes(const Graph& graph, const ScheduleOptions& options) {
  return solve(graph, options).arena_bytes;
}

MemoryPlan Scheduler::schedule(const Graph& graph, const ScheduleOptions& options) {
  const PlacementResult placed = solve(graph, options);
  const std::vector<int64_t>& offsets = placer_.offsets();
  MemoryPlan plan;
  plan.buffers.resize(buffers_.size());
  for (size_t b = 0; b < buffers_.size(); ++b) {
    Buffer& buffer = plan.buffers[b];
    buffer.kind = scratch_owner_[b] >= 0 ? BufferKind::kScratch : BufferKind::kActivation;
    buffer.bytes = buffers_[b].bytes;
    buffer.first_op = buffers_[b].first_op;
    buffer.last_op = buffers_[b].last_op;
    buffer.offset = offsets[b];
    buffer.owner_op = scratch_owner_[b];
  }
  for (size_t t = 0; t < buffer_of_tensor_.size(); ++t)
    plan.buffers[static_cast<size_t>(buffer_of_tensor_[t])].tensors.push_back(static_cast<int>(t));
  plan.tensor_buffer = buffer_of_tensor_;
  plan.arena_bytes = placed.arena_bytes;
  plan.lower_bound = placed.lower_bound;
  plan.strategy = kPlacementStrategies[static_cast<size_t>(placed.strategy)].name;
  return plan;
}

}  // namespace tinynas::memory
