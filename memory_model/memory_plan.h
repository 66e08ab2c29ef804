// The result of scheduling a Graph: every buffer the network needs at run time, when it is alive
// and where it sits in the one static arena. The engine's generated code uses these offsets as
// constants, and the search uses arena_bytes as the SRAM cost, so both see the same number.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::memory {

enum class BufferKind {
  kActivation,  // holds one or more tensors (several when an op works in place)
  kScratch,     // per-op temporary: im2col columns, the in-place depthwise channel plane
};

struct Buffer {
  BufferKind kind = BufferKind::kActivation;
  int64_t bytes = 0;
  int first_op = 0;  // alive from the start of this op ...
  int last_op = 0;   // ... to the end of this one (inclusive)
  int64_t offset = -1;
  int owner_op = -1;         // scratch: the op that uses it
  std::vector<int> tensors;  // activation: the tensors stored here, all at this offset

  bool overlaps_in_time(const Buffer& o) const {
    return first_op <= o.last_op && o.first_op <= last_op;
  }
};

struct MemoryPlan {
  std::vector<Buffer> buffers;
  std::vector<int> tensor_buffer;  // tensor id -> index into buffers
  int64_t arena_bytes = 0;         // max(offset + bytes) over all buffers
  int64_t lower_bound = 0;         // max over ops of the bytes alive at that op
  std::string strategy;            // the placement order that produced this plan

  int64_t tensor_offset(int tensor) const {
    return buffers[static_cast<size_t>(tensor_buffer[static_cast<size_t>(tensor)])].offset;
  }
  int64_t gap_bytes() const { return arena_bytes - lower_bound; }
};

}  // namespace tinynas::memory

namespace tinynas::memory {

// Bytes of all buffers alive during each op (activations and scratch): the per-layer SRAM a plan
// really uses, whose maximum is the plan's live-set lower bound.
std::vector<int64_t> live_bytes_per_op(const MemoryPlan& plan, int num_ops);

}  // namespace tinynas::memory
