#include "memory_model/patch_region.h"

#include <algorithm>
#include <stdexcept>

#include "memory_model/op_def.h"

namespace tinynas::memory {
namespace {

bool same_spatial(const Shape& a, const Shape& b) {
  return a.h == b.h && a.w == b.w;
}

// The smallest span holding both (an empty span holds nothing).
Span hull(Span a, Span b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

bool fail(std::string* why, const std::string& reason) {
  if (why) *why = reason;
  return false;
}

}  // namespace

int axis_extent(const Shape& shape, Axis axis) {
  return axis == Axis::kRows ? shape.h : shape.w;
}

int stage_output(const Graph& graph, int split) {
  return graph.op(split - 1).output;
}

bool is_patch_split(const Graph& graph, int split, std::string* why) {
  const int n_ops = static_cast<int>(graph.ops().size());
  if (split < 1 || split >= n_ops)
    return fail(why, "split " + std::to_string(split) + " is outside 1.." +
                         std::to_string(n_ops - 1) + " (ops before it run per patch)");
  for (int i = 0; i < split; ++i) {
    const Op& op = graph.op(i);
    if (op_def(op.type).windowed) continue;
    const Shape out = graph.tensor(op.output).shape;
    const bool pixelwise = same_spatial(graph.tensor(op.input).shape, out) &&
                           (op.input2 < 0 || same_spatial(graph.tensor(op.input2).shape, out));
    if (!pixelwise)
      return fail(why, op.name() + " (" + to_string(op.type) +
                           ") mixes pixels across the whole tensor: it cannot run per patch");
  }
  const int handed_over = stage_output(graph, split);
  for (int j = split; j < n_ops; ++j) {
    const Op& op = graph.op(j);
    for (int operand : {op.input, op.input2}) {
      if (operand < 0 || operand == handed_over) continue;
      if (graph.tensor(operand).producer < split)
        return fail(why,
                    op.name() + " reads a tensor of the per-patch stage other than its output");
    }
  }
  return true;
}

Span window_input(const Op& op, Span out) {
  if (out.empty()) return {};
  if (!op_def(op.type).windowed) return out;
  return {out.begin * op.stride - op.pad, (out.end - 1) * op.stride - op.pad + op.kernel};
}

std::vector<Span> split_evenly(int extent, int n) {
  if (n < 1 || n > extent)
    throw std::invalid_argument("cannot cut " + std::to_string(extent) + " rows into " +
                                std::to_string(n) + " tiles");
  std::vector<Span> spans;
  spans.reserve(static_cast<size_t>(n));
  int begin = 0;
  for (int i = 0; i < n; ++i) {
    const int size = extent / n + (i < extent % n ? 1 : 0);
    spans.push_back({begin, begin + size});
    begin += size;
  }
  return spans;
}

AxisRegions derive_regions(const Graph& graph, int split, Axis axis, Span tile) {
  std::string why;
  if (!is_patch_split(graph, split, &why)) throw std::invalid_argument(why);
  const int handed_over = stage_output(graph, split);
  if (tile.empty() || tile.begin < 0 ||
      tile.end > axis_extent(graph.tensor(handed_over).shape, axis))
    throw std::invalid_argument("tile [" + std::to_string(tile.begin) + ", " +
                                std::to_string(tile.end) + ") lies outside the stage output");

  AxisRegions r;
  r.tensor.assign(graph.tensors().size(), Span{});
  r.op.assign(static_cast<size_t>(split), OpWindow{});
  r.tensor[static_cast<size_t>(handed_over)] = tile;
  // Backwards: every reader of a tensor comes after its producer, so a tensor's region is
  // complete (the union over its readers) by the time its producer is reached.
  for (int i = split - 1; i >= 0; --i) {
    const Op& op = graph.op(i);
    OpWindow& w = r.op[static_cast<size_t>(i)];
    w.out = r.tensor[static_cast<size_t>(op.output)];
    const Span read = window_input(op, w.out);
    w.in_begin = read.begin;
    for (int operand : {op.input, op.input2}) {
      if (operand < 0) continue;
      const int extent = axis_extent(graph.tensor(operand).shape, axis);
      w.pad_before = std::max(0, -read.begin);
      w.pad_after = std::max(0, read.end - extent);
      const Span clipped{std::max(0, read.begin), std::min(extent, read.end)};
      Span& held = r.tensor[static_cast<size_t>(operand)];
      held = hull(held, clipped);
    }
  }
  return r;
}

}  // namespace tinynas::memory
