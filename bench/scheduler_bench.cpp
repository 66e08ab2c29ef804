// Speed of the memory scheduler, which the search runs once per candidate arch: schedule() (the
// full plan, for code generation) and arena_bytes() (the SRAM number alone, for the search) on a
// MobileNetV2-like graph of about 55 ops, plus arena_bytes() over a batch of varied graphs so the
// branch predictor cannot learn a single one.
//
//   build/bench/scheduler_bench [--benchmark_filter=ArenaBytes]
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "memory_model/graph.h"
#include "memory_model/scheduler.h"

namespace tinynas::memory {
namespace {

struct Stage {
  int expand, channels, blocks, stride, kernel;
};

// Stem 3x3 s2, the fixed first block (dw + project), MBConv stages (expand / dw / project, add
// when the shape allows), 1x1 feature mix, pool, classifier.
Graph mobilenet_like(int resolution, const std::vector<Stage>& stages, int stem_channels = 32) {
  Graph g;
  g.reserve(64);
  int x = g.add_input({resolution, resolution, 3});
  x = g.add_conv(OpType::kConv2d, LayerRole::kStem, -1, x, stem_channels, 3, 2, Activation::kRelu6);
  x = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, 0, x, stem_channels, 3, 1,
                 Activation::kRelu6);
  x = g.add_conv(OpType::kConv2d, LayerRole::kProject, 0, x, 16, 1, 1, Activation::kNone);
  int block = 1;
  for (const Stage& s : stages) {
    for (int i = 0; i < s.blocks; ++i, ++block) {
      const int in_channels = g.tensor(x).shape.c;
      const int stride = i == 0 ? s.stride : 1;
      int h = g.add_conv(OpType::kConv2d, LayerRole::kExpand, block, x, in_channels * s.expand, 1,
                         1, Activation::kRelu6);
      h = g.add_conv(OpType::kDepthwiseConv2d, LayerRole::kDepthwise, block, h,
                     in_channels * s.expand, s.kernel, stride, Activation::kRelu6);
      h = g.add_conv(OpType::kConv2d, LayerRole::kProject, block, h, s.channels, 1, 1,
                     Activation::kNone);
      if (stride == 1 && in_channels == s.channels) h = g.add_residual(block, x, h);
      x = h;
    }
  }
  x = g.add_conv(OpType::kConv2d, LayerRole::kFeatureMix, -1, x, 4 * g.tensor(x).shape.c, 1, 1,
                 Activation::kRelu6);
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 1000));
  return g;
}

// 14 MBConv blocks, 8 of them residual: 57 ops.
Graph reference_graph() {
  return mobilenet_like(144, {{6, 24, 2, 2, 3},
                              {6, 32, 3, 2, 5},
                              {6, 64, 3, 2, 3},
                              {6, 96, 3, 1, 3},
                              {6, 160, 2, 2, 7},
                              {6, 320, 1, 1, 3}});
}

std::vector<Graph> varied_graphs() {
  std::mt19937 rng(1);
  auto pick = [&](std::initializer_list<int> v) {
    return *(v.begin() +
             std::uniform_int_distribution<int>(0, static_cast<int>(v.size()) - 1)(rng));
  };
  std::vector<Graph> graphs;
  for (int i = 0; i < 64; ++i) {
    std::vector<Stage> stages;
    const int widths[] = {24, 40, 80, 96, 192, 320};
    const int strides[] = {2, 2, 2, 1, 2, 1};
    for (int s = 0; s < 6; ++s)
      stages.push_back(
          {pick({3, 4, 6}), widths[s], s == 5 ? 1 : pick({2, 3, 4}), strides[s], pick({3, 5, 7})});
    graphs.push_back(mobilenet_like(pick({96, 112, 128, 144, 160, 176}), stages, 16));
  }
  return graphs;
}

void BM_Schedule(benchmark::State& state) {
  const Graph g = reference_graph();
  Scheduler scheduler;
  for (auto _ : state) benchmark::DoNotOptimize(scheduler.schedule(g));
  const MemoryPlan plan = scheduler.schedule(g);
  state.counters["ops"] = static_cast<double>(g.ops().size());
  state.counters["arena"] = static_cast<double>(plan.arena_bytes);
  state.counters["bound"] = static_cast<double>(plan.lower_bound);
}
BENCHMARK(BM_Schedule);

void BM_ArenaBytes(benchmark::State& state) {
  const Graph g = reference_graph();
  Scheduler scheduler;
  for (auto _ : state) benchmark::DoNotOptimize(scheduler.arena_bytes(g));
  state.counters["ops"] = static_cast<double>(g.ops().size());
}
BENCHMARK(BM_ArenaBytes);

void BM_ArenaBytesVariedGraphs(benchmark::State& state) {
  const std::vector<Graph> graphs = varied_graphs();
  Scheduler scheduler;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(scheduler.arena_bytes(graphs[i]));
    i = (i + 1) % graphs.size();
  }
  size_t ops = 0;
  for (const Graph& g : graphs) ops += g.ops().size();
  state.counters["mean_ops"] = static_cast<double>(ops) / static_cast<double>(graphs.size());
}
BENCHMARK(BM_ArenaBytesVariedGraphs);

}  // namespace
}  // namespace tinynas::memory
