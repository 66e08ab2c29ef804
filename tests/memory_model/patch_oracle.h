// The patch-based inference tests' oracle and graphs: what a tile depends on, found by walking
// every window (no code shared with memory_model/patch_region.*), random per-patch stages of any
// kernel and stride, and the first blocks of MCUNet's VWW model, the worked example of
// ../shared/notes/patch-inference.md.
#pragma once

#include <random>
#include <vector>

#include "memory_model/graph.h"
#include "memory_model/patch_region.h"

namespace tinynas::testing {

// Convolutions, depthwise convolutions, max pools and residual blocks (identity and projected
// skips) with kernels 1 / 3 / 5 / 7 and strides 1 / 2 on an odd or even input, then a pooled
// classifier so that the graph is a whole network.
memory::Graph random_stage_network(std::mt19937& rng);

// Per tensor, a row-major mask of the pixels the tile rows x cols of the stage output (op
// split - 1's) depends on, found by walking every window of every op of the stage backwards.
std::vector<std::vector<char>> dependency_masks(const memory::Graph& graph, int split,
                                                memory::Span rows, memory::Span cols);

// The bounding box of a mask of a tensor of shape s, as row and column spans (empty, empty for an
// empty mask).
void bounding_box(const std::vector<char>& mask, const memory::Shape& s, memory::Span* rows,
                  memory::Span* cols);

// Every split at which the graph can run patch by patch (memory::is_patch_split).
std::vector<int> patch_splits(const memory::Graph& graph);

// mcunet-vww1's stem and first two blocks on its 80x80x3 image: a 3x3 stride-2 stem to 16
// channels, a 3x3 depthwise, a 1x1 to 8, a 1x1 to 48, a 3x3 stride-2 depthwise (20x20x48) and a
// 1x1 to 16, then a pooled classifier in place of the rest of the network.
memory::Graph vww_first_blocks_network();

}  // namespace tinynas::testing
