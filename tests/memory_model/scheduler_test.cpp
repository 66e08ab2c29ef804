// Tests of the memory scheduler (lifetimes, in-place rules, scratch, placement) on hand-built
// graphs, every plan also validated by the independent plan checker.
#include "memory_model/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "memory_model/cost.h"
#include "memory_model/placement.h"
#include "tests/memory_model/plan_checker.h"

// Counts heap allocations, so a test can hold arena_bytes() to "no heap once warm".
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// GCC 12 sees the replaced new inlined next to free() and warns about the pairing, which is the
// intended one here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t bytes) {
  ++g_allocations;
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace tinynas::memory {
namespace {

using testing::check_plan;
using testing::join_lines;

constexpr OpType kConv = OpType::kConv2d;
constexpr OpType kDw = OpType::kDepthwiseConv2d;
constexpr Activation kRelu6 = Activation::kRelu6;
constexpr Activation kNone = Activation::kNone;

int conv1x1(Graph& g, LayerRole role, int block, int x, int channels) {
  return g.add_conv(kConv, role, block, x, channels, 1, 1,
                    role == LayerRole::kProject ? kNone : kRelu6);
}

int dw(Graph& g, int block, int x, int kernel, int stride) {
  return g.add_conv(kDw, LayerRole::kDepthwise, block, x, g.tensor(x).shape.c, kernel, stride,
                    kRelu6);
}

const Buffer& buffer_of(const MemoryPlan& plan, int tensor) {
  return plan.buffers[static_cast<size_t>(plan.tensor_buffer[static_cast<size_t>(tensor)])];
}

std::vector<const Buffer*> scratch_of(const MemoryPlan& plan, int op) {
  std::vector<const Buffer*> found;
  for (const Buffer& b : plan.buffers)
    if (b.kind == BufferKind::kScratch && b.owner_op == op) found.push_back(&b);
  return found;
}

// Schedules and validates; every test goes through here.
MemoryPlan schedule_checked(const Graph& g) {
  Scheduler scheduler;
  MemoryPlan plan = scheduler.schedule(g);
  EXPECT_TRUE(check_plan(g, plan).empty()) << join_lines(check_plan(g, plan));
  EXPECT_EQ(plan.arena_bytes, scheduler.arena_bytes(g));
  return plan;
}

// input 8x8x4 -> 1x1 (8x8x8) -> 1x1 (8x8x4) -> pool -> linear 10.
struct Chain {
  Graph g;
  int in, a, b, pooled, logits;
  Chain() {
    in = g.add_input({8, 8, 4});
    a = conv1x1(g, LayerRole::kExpand, 1, in, 8);
    b = conv1x1(g, LayerRole::kProject, 1, a, 4);
    pooled = g.add_global_avg_pool(b);
    logits = g.add_linear(pooled, 10);
    g.set_output(logits);
  }
};

// input 8x8x3 -> stem 3x3 s1 (x: 8x8x4) -> expand (8x8x12) -> dw 3x3 -> project (8x8x4)
// -> add(x) -> pool -> linear 10. Ops 0..6.
struct ResidualBlock {
  Graph g;
  int in, x, e, d, p, sum, logits;
  ResidualBlock() {
    in = g.add_input({8, 8, 3});
    x = g.add_conv(kConv, LayerRole::kStem, -1, in, 4, 3, 1, kRelu6);
    e = conv1x1(g, LayerRole::kExpand, 1, x, 12);
    d = dw(g, 1, e, 3, 1);
    p = conv1x1(g, LayerRole::kProject, 1, d, 4);
    sum = g.add_residual(1, x, p);
    logits = g.add_linear(g.add_global_avg_pool(sum), 10);
    g.set_output(logits);
  }
};

// A random MBConv network: stem, first block, 1..max_blocks blocks with random expand ratio,
// kernel, stride and width, residual adds where shapes allow, pool, classifier.
Graph random_mbconv(std::mt19937& rng, bool large) {
  auto pick = [&](std::initializer_list<int> v) {
    return *(v.begin() +
             std::uniform_int_distribution<int>(0, static_cast<int>(v.size()) - 1)(rng));
  };
  Graph g;
  const int r = large ? pick({96, 128, 160, 176}) : pick({8, 12, 16, 20, 24, 32});
  int x = g.add_input({r, r, 3});
  int c = large ? pick({16, 24, 32}) : pick({4, 8, 16});
  x = g.add_conv(kConv, LayerRole::kStem, -1, x, c, 3, 2, kRelu6);
  x = dw(g, 0, x, 3, 1);
  c = large ? pick({8, 16}) : pick({4, 8});
  x = conv1x1(g, LayerRole::kProject, 0, x, c);
  const int blocks = std::uniform_int_distribution<int>(1, large ? 18 : 8)(rng);
  for (int b = 1; b <= blocks; ++b) {
    const int expand = pick({1, 3, 4, 6});
    const int stride = pick({1, 1, 2});
    const int out = large ? pick({c, c, c + 8, 2 * c}) : pick({c, c, c + 4, c + 8});
    int h = x;
    if (expand > 1) h = conv1x1(g, LayerRole::kExpand, b, h, c * expand);
    h = dw(g, b, h, pick({3, 5, 7}), stride);
    h = conv1x1(g, LayerRole::kProject, b, h, out);
    if (stride == 1 && out == c) h = g.add_residual(b, x, h);
    x = h;
    c = out;
  }
  if (pick({0, 1}) == 1) x = conv1x1(g, LayerRole::kFeatureMix, -1, x, 2 * c);
  g.set_output(g.add_linear(g.add_global_avg_pool(x), 10));
  return g;
}

TEST(OpScratchBytesTest, Im2colForRegularConvWithKernelAboveOne) {
  Graph g;
  const int in = g.add_input({16, 16, 3});
  const int stem = g.add_conv(kConv, LayerRole::kStem, -1, in, 8, 3, 2, kRelu6);
  const int five = g.add_conv(kConv, LayerRole::kFeatureMix, -1, stem, 8, 5, 1, kRelu6);
  conv1x1(g, LayerRole::kExpand, 1, five, 16);
  EXPECT_EQ(op_scratch_bytes(g, g.op(0), false), 2 * 3 * 3 * 3 * 2);  // 2 int16 columns: 108
  EXPECT_EQ(op_scratch_bytes(g, g.op(1), false), 2 * 5 * 5 * 8 * 2);
  EXPECT_EQ(op_scratch_bytes(g, g.op(2), false), 0);
}

TEST(OpScratchBytesTest, PaddedPlaneOnlyForInPlaceDepthwise) {
  Graph g;
  const int in = g.add_input({8, 6, 16});
  const int d3 = dw(g, 1, in, 3, 1);
  dw(g, 1, d3, 5, 2);
  EXPECT_EQ(op_scratch_bytes(g, g.op(0), true), (8 + 2) * (6 + 2));
  EXPECT_EQ(op_scratch_bytes(g, g.op(0), false), 0);
  EXPECT_EQ(op_scratch_bytes(g, g.op(1), true), (8 + 4) * (6 + 4));  // input dims, pad 2
}

TEST(OpScratchBytesTest, NoneForAddPoolAndLinear) {
  ResidualBlock r;
  EXPECT_EQ(op_scratch_bytes(r.g, r.g.op(4), false), 0);  // add
  EXPECT_EQ(op_scratch_bytes(r.g, r.g.op(5), false), 0);  // pool
  EXPECT_EQ(op_scratch_bytes(r.g, r.g.op(6), false), 0);  // linear
}

TEST(SchedulerTest, PlainChainLifetimesRunFromProducerToLastConsumer) {
  Chain c;
  const MemoryPlan plan = schedule_checked(c.g);
  ASSERT_EQ(plan.buffers.size(), 5u);  // one per tensor, no scratch
  auto lifetime = [&](int t) {
    return std::make_pair(buffer_of(plan, t).first_op, buffer_of(plan, t).last_op);
  };
  EXPECT_EQ(lifetime(c.in), std::make_pair(0, 0));
  EXPECT_EQ(lifetime(c.a), std::make_pair(0, 1));
  EXPECT_EQ(lifetime(c.b), std::make_pair(1, 2));
  EXPECT_EQ(lifetime(c.pooled), std::make_pair(2, 3));
  EXPECT_EQ(lifetime(c.logits), std::make_pair(3, 3));
  EXPECT_EQ(buffer_of(plan, c.a).bytes, 8 * 8 * 8);
}

TEST(SchedulerTest, ArenaEqualsLowerBoundOnSimpleChain) {
  Chain c;
  const MemoryPlan plan = schedule_checked(c.g);
  EXPECT_EQ(plan.lower_bound, 256 + 512);  // op 0: input + a; op 1: a + b
  EXPECT_EQ(plan.arena_bytes, plan.lower_bound);
  EXPECT_EQ(plan.gap_bytes(), 0);
  EXPECT_EQ(plan.strategy, "size-desc");
}

TEST(SchedulerTest, GraphOutputLivesToTheLastOp) {
  Chain c;
  c.g.set_output(c.b);  // pool and linear still run after it
  const MemoryPlan plan = schedule_checked(c.g);
  EXPECT_EQ(buffer_of(plan, c.b).last_op, 3);
}

TEST(SchedulerTest, DepthwiseStride1RunsInPlaceWithOnePaddedPlane) {
  Graph g;
  const int in = g.add_input({8, 8, 4});
  const int e = conv1x1(g, LayerRole::kExpand, 1, in, 16);
  const int d = dw(g, 1, e, 3, 1);
  const int p = conv1x1(g, LayerRole::kProject, 1, d, 4);
  g.set_output(p);
  const MemoryPlan plan = schedule_checked(g);
  EXPECT_EQ(plan.tensor_buffer[static_cast<size_t>(e)], plan.tensor_buffer[static_cast<size_t>(d)]);
  EXPECT_EQ(buffer_of(plan, d).bytes, 8 * 8 * 16);
  EXPECT_EQ(buffer_of(plan, d).first_op, 0);
  EXPECT_EQ(buffer_of(plan, d).last_op, 2);
  const auto scratch = scratch_of(plan, 1);
  ASSERT_EQ(scratch.size(), 1u);
  EXPECT_EQ(scratch[0]->bytes, 10 * 10);
  EXPECT_EQ(scratch[0]->first_op, 1);
  EXPECT_EQ(scratch[0]->last_op, 1);
  EXPECT_EQ(plan.lower_bound, 256 + 1024);
  EXPECT_EQ(plan.arena_bytes, plan.lower_bound);
}

TEST(SchedulerTest, DepthwiseStride2InPlaceBufferIsTheLargerInput) {
  Graph g;
  const int in = g.add_input({8, 8, 4});
  const int e = conv1x1(g, LayerRole::kExpand, 1, in, 16);
  const int d = dw(g, 1, e, 3, 2);
  g.set_output(conv1x1(g, LayerRole::kProject, 1, d, 4));
  const MemoryPlan plan = schedule_checked(g);
  ASSERT_EQ(plan.tensor_buffer[static_cast<size_t>(e)], plan.tensor_buffer[static_cast<size_t>(d)]);
  EXPECT_EQ(g.tensor(d).bytes(), 4 * 4 * 16);
  EXPECT_EQ(buffer_of(plan, d).bytes, 8 * 8 * 16);  // max(in, out)
  const auto scratch = scratch_of(plan, 1);
  ASSERT_EQ(scratch.size(), 1u);
  EXPECT_EQ(scratch[0]->bytes, 10 * 10);  // plane of the 8x8 input, pad 1
}

TEST(SchedulerTest, DepthwiseNotInPlaceWhenItsInputIsStillNeeded) {
  // Expand ratio 1 with a residual: the dw input is the skip, read again by the add.
  Graph g;
  const int in = g.add_input({8, 8, 3});
  const int x = g.add_conv(kConv, LayerRole::kStem, -1, in, 8, 3, 1, kRelu6);
  const int d = dw(g, 1, x, 3, 1);
  const int p = conv1x1(g, LayerRole::kProject, 1, d, 8);
  g.set_output(g.add_residual(1, x, p));
  const MemoryPlan plan = schedule_checked(g);
  EXPECT_NE(plan.tensor_buffer[static_cast<size_t>(x)], plan.tensor_buffer[static_cast<size_t>(d)]);
  EXPECT_TRUE(scratch_of(plan, 1).empty());
  EXPECT_EQ(buffer_of(plan, x).last_op, 3);
}

TEST(SchedulerTest, DepthwiseNeverOverwritesTheGraphInputOrOutput) {
  Graph g;
  const int in = g.add_input({8, 8, 8});
  const int d = dw(g, 1, in, 3, 1);
  const int d2 = dw(g, 1, d, 3, 1);
  g.set_output(d);  // d is the result: d2 may not overwrite it
  const MemoryPlan plan = schedule_checked(g);
  EXPECT_NE(plan.tensor_buffer[static_cast<size_t>(in)],
            plan.tensor_buffer[static_cast<size_t>(d)]);
  EXPECT_NE(plan.tensor_buffer[static_cast<size_t>(d)],
            plan.tensor_buffer[static_cast<size_t>(d2)]);
  EXPECT_TRUE(scratch_of(plan, 0).empty());
  EXPECT_TRUE(scratch_of(plan, 1).empty());
}

TEST(SchedulerTest, ResidualBlockKeepsTheBlockInputAliveUntilTheAdd) {
  ResidualBlock r;
  const MemoryPlan plan = schedule_checked(r.g);
  EXPECT_EQ(buffer_of(plan, r.x).first_op, 0);
  EXPECT_EQ(buffer_of(plan, r.x).last_op, 4);  // the add
  // The skip is alive across expand, dw and project, so it shares no address with them.
  for (int t : {r.e, r.d, r.p}) {
    const Buffer& skip = buffer_of(plan, r.x);
    const Buffer& other = buffer_of(plan, t);
    EXPECT_TRUE(skip.offset + skip.bytes <= other.offset ||
                other.offset + other.bytes <= skip.offset);
  }
}

TEST(SchedulerTest, AddWritesOverTheBodyOperand) {
  ResidualBlock r;
  const MemoryPlan plan = schedule_checked(r.g);
  EXPECT_EQ(plan.tensor_buffer[static_cast<size_t>(r.sum)],
            plan.tensor_buffer[static_cast<size_t>(r.p)]);
  EXPECT_NE(plan.tensor_buffer[static_cast<size_t>(r.sum)],
            plan.tensor_buffer[static_cast<size_t>(r.x)]);
  EXPECT_EQ(buffer_of(plan, r.sum).first_op, 3);  // from the project
  EXPECT_EQ(buffer_of(plan, r.sum).last_op, 5);   // to the pool
  EXPECT_TRUE(scratch_of(plan, 4).empty());
}

TEST(SchedulerTest, AddDoesNotOverwriteABodyThatIsReadLater) {
  Graph g;
  const int in = g.add_input({4, 4, 8});
  const int x = conv1x1(g, LayerRole::kStem, -1, in, 8);
  const int p = conv1x1(g, LayerRole::kProject, 1, x, 8);
  const int sum = g.add_residual(1, x, p);
  g.set_output(g.add_residual(2, p, sum));  // p is read again after the first add
  const MemoryPlan plan = schedule_checked(g);
  EXPECT_NE(plan.tensor_buffer[static_cast<size_t>(sum)],
            plan.tensor_buffer[static_cast<size_t>(p)]);
}

TEST(SchedulerTest, Im2colScratchFor3x3ConvAndNoneFor1x1) {
  ResidualBlock r;
  const MemoryPlan plan = schedule_checked(r.g);
  const auto stem = scratch_of(plan, 0);
  ASSERT_EQ(stem.size(), 1u);
  EXPECT_EQ(stem[0]->bytes, 2 * 3 * 3 * 3 * 2);
  EXPECT_EQ(stem[0]->first_op, 0);
  EXPECT_EQ(stem[0]->last_op, 0);
  EXPECT_TRUE(scratch_of(plan, 1).empty());   // 1x1 expand
  EXPECT_TRUE(scratch_of(plan, 3).empty());   // 1x1 project
  EXPECT_EQ(scratch_of(plan, 2).size(), 1u);  // in-place dw
}

TEST(SchedulerTest, InPlaceChainsMergeIntoOneBuffer) {
  // add over the body, then a stride-2 dw directly on the sum, then a dw on that: one buffer.
  Graph chained;
  const int in = chained.add_input({8, 8, 3});
  const int x = chained.add_conv(kConv, LayerRole::kStem, -1, in, 4, 3, 1, kRelu6);
  const int e = conv1x1(chained, LayerRole::kExpand, 1, x, 12);
  const int d = dw(chained, 1, e, 3, 1);
  const int p = conv1x1(chained, LayerRole::kProject, 1, d, 4);
  const int sum = chained.add_residual(1, x, p);
  const int d2 = dw(chained, 2, sum, 3, 2);
  const int d3 = dw(chained, 2, d2, 5, 1);
  const int out = conv1x1(chained, LayerRole::kProject, 2, d3, 8);
  chained.set_output(out);
  const MemoryPlan plan = schedule_checked(chained);
  const int shared = plan.tensor_buffer[static_cast<size_t>(p)];
  for (int t : {sum, d2, d3}) EXPECT_EQ(plan.tensor_buffer[static_cast<size_t>(t)], shared);
  const Buffer& buffer = buffer_of(plan, p);
  EXPECT_EQ(buffer.bytes, 8 * 8 * 4);
  EXPECT_EQ(buffer.first_op, 3);  // project
  EXPECT_EQ(buffer.last_op, 7);   // the final project reads d3
  EXPECT_EQ(buffer.tensors, (std::vector<int>{p, sum, d2, d3}));
  ASSERT_EQ(scratch_of(plan, 5).size(), 1u);
  EXPECT_EQ(scratch_of(plan, 5)[0]->bytes, 10 * 10);
  ASSERT_EQ(scratch_of(plan, 6).size(), 1u);
  EXPECT_EQ(scratch_of(plan, 6)[0]->bytes, (4 + 4) * (4 + 4));
}

// Where size-desc first-fit (TinyEngine, TF-Lite Micro) loses: two 432-byte buffers that never
// meet go to offset 0 together, which pushes the 288-byte buffers alive between them to 720.
TEST(SchedulerTest, PicksAnotherOrderWhereSizeDescFirstFitIsWorse) {
  Graph g;
  const int in = g.add_input({12, 12, 3});                                     // 432, op 0
  const int x = g.add_conv(kConv, LayerRole::kStem, -1, in, 8, 3, 2, kRelu6);  // 288, im2col 108
  const int d0 = dw(g, 0, x, 3, 1);                                            // in place
  const int p0 = conv1x1(g, LayerRole::kProject, 0, d0, 8);                    // 288
  const int d1 = dw(g, 1, p0, 7, 1);                                           // in place
  const int p1 = conv1x1(g, LayerRole::kProject, 1, d1, 12);                   // 432
  g.set_output(g.add_linear(g.add_global_avg_pool(p1), 10));
  const MemoryPlan plan = schedule_checked(g);
  EXPECT_EQ(plan.lower_bound, 432 + 288 + 108);  // op 0
  EXPECT_EQ(plan.arena_bytes, plan.lower_bound);
  EXPECT_NE(plan.strategy, "size-desc");

  // The same buffers placed by size-desc alone.
  std::vector<LiveBuffer> buffers;
  for (const Buffer& b : plan.buffers) buffers.push_back({b.bytes, b.first_op, b.last_op});
  ConflictLists conflicts;
  std::vector<int> int_work, order;
  std::vector<int64_t> live, offsets;
  std::vector<uint64_t> key_work;
  std::vector<AddressRange> range_work;
  build_conflicts(buffers, &conflicts, &int_work);
  live_bytes_per_op(buffers, &live);
  make_order(buffers, PlacementOrder::kSizeDesc, live, &order, &key_work);
  const int64_t size_desc =
      place_greedy(buffers, conflicts, order, INT64_MAX, &offsets, &range_work);
  EXPECT_EQ(size_desc, 432 + 288 + 288);
  EXPECT_LT(plan.arena_bytes, size_desc);
}

TEST(SchedulerTest, ScheduleAndArenaBytesAgreeOnRandomGraphs) {
  std::mt19937 rng(42);
  Scheduler reused;  // one scheduler across graphs of changing size, as the search uses it
  for (int i = 0; i < 300; ++i) {
    const Graph g = random_mbconv(rng, i % 2 == 1);
    const int64_t arena = reused.arena_bytes(g);
    EXPECT_EQ(reused.schedule(g).arena_bytes, arena);
    EXPECT_EQ(Scheduler().arena_bytes(g), arena);
  }
}

TEST(SchedulerTest, ArenaBytesDoesNotAllocateOnceWarm) {
  std::mt19937 rng(11);
  std::vector<Graph> graphs;
  for (int i = 0; i < 20; ++i) graphs.push_back(random_mbconv(rng, i % 2 == 1));
  Scheduler scheduler;
  for (const Graph& g : graphs) scheduler.arena_bytes(g);  // grows the work arrays once
  const long before = g_allocations.load();
  int64_t total = 0;
  for (const Graph& g : graphs) total += scheduler.arena_bytes(g);
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_GT(total, 0);
}

TEST(SchedulerTest, RandomGraphPlansPassTheChecker) {
  std::mt19937 rng(7);
  Scheduler scheduler;
  std::set<std::string> strategies;
  for (int i = 0; i < 400; ++i) {
    const Graph g = random_mbconv(rng, i % 2 == 1);
    const MemoryPlan plan = scheduler.schedule(g);
    const std::vector<std::string> problems = check_plan(g, plan);
    ASSERT_TRUE(problems.empty()) << "graph " << i << ":\n" << join_lines(problems);
    strategies.insert(plan.strategy);
  }
  EXPECT_GT(strategies.size(), 1u);  // the other orders do win sometimes
}

TEST(SchedulerTest, EmptyGraphHoldsJustTheInput) {
  Graph g;
  const int in = g.add_input({2, 2, 2});
  g.set_output(in);
  const MemoryPlan plan = schedule_checked(g);
  EXPECT_EQ(plan.arena_bytes, 8);
  EXPECT_EQ(plan.lower_bound, 8);
}

TEST(SchedulerTest, InPlaceMakesTheArenaSmallerThanTheNaiveRule) {
  ResidualBlock r;
  const MemoryPlan plan = schedule_checked(r.g);
  // Peak at the project: skip 256 + the shared expand/dw buffer 768 + project 256. The naive
  // rule pays for dw input and output separately: 256 + 768 + 768 at the dw.
  EXPECT_EQ(plan.lower_bound, 256 + 768 + 256);
  EXPECT_EQ(plan.arena_bytes, plan.lower_bound);
  EXPECT_EQ(sram_naive(r.g), 256 + 768 + 768);
  EXPECT_LT(plan.arena_bytes, sram_naive(r.g));
}

TEST(MemoryPlanTest, TensorOffsetsAreStable) {
  std::mt19937 rng(3);
  const Graph g = random_mbconv(rng, true);
  const Graph other = random_mbconv(rng, true);
  Scheduler scheduler;
  const MemoryPlan first = scheduler.schedule(g);
  scheduler.schedule(other);  // work arrays now hold another graph
  const MemoryPlan again = scheduler.schedule(g);
  const MemoryPlan fresh = Scheduler().schedule(g);
  ASSERT_EQ(first.tensor_buffer, again.tensor_buffer);
  for (size_t t = 0; t < g.tensors().size(); ++t) {
    const int id = static_cast<int>(t);
    EXPECT_EQ(first.tensor_offset(id), again.tensor_offset(id));
    EXPECT_EQ(first.tensor_offset(id), fresh.tensor_offset(id));
  }
  EXPECT_EQ(first.strategy, again.strategy);
}

TEST(MemoryPlanTest, TensorOffsetIsItsBufferOffset) {
  ResidualBlock r;
  const MemoryPlan plan = schedule_checked(r.g);
  for (size_t t = 0; t < r.g.tensors().size(); ++t)
    EXPECT_EQ(plan.tensor_offset(static_cast<int>(t)), buffer_of(plan, static_cast<int>(t)).offset);
  EXPECT_EQ(plan.tensor_offset(r.sum), plan.tensor_offset(r.p));
}

TEST(MemoryPlanTest, StrategyIsOneOfThePlacementStrategies) {
  ResidualBlock r;
  const MemoryPlan plan = schedule_checked(r.g);
  const bool known =
      std::any_of(kPlacementStrategies.begin(), kPlacementStrategies.end(),
                  [&](const PlacementStrategy& s) { return plan.strategy == s.name; });
  EXPECT_TRUE(known) << plan.strategy;
}

// --- placement building blocks ---

TEST(PlacementTest, LiveSetLowerBoundIsTheBusiestOp) {
  const std::vector<LiveBuffer> buffers = {{100, 0, 1}, {50, 1, 2}, {70, 2, 2}, {10, 0, 3}};
  EXPECT_EQ(live_set_lower_bound(buffers), 100 + 50 + 10);  // op 1
  std::vector<int64_t> live;
  live_bytes_per_op(buffers, &live);
  EXPECT_EQ(live, (std::vector<int64_t>{110, 160, 130, 10}));
  EXPECT_EQ(live_set_lower_bound({}), 0);
}

TEST(PlacementTest, ConflictListsMatchPairwiseOverlapEvenWhenUnsorted) {
  std::mt19937 rng(5);
  for (int round = 0; round < 50; ++round) {
    std::vector<LiveBuffer> buffers(20);
    for (LiveBuffer& b : buffers) {
      b.first_op = std::uniform_int_distribution<int>(0, 15)(rng);
      b.last_op = b.first_op + std::uniform_int_distribution<int>(0, 4)(rng);
      b.bytes = 1;
    }
    ConflictLists conflicts;
    std::vector<int> work;
    build_conflicts(buffers, &conflicts, &work);
    for (size_t i = 0; i < buffers.size(); ++i) {
      std::set<int> got(conflicts.index.begin() + conflicts.begin[i],
                        conflicts.index.begin() + conflicts.begin[i + 1]);
      std::set<int> want;
      for (size_t j = 0; j < buffers.size(); ++j)
        if (j != i && buffers[i].first_op <= buffers[j].last_op &&
            buffers[j].first_op <= buffers[i].last_op)
          want.insert(static_cast<int>(j));
      EXPECT_EQ(got, want);
    }
  }
}

TEST(PlacementTest, FirstFitTakesTheLowestGap) {
  // a [0,2] at 0..100; b [0,0] above it; c [2,2] meets only a, so it sits where b is.
  const std::vector<LiveBuffer> buffers = {{100, 0, 2}, {50, 0, 0}, {40, 2, 2}, {30, 1, 1}};
  ConflictLists conflicts;
  std::vector<int> work;
  build_conflicts(buffers, &conflicts, &work);
  std::vector<int64_t> offsets;
  std::vector<AddressRange> range_work;
  const int64_t arena =
      place_greedy(buffers, conflicts, {0, 1, 2, 3}, INT64_MAX, &offsets, &range_work);
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 100, 100, 100}));
  EXPECT_EQ(arena, 150);
}

TEST(PlacementTest, GreedyPassGivesUpOnceItCannotWin) {
  const std::vector<LiveBuffer> buffers = {{100, 0, 1}, {100, 0, 1}, {100, 0, 1}};
  ConflictLists conflicts;
  std::vector<int> work;
  build_conflicts(buffers, &conflicts, &work);
  std::vector<int64_t> offsets;
  std::vector<AddressRange> range_work;
  EXPECT_EQ(place_greedy(buffers, conflicts, {0, 1, 2}, 200, &offsets, &range_work), 200);
  EXPECT_EQ(offsets[2], -1);  // never placed
}

TEST(PlacementTest, OrdersArePermutationsWithTiesByIndex) {
  const std::vector<LiveBuffer> buffers = {{10, 0, 0}, {30, 0, 3}, {10, 1, 2}, {30, 2, 2}};
  std::vector<int64_t> live;
  live_bytes_per_op(buffers, &live);  // 40, 40, 70, 30
  std::vector<int> order;
  std::vector<uint64_t> work;
  make_order(buffers, PlacementOrder::kSizeDesc, live, &order, &work);
  EXPECT_EQ(order, (std::vector<int>{1, 3, 0, 2}));
  make_order(buffers, PlacementOrder::kLifetimeDesc, live, &order, &work);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 0, 3}));
  make_order(buffers, PlacementOrder::kAreaDesc, live, &order, &work);
  EXPECT_EQ(order, (std::vector<int>{1, 3, 2, 0}));
  make_order(buffers, PlacementOrder::kStartAsc, live, &order, &work);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  make_order(buffers, PlacementOrder::kBusiestOpFirst, live, &order, &work);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 0}));
}

TEST(PlacementTest, UnsortedBuffersBreakTiesByStartThenIndex) {
  const std::vector<LiveBuffer> buffers = {{10, 3, 3}, {10, 1, 1}, {20, 2, 2}, {10, 1, 1}};
  std::vector<int64_t> live;
  live_bytes_per_op(buffers, &live);
  std::vector<int> order;
  std::vector<uint64_t> work;
  make_order(buffers, PlacementOrder::kSizeDesc, live, &order, &work);
  EXPECT_EQ(order, (std::vector<int>{2, 1, 3, 0}));
}

TEST(PlacementTest, PlacerStopsAtTheBoundAndKeepsTheFirstOnTies) {
  const std::vector<LiveBuffer> buffers = {{100, 0, 1}, {50, 1, 2}, {100, 2, 3}};
  Placer placer;
  const PlacementResult r = placer.place(buffers);
  EXPECT_EQ(r.lower_bound, 150);
  EXPECT_EQ(r.arena_bytes, 150);
  EXPECT_EQ(r.strategy, 0);
  EXPECT_EQ(placer.offsets(), (std::vector<int64_t>{0, 100, 0}));
}

TEST(PlacementTest, StrategyNamesAreUniqueAndStartWithTinyEnginesOrder) {
  std::set<std::string> names;
  for (const PlacementStrategy& s : kPlacementStrategies) names.insert(s.name);
  EXPECT_EQ(names.size(), kPlacementStrategies.size());
  EXPECT_STREQ(kPlacementStrategies[0].name, "size-desc");
  for (const char* name : {"lifetime-desc", "area-desc", "start-asc"})
    EXPECT_EQ(names.count(name), 1u);
}

// --- the checker must be able to fail ---

// Moves every tensor of buffer 'from' into buffer 'into' (as if they shared it) and drops 'from'.
void merge_buffers(MemoryPlan* plan, int into, int from) {
  Buffer& target = plan->buffers[static_cast<size_t>(into)];
  const Buffer source = plan->buffers[static_cast<size_t>(from)];
  target.bytes = std::max(target.bytes, source.bytes);
  target.first_op = std::min(target.first_op, source.first_op);
  target.last_op = std::max(target.last_op, source.last_op);
  for (int t : source.tensors) target.tensors.push_back(t);
  plan->buffers.erase(plan->buffers.begin() + from);
  for (int t : source.tensors) plan->tensor_buffer[static_cast<size_t>(t)] = into;
  for (int& b : plan->tensor_buffer)
    if (b > from) --b;
}

bool mentions(const std::vector<std::string>& problems, const std::string& word) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(word) != std::string::npos; });
}

TEST(PlanCheckerTest, RejectsOverlappingBuffers) {
  ResidualBlock r;
  MemoryPlan plan = schedule_checked(r.g);
  Buffer& body = plan.buffers[static_cast<size_t>(plan.tensor_buffer[static_cast<size_t>(r.e)])];
  body.offset = buffer_of(plan, r.x).offset;  // the skip is alive across the whole body
  const auto problems = check_plan(r.g, plan);
  EXPECT_TRUE(mentions(problems, "overlap")) << join_lines(problems);
}

TEST(PlanCheckerTest, RejectsTooShortLifetime) {
  ResidualBlock r;
  MemoryPlan plan = schedule_checked(r.g);
  plan.buffers[static_cast<size_t>(plan.tensor_buffer[static_cast<size_t>(r.x)])].last_op = 2;
  const auto problems = check_plan(r.g, plan);
  EXPECT_TRUE(mentions(problems, "is needed during ops [0, 4]")) << join_lines(problems);
}

TEST(PlanCheckerTest, RejectsOffsetBeyondTheArena) {
  Chain c;
  MemoryPlan plan = schedule_checked(c.g);
  plan.buffers[static_cast<size_t>(plan.tensor_buffer[static_cast<size_t>(c.logits)])].offset =
      plan.arena_bytes;
  const auto problems = check_plan(c.g, plan);
  EXPECT_TRUE(mentions(problems, "beyond the arena")) << join_lines(problems);
}

TEST(PlanCheckerTest, RejectsNegativeOffsetAndUnmappedTensor) {
  Chain c;
  MemoryPlan plan = schedule_checked(c.g);
  plan.buffers[0].offset = -4;
  EXPECT_TRUE(mentions(check_plan(c.g, plan), "negative offset"));
  plan = schedule_checked(c.g);
  plan.tensor_buffer[static_cast<size_t>(c.b)] = 99;
  EXPECT_TRUE(mentions(check_plan(c.g, plan), "maps to buffer 99"));
}

TEST(PlanCheckerTest, RejectsSharingThroughANonInPlaceOp) {
  Chain c;
  MemoryPlan plan = schedule_checked(c.g);
  merge_buffers(&plan, plan.tensor_buffer[static_cast<size_t>(c.a)],
                plan.tensor_buffer[static_cast<size_t>(c.b)]);
  const auto problems = check_plan(c.g, plan);
  EXPECT_TRUE(mentions(problems, "cannot run in place")) << join_lines(problems);
}

TEST(PlanCheckerTest, RejectsInPlaceDepthwiseOverAnOperandReadLater) {
  Graph g;
  const int in = g.add_input({8, 8, 3});
  const int x = g.add_conv(kConv, LayerRole::kStem, -1, in, 8, 3, 1, kRelu6);
  const int d = dw(g, 1, x, 3, 1);
  g.set_output(g.add_residual(1, x, conv1x1(g, LayerRole::kProject, 1, d, 8)));
  MemoryPlan plan = schedule_checked(g);
  merge_buffers(&plan, plan.tensor_buffer[static_cast<size_t>(x)],
                plan.tensor_buffer[static_cast<size_t>(d)]);
  const auto problems = check_plan(g, plan);
  EXPECT_TRUE(mentions(problems, "still read by op 3")) << join_lines(problems);
}

TEST(PlanCheckerTest, RejectsMissingOrShortScratch) {
  ResidualBlock r;
  MemoryPlan plan = schedule_checked(r.g);
  for (Buffer& b : plan.buffers)
    if (b.kind == BufferKind::kScratch && b.owner_op == 0) b.bytes = 100;
  auto problems = check_plan(r.g, plan);
  EXPECT_TRUE(mentions(problems, "needs 108 scratch bytes, has 100")) << join_lines(problems);

  plan = schedule_checked(r.g);
  for (Buffer& b : plan.buffers)
    if (b.kind == BufferKind::kScratch && b.owner_op == 2) b.owner_op = 1;  // moved to a 1x1
  problems = check_plan(r.g, plan);
  EXPECT_TRUE(mentions(problems, "needs 100 scratch bytes, has 0")) << join_lines(problems);
  EXPECT_TRUE(mentions(problems, "needs no scratch")) << join_lines(problems);
}

TEST(PlanCheckerTest, RejectsWrongLowerBound) {
  ResidualBlock r;
  MemoryPlan plan = schedule_checked(r.g);
  plan.lower_bound -= 1;
  EXPECT_TRUE(mentions(check_plan(r.g, plan), "lower_bound"));
  plan.lower_bound = plan.arena_bytes + 1;
  EXPECT_TRUE(mentions(check_plan(r.g, plan), "lower_bound"));
}

TEST(PlanCheckerTest, RejectsArenaThatIsNotTheHighestEnd) {
  Chain c;
  MemoryPlan plan = schedule_checked(c.g);
  plan.arena_bytes += 16;
  EXPECT_TRUE(mentions(check_plan(c.g, plan), "highest buffer end"));
}

}  // namespace
}  // namespace tinynas::memory
