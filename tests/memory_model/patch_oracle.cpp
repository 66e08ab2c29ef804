#include "tests/memory_model/patch_oracle.h"

#include <algorithm>

#include "memory_model/op_def.h"

namespace tinynas::testing {

using memory::Activation;
using memory::Graph;
using memory::LayerRole;
using memory::Op;
using memory::OpType;
using memory::Shape;
using memory::Span;

namespace {
constexpr OpType kConv = OpType::kConv2d;
constexpr OpType kDw = OpType::kDepthwiseConv2d;
constexpr Activation kRelu6 = Activation::kRelu6;
}  // namespace

Graph random_stage_network(std::mt19937& rng) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static constexpr int kKernels[] = {1, 3, 5, 7};
  Graph g;
  int x = g.add_input({pick(5, 40), pick(5, 40), 3});
  const int layers = pick(1, 6);
  for (int block = 0; block < layers; ++block) {
    const Shape s = g.tensor(x).shape;
    const int kernel = kKernels[pick(0, 3)];
    const int stride = (s.h > 3 && s.w > 3) ? pick(1, 2) : 1;
    switch (pick(0, 4)) {
      case 0:
        x = g.add_conv(kConv, LayerRole::kStem, block, x, pick(1, 4), kernel, stride, kRelu6);
        break;
      case 1:
        x = g.add_conv(kDw, LayerRole::kDepthwise, block, x, s.c, kernel, stride, kRelu6);
        break;
      case 2: {
        const int pool = pick(2, 3);
        if (s.h < pool || s.w < pool) break;
        x = g.add_max_pool(block, x, pool, pick(1, 2), pick(0, pool - 1));
        break;
      }
      case 3: {  // ResNet basic block with an identity skip
        const int body = g.add_conv(kConv, LayerRole::kConv1, block, x, s.c, kernel, 1, kRelu6);
        const int body2 = g.add_conv(kConv, LayerRole::kConv2, block, body, s.c,
                                     kKernels[pick(0, 3)], 1, Activation::kNone);
        x = g.add_residual(block, x, body2, kRelu6);
        break;
      }
      default: {  // a block whose skip is projected by a window of its own, run after the
                  // body: the block input's last reader may need more of it than its first
        const int c = pick(1, 4);
        const int body = g.add_conv(kConv, LayerRole::kConv1, block, x, c, kernel, stride, kRelu6);
        const int body2 =
            g.add_conv(kDw, LayerRole::kDepthwise, block, body, c, kKernels[pick(0, 3)], 1, kRelu6);
        const int skip = g.add_conv(kConv, LayerRole::kShortcut, block, x, c, kKernels[pick(0, 3)],
                                    stride, Activation::kNone);
        x = g.add_residual(block, skip, body2, kRelu6);
        break;
      }
    }
  }
  x = g.add_global_avg_pool(x);
  g.set_output(g.add_linear(x, 10));
  return g;
}

std::vector<std::vector<char>> dependency_masks(const Graph& g, int split, Span rows, Span cols) {
  std::vector<std::vector<char>> need(g.tensors().size());
  for (size_t t = 0; t < need.size(); ++t)
    need[t].assign(static_cast<size_t>(g.tensors()[t].shape.h * g.tensors()[t].shape.w), 0);
  const int out = memory::stage_output(g, split);
  const int out_w = g.tensor(out).shape.w;
  for (int y = rows.begin; y < rows.end; ++y)
    for (int x = cols.begin; x < cols.end; ++x) need[static_cast<size_t>(out)][y * out_w + x] = 1;
  for (int i = split - 1; i >= 0; --i) {
    const Op& op = g.op(i);
    const Shape os = g.tensor(op.output).shape;
    for (int operand : {op.input, op.input2}) {
      if (operand < 0) continue;
      const Shape is = g.tensor(operand).shape;
      const bool windowed = memory::op_def(op.type).windowed;
      const int k = windowed ? op.kernel : 1;
      const int stride = windowed ? op.stride : 1;
      const int pad = windowed ? op.pad : 0;
      for (int oy = 0; oy < os.h; ++oy)
        for (int ox = 0; ox < os.w; ++ox) {
          if (!need[static_cast<size_t>(op.output)][oy * os.w + ox]) continue;
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int y = oy * stride - pad + ky;
              const int x = ox * stride - pad + kx;
              if (y >= 0 && y < is.h && x >= 0 && x < is.w)
                need[static_cast<size_t>(operand)][y * is.w + x] = 1;
            }
        }
    }
  }
  return need;
}

void bounding_box(const std::vector<char>& mask, const Shape& s, Span* rows, Span* cols) {
  *rows = {s.h, 0};
  *cols = {s.w, 0};
  for (int y = 0; y < s.h; ++y)
    for (int x = 0; x < s.w; ++x)
      if (mask[static_cast<size_t>(y * s.w + x)]) {
        rows->begin = std::min(rows->begin, y);
        rows->end = std::max(rows->end, y + 1);
        cols->begin = std::min(cols->begin, x);
        cols->end = std::max(cols->end, x + 1);
      }
  if (rows->empty()) *rows = *cols = Span{};
}

std::vector<int> patch_splits(const Graph& graph) {
  std::vector<int> splits;
  for (int s = 1; s < static_cast<int>(graph.ops().size()); ++s)
    if (memory::is_patch_split(graph, s)) splits.push_back(s);
  return splits;
}

Graph vww_first_blocks_network() {
  Graph g;
  const int img = g.add_input({80, 80, 3});
  int x = g.add_conv(kConv, LayerRole::kStem, -1, img, 16, 3, 2, kRelu6);
  x = g.add_conv(kDw, LayerRole::kDepthwise, 0, x, 16, 3, 1, kRelu6);
  x = g.add_conv(kConv, LayerRole::kProject, 0, x, 8, 1, 1, Activation::kNone);
  x = g.add_conv(kConv, LayerRole::kExpand, 1, x, 48, 1, 1, kRelu6);
  x = g.add_conv(kDw, LayerRole::kDepthwise, 1, x, 48, 3, 2, kRelu6);
  x = g.add_conv(kConv, LayerRole::kProject, 1, x, 16, 1, 1, Activation::kNone);
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 2));
  return g;
}

}  // namespace tinynas::testing
