// Patch-based inference (MCUNetV2): the ops [0, split) of a graph form the per-patch stage; the
// output of op split - 1 (the stage output) is cut into a grid of tiles and the stage runs once per
// tile on just the part of each of its tensors that the tile depends on. This file derives those
// parts exactly, one axis at a time (windows are square, so rows and columns are independent):
// for a span of the stage output's rows, the rows every tensor of the stage must hold, where each
// op's first window starts, and the zero-point padding on each side, so that no kernel computes
// a pad row and no tile is sized for the worst case. Tiles may be uneven.
//
//   std::string why;
//   if (!is_patch_split(graph, split, &why)) ...
//   int rows = graph.tensor(stage_output(graph, split)).shape.h;
//   std::vector<Span> tiles = split_evenly(rows, 3);
//   AxisRegions r = derive_regions(graph, split, Axis::kRows, tiles[1]);
//   r.tensor[t];              // rows of tensor t the tile needs (clipped to the tensor)
//   r.op[i].in_begin;         // input row under op i's first window (negative: padding)
#pragma once

#include <string>
#include <vector>

#include "memory_model/graph.h"

namespace tinynas::memory {

// Rows (or columns) [begin, end).
struct Span {
  int begin = 0;
  int end = 0;

  int size() const { return end - begin; }
  bool empty() const { return end <= begin; }
  bool contains(const Span& o) const { return o.empty() || (begin <= o.begin && o.end <= end); }
  bool operator==(const Span& o) const { return begin == o.begin && end == o.end; }
  bool operator!=(const Span& o) const { return !(*this == o); }
};

enum class Axis { kRows, kCols };

// A tensor's extent along an axis.
int axis_extent(const Shape& shape, Axis axis);

// How one op of the stage runs for a tile, along one axis.
struct OpWindow {
  Span out;            // output rows the op computes, in its output tensor's coordinates
  int in_begin = 0;    // input row under the first window (input coordinates; < 0 is padding)
  int pad_before = 0;  // zero-point rows the windows read before the input's row 0
  int pad_after = 0;   // and after its last row
};

// One tile along one axis.
struct AxisRegions {
  // Per tensor of the graph: the rows the tile needs computed (held, for the graph input),
  // clipped to the tensor; empty outside the stage. A tensor read by several ops holds the
  // union of what they read: its readers start at different rows of it.
  std::vector<Span> tensor;
  std::vector<OpWindow> op;  // per op of the stage, [0, split)
};

// The tensor the per-patch stage hands to the rest of the network: op split - 1's output.
int stage_output(const Graph& graph, int split);

// Can ops [0, split) run patch by patch? Every op in them must slide a window (conv, depthwise,
// max pool) or work pixel by pixel on operands of its output's size (add), and the rest of the
// network must read nothing of the stage but its output. A residual block may sit inside the
// stage, but not straddle the split. On false, why says what stops it.
bool is_patch_split(const Graph& graph, int split, std::string* why = nullptr);

// The input rows an op's windows read to produce output rows `out`, before clipping: rows below
// 0 or past the input's end are padding. Ops without a window read the rows they write.
Span window_input(const Op& op, Span out);

// n spans covering [0, extent) once, in order, sizes differing by at most one (larger first).
// Throws std::invalid_argument unless 1 <= n <= extent.
std::vector<Span> split_evenly(int extent, int n);

// The regions of every tensor and op of the stage [0, split) for the tile `tile` of the stage
// output along `axis`. Throws std::invalid_argument for an illegal split or a tile outside the
// stage output.
AxisRegions derive_regions(const Graph& graph, int split, Axis axis, Span tile);

}  // namespace tinynas::memory
