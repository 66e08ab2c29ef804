// The one memory scheduler of tinynas (TinyEngine-style, improved): it derives tensor lifetimes
// from the execution order, applies the in-place rules, adds per-op scratch, and places every
// buffer at an arena offset. The search prices SRAM with it and the code generator allocates
// exactly its arena, so predicted SRAM is allocated SRAM.
//
//   Scheduler scheduler;                       // reusable: keeps its work arrays between calls
//   MemoryPlan plan = scheduler.schedule(graph);
//   plan.arena_bytes;                          // == TINYNAS_ARENA_BYTES of the generated code
//
// Rules:
// - An activation lives from the op that produces it to the end of its last consumer; the graph
//   input lives from op 0, the graph output to the last op.
// - Depthwise convs run in place (channel by channel through a one-channel temporary) when their
//   input dies at that op: input and output share one buffer of max(in, out) bytes.
// - A residual add writes over its body operand when that operand dies at the add.
// - Regular convs with kernel > 1 get an im2col scratch buffer; in-place depthwise gets its
//   one-channel padded plane. Scratch lives only during its op and is placed in the arena's free
//   gaps like any other buffer.
// - Placement: greedy first-fit (lowest offset that does not collide with any buffer alive at the
//   same time) under several orders (size, lifetime, size x lifetime, start time, busiest op
//   first; see placement.h); the smallest arena wins. The live-set lower bound is reported so
//   the gap is visible.
// - Patch-based inference (patch_plan.h): with ScheduleOptions::patch_split > 0 the graph is a
//   tile graph whose ops [0, patch_split) run once per tile; the graph input (read by every tile)
//   and the stage output (assembled tile by tile) are alive across the whole stage, and the
//   stage's last op writes into the stage output at the tile's place, never in place.
// - With ScheduleOptions::input_in_arena false the caller keeps the graph input (a camera frame,
//   an image in Flash) and the first ops read it there: its buffer has no bytes in the arena.
#pragma once

#include <cstdint>
#include <vector>

#include "memory_model/graph.h"
#include "memory_model/memory_plan.h"
#include "memory_model/placement.h"

namespace tinynas::memory {

// How the graph runs, as far as memory is concerned.
struct ScheduleOptions {
  int patch_split = 0;         // > 0: ops [0, patch_split) run once per tile (patch_plan.h)
  bool input_in_arena = true;  // false: the graph input stays in the caller's memory
};

// Scratch bytes an op needs while it runs (0 if none). in_place selects the depthwise variant.
int64_t op_scratch_bytes(const Graph& graph, const Op& op, bool in_place);

class Scheduler {
 public:
  MemoryPlan schedule(const Graph& graph, const ScheduleOptions& options = {});

  // Only the arena size; faster than schedule() because it builds no names or tensor lists.
  int64_t arena_bytes(const Graph& graph, const ScheduleOptions& options = {});

 private:
  // Lifetimes, in-place merging and scratch: fills the work arrays below. Shared by schedule()
  // and arena_bytes() so that the two can never disagree.
  PlacementResult solve(const Graph& graph, const ScheduleOptions& options);

  std::vector<int> last_use_;          // tensor -> last op that needs it
  std::vector<int> buffer_of_tensor_;  // tensor -> index into buffers_
  std::vector<LiveBuffer> buffers_;    // activation and scratch buffers, in first_op order
  std::vector<int> scratch_owner_;     // buffer -> the op owning it if scratch, else -1
  Placer placer_;
};

}  // namespace tinynas::memory
