#include "tests/memory_model/plan_checker.h"

#include <algorithm>
#include <cstdint>
#include <sstream>

namespace tinynas::testing {
namespace {

using memory::Buffer;
using memory::BufferKind;
using memory::Graph;
using memory::MemoryPlan;
using memory::Op;
using memory::OpType;

// Collects violations with stream syntax: report() << "buffer " << b << " ...";
class Report {
 public:
  class Line {
   public:
    explicit Line(std::vector<std::string>* out) : out_(out) {}
    Line(const Line&) = delete;
    ~Line() { out_->push_back(text_.str()); }
    template <typename T>
    Line& operator<<(const T& value) {
      text_ << value;
      return *this;
    }

   private:
    std::vector<std::string>* out_;
    std::ostringstream text_;
  };

  Line operator()() { return Line(&lines_); }
  std::vector<std::string> take() { return std::move(lines_); }
  bool empty() const { return lines_.empty(); }

 private:
  std::vector<std::string> lines_;
};

struct Span {
  int first = 0;
  int last = -1;
  bool empty() const { return last < first; }
  void add(const Span& o) {
    if (o.empty()) return;
    if (empty()) {
      *this = o;
      return;
    }
    first = std::min(first, o.first);
    last = std::max(last, o.last);
  }
};

std::string tensor_name(const Graph& graph, int t) {
  const int producer = graph.tensor(t).producer;
  std::ostringstream s;
  s << "tensor " << t << " (";
  if (producer < 0)
    s << "graph input";
  else
    s << "output of op " << producer << " " << graph.op(producer).name();
  s << ")";
  return s.str();
}

// Scratch an op needs, from the kernel rules (TinyEngine / CMSIS-NN style), written out again
// here on purpose rather than calling the scheduler's op_scratch_bytes().
int64_t needed_scratch(const Graph& graph, const Op& op, bool in_place) {
  if (op.type == OpType::kConv2d && op.kernel > 1) {
    const int64_t column = int64_t{op.kernel} * op.kernel * graph.tensor(op.input).shape.c;
    return 2 * column * static_cast<int64_t>(sizeof(int16_t));
  }
  if (op.type == OpType::kDepthwiseConv2d && in_place) {
    const memory::Shape in = graph.tensor(op.input).shape;
    return int64_t{in.h + 2 * op.pad} * int64_t{in.w + 2 * op.pad};
  }
  return 0;
}

}  // namespace

std::vector<std::string> check_plan(const Graph& graph, const MemoryPlan& plan, int patch_split,
                                    bool input_in_arena) {
  Report report;
  const int n_tensors = static_cast<int>(graph.tensors().size());
  const int n_ops = static_cast<int>(graph.ops().size());
  const int n_buffers = static_cast<int>(plan.buffers.size());
  const int final_op = std::max(n_ops - 1, 0);
  auto buffer_at = [&](int b) -> const Buffer& { return plan.buffers[static_cast<size_t>(b)]; };

  // Structure first: the rest indexes through these tables.
  if (static_cast<int>(plan.tensor_buffer.size()) != n_tensors) {
    report() << "tensor_buffer has " << plan.tensor_buffer.size() << " entries for " << n_tensors
             << " tensors";
    return report.take();
  }
  for (int t = 0; t < n_tensors; ++t) {
    const int b = plan.tensor_buffer[static_cast<size_t>(t)];
    if (b < 0 || b >= n_buffers) {
      report() << tensor_name(graph, t) << " maps to buffer " << b << " of " << n_buffers;
      continue;
    }
    if (buffer_at(b).kind != BufferKind::kActivation)
      report() << tensor_name(graph, t) << " maps to scratch buffer " << b;
    const std::vector<int>& listed = buffer_at(b).tensors;
    if (std::find(listed.begin(), listed.end(), t) == listed.end())
      report() << tensor_name(graph, t) << " maps to buffer " << b << " which does not list it";
  }
  for (int b = 0; b < n_buffers; ++b) {
    const Buffer& buffer = buffer_at(b);
    if (buffer.bytes < 0) report() << "buffer " << b << " has negative size " << buffer.bytes;
    if (buffer.first_op > buffer.last_op || buffer.first_op < 0 || buffer.last_op > final_op)
      report() << "buffer " << b << " has lifetime [" << buffer.first_op << ", " << buffer.last_op
               << "] outside ops [0, " << final_op << "]";
    if (buffer.kind == BufferKind::kScratch) {
      if (!buffer.tensors.empty()) report() << "scratch buffer " << b << " lists tensors";
      if (buffer.owner_op < 0 || buffer.owner_op >= n_ops)
        report() << "scratch buffer " << b << " has owner op " << buffer.owner_op;
    } else {
      if (buffer.tensors.empty()) report() << "activation buffer " << b << " holds no tensor";
      for (int t : buffer.tensors)
        if (t < 0 || t >= n_tensors || plan.tensor_buffer[static_cast<size_t>(t)] != b)
          report() << "buffer " << b << " lists tensor " << t << " which does not map to it";
    }
  }
  if (!report.empty()) return report.take();

  // (a) Inside the arena, big enough for every tensor it holds; arena_bytes is the highest end.
  int64_t highest_end = 0;
  for (int b = 0; b < n_buffers; ++b) {
    const Buffer& buffer = buffer_at(b);
    if (buffer.offset < 0) report() << "buffer " << b << " has negative offset " << buffer.offset;
    if (buffer.offset + buffer.bytes > plan.arena_bytes)
      report() << "buffer " << b << " [" << buffer.offset << ", " << buffer.offset + buffer.bytes
               << ") ends beyond the arena of " << plan.arena_bytes << " bytes";
    highest_end = std::max(highest_end, buffer.offset + buffer.bytes);
    for (int t : buffer.tensors) {
      if (graph.tensor(t).producer < 0 && !input_in_arena) {
        if (buffer.bytes != 0)
          report() << "buffer " << b << " holds the graph input, which the caller keeps, in "
                   << buffer.bytes << " arena bytes";
        continue;
      }
      if (graph.tensor(t).bytes() > buffer.bytes)
        report() << "buffer " << b << " of " << buffer.bytes << " bytes is too small for "
                 << tensor_name(graph, t) << " of " << graph.tensor(t).bytes() << " bytes";
    }
  }
  if (highest_end != plan.arena_bytes)
    report() << "arena_bytes " << plan.arena_bytes << " differs from the highest buffer end "
             << highest_end;

  // (b) Buffers alive at a common op must not share an address.
  for (int i = 0; i < n_buffers; ++i) {
    const Buffer& x = buffer_at(i);
    for (int j = i + 1; j < n_buffers; ++j) {
      const Buffer& y = buffer_at(j);
      const bool same_time = std::max(x.first_op, y.first_op) <= std::min(x.last_op, y.last_op);
      const bool same_place =
          x.bytes > 0 && y.bytes > 0 &&
          std::max(x.offset, y.offset) < std::min(x.offset + x.bytes, y.offset + y.bytes);
      if (same_time && same_place)
        report() << "buffers " << i << " [" << x.offset << ", " << x.offset + x.bytes << ") ops ["
                 << x.first_op << ", " << x.last_op << "] and " << j << " [" << y.offset << ", "
                 << y.offset + y.bytes << ") ops [" << y.first_op << ", " << y.last_op
                 << "] overlap";
    }
  }

  // (c) Lifetimes recomputed from the graph: producer (op 0 for inputs) through last consumer.
  std::vector<int> last_consumer(static_cast<size_t>(n_tensors), -1);
  for (int i = 0; i < n_ops; ++i) {
    const Op& op = graph.op(i);
    for (int t : {op.input, op.input2})
      if (t >= 0) last_consumer[static_cast<size_t>(t)] = i;
  }
  // Patch builds: every tile reads the input and writes its part of the stage output.
  const int assembled = patch_split > 0 ? graph.op(patch_split - 1).output : -1;
  std::vector<Span> needed(static_cast<size_t>(n_tensors));
  for (int t = 0; t < n_tensors; ++t) {
    Span& span = needed[static_cast<size_t>(t)];
    const bool across_tiles = t == assembled || graph.tensor(t).producer < 0;
    span.first = across_tiles ? 0 : graph.tensor(t).producer;
    span.last = std::max(span.first, last_consumer[static_cast<size_t>(t)]);
    if (across_tiles) span.last = std::max(span.last, patch_split - 1);
    if (t == graph.output()) span.last = final_op;
    const Buffer& buffer = buffer_at(plan.tensor_buffer[static_cast<size_t>(t)]);
    if (buffer.first_op > span.first || buffer.last_op < span.last)
      report() << tensor_name(graph, t) << " is needed during ops [" << span.first << ", "
               << span.last << "] but its buffer " << plan.tensor_buffer[static_cast<size_t>(t)]
               << " lives only during [" << buffer.first_op << ", " << buffer.last_op << "]";
  }

  // (d) A shared buffer is a chain: each tensor after the first is written by an in-place op
  // over its predecessor, which dies at that op and is neither the graph input nor its output.
  for (int b = 0; b < n_buffers; ++b) {
    std::vector<int> chain = buffer_at(b).tensors;
    if (chain.size() < 2) continue;
    std::sort(chain.begin(), chain.end(),
              [&](int x, int y) { return graph.tensor(x).producer < graph.tensor(y).producer; });
    for (size_t k = 1; k < chain.size(); ++k) {
      const int prev = chain[k - 1];
      const int t = chain[k];
      const int p = graph.tensor(t).producer;
      const std::string shared = "buffer " + std::to_string(b) + " shares " +
                                 tensor_name(graph, prev) + " and " + tensor_name(graph, t);
      if (p < 0) {
        report() << shared << ": two graph inputs";
        continue;
      }
      const Op& op = graph.op(p);
      if (op.type != OpType::kDepthwiseConv2d && op.type != OpType::kAdd) {
        report() << shared << ": op " << p << " (" << memory::to_string(op.type)
                 << ") cannot run in place";
        continue;
      }
      if (op.input != prev) {
        report() << shared << ": op " << p << " does not read the first as its in-place operand";
        continue;
      }
      if (t == assembled)
        report() << shared << ": the stage output is assembled tile by tile, never in place";
      if (graph.tensor(prev).producer < 0 || prev == graph.output())
        report() << shared << ": the graph input and output may not be overwritten";
      if (last_consumer[static_cast<size_t>(prev)] != p)
        report() << shared << ": the first is still read by op "
                 << last_consumer[static_cast<size_t>(prev)] << " after op " << p
                 << " overwrites it";
      const int64_t need = std::max(graph.tensor(prev).bytes(), graph.tensor(t).bytes());
      if (buffer_at(b).bytes < need)
        report() << shared << ": " << buffer_at(b).bytes << " bytes < max(in, out) = " << need;
    }
  }

  // (e) Scratch of the right size, alive exactly at its op; none where nothing is needed.
  for (int i = 0; i < n_ops; ++i) {
    const Op& op = graph.op(i);
    const bool in_place = op.type == OpType::kDepthwiseConv2d &&
                          plan.tensor_buffer[static_cast<size_t>(op.input)] ==
                              plan.tensor_buffer[static_cast<size_t>(op.output)];
    const int64_t need = needed_scratch(graph, op, in_place);
    int64_t have = 0;
    bool any = false;
    for (int b = 0; b < n_buffers; ++b) {
      const Buffer& buffer = buffer_at(b);
      if (buffer.kind != BufferKind::kScratch || buffer.owner_op != i) continue;
      any = true;
      if (buffer.first_op != i || buffer.last_op != i)
        report() << "scratch buffer " << b << " of op " << i << " lives during [" << buffer.first_op
                 << ", " << buffer.last_op << "], not exactly op " << i;
      else
        have = std::max(have, buffer.bytes);
    }
    if (need > 0 && have < need)
      report() << "op " << i << " " << op.name() << " needs " << need << " scratch bytes, has "
               << have;
    if (need == 0 && any)
      report() << "op " << i << " " << op.name() << " needs no scratch but has a scratch buffer";
  }

  // (f) The live-set bound over the lifetimes the buffers need (not the ones they claim).
  std::vector<int64_t> live(static_cast<size_t>(final_op) + 1, 0);
  for (int b = 0; b < n_buffers; ++b) {
    const Buffer& buffer = buffer_at(b);
    Span span;
    if (buffer.kind == BufferKind::kScratch)
      span = Span{buffer.owner_op, buffer.owner_op};
    else
      for (int t : buffer.tensors) span.add(needed[static_cast<size_t>(t)]);
    for (int op = span.first; op <= span.last; ++op) live[static_cast<size_t>(op)] += buffer.bytes;
  }
  const int64_t bound = *std::max_element(live.begin(), live.end());
  if (plan.lower_bound != bound)
    report() << "lower_bound " << plan.lower_bound << " differs from the recomputed live-set bound "
             << bound;
  if (plan.arena_bytes < bound)
    report() << "arena_bytes " << plan.arena_bytes << " is below the live-set bound " << bound;
  return report.take();
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

}  // namespace tinynas::testing
