// Independent checker of a MemoryPlan against the Graph it was made for. It shares no code with
// the scheduler or the placement strategies: lifetimes, in-place rules, scratch sizes and the
// live-set bound are recomputed here from the graph, so a bug in one is not hidden by the other.
//
//   std::vector<std::string> problems = tinynas::testing::check_plan(graph, plan);
//   EXPECT_TRUE(problems.empty()) << tinynas::testing::join_lines(problems);
//
// Checks: (a) every tensor has a buffer, inside the arena and at least as large as the tensor;
// (b) no two buffers alive at a common op overlap in address; (c) every buffer is alive from the
// producer of each of its tensors through their last consumer (the graph input from op 0, the
// graph output to the last op); (d) tensors share a buffer only through the allowed in-place ops
// (a depthwise conv or a residual add over an operand that dies there); (e) every op that needs
// scratch has a buffer of enough bytes alive exactly at that op; (f) lower_bound equals the
// live-set bound of the buffers' required lifetimes, and arena_bytes is at least that.
// With patch_split > 0 the graph is a patch plan's tile graph (memory_model/patch_plan.h): the
// graph input and the stage output (op patch_split - 1's) must live across the whole stage, and
// the stage output is never written in place. With input_in_arena false the graph input's buffer
// must hold no bytes (the caller keeps it).
#pragma once

#include <string>
#include <vector>

#include "memory_model/graph.h"
#include "memory_model/memory_plan.h"

namespace tinynas::testing {

// Human-readable violations; empty when the plan is valid.
std::vector<std::string> check_plan(const memory::Graph& graph, const memory::MemoryPlan& plan,
                                    int patch_split = 0, bool input_in_arena = true);

// The violations one per line, for test failure messages.
std::string join_lines(const std::vector<std::string>& lines);

}  // namespace tinynas::testing
