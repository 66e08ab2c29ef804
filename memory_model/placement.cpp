#include "memory_model/placement.h"

#include <algorithm>
#include <limits>

namespace tinynas::memory {
namespace {

bool sorted_by_first_op(const std::vector<LiveBuffer>& buffers) {
  for (size_t i = 1; i < buffers.size(); ++i)
    if (buffers[i].first_op < buffers[i - 1].first_op) return false;
  return true;
}

// Calls visit(a, b) once for every pair of buffers whose lifetimes intersect. 'sweep' lists the
// buffer indices by first_op, so the buffers that start during a's lifetime follow a directly.
template <typename Visit>
void for_each_conflict(const std::vector<LiveBuffer>& buffers, const int* sweep, Visit visit) {
  const int n = static_cast<int>(buffers.size());
  for (int s = 0; s < n; ++s) {
    const int a = sweep[s];
    const int last = buffers[static_cast<size_t>(a)].last_op;
    for (int t = s + 1; t < n && buffers[static_cast<size_t>(sweep[t])].first_op <= last; ++t)
      visit(a, sweep[t]);
  }
}

int bits_for(size_t n) {
  int bits = 1;
  while ((size_t{1} << bits) < n) ++bits;
  return bits;
}

}  // namespace

void build_conflicts(const std::vector<LiveBuffer>& buffers, ConflictLists* conflicts,
                     std::vector<int>* work) {
  const size_t n = buffers.size();
  work->resize(n);
  int* sweep = work->data();
  for (size_t i = 0; i < n; ++i) sweep[i] = static_cast<int>(i);
  if (!sorted_by_first_op(buffers)) {
    std::sort(sweep, sweep + n, [&](int a, int b) {
      const int fa = buffers[static_cast<size_t>(a)].first_op;
      const int fb = buffers[static_cast<size_t>(b)].first_op;
      return fa < fb || (fa == fb && a < b);
    });
  }

  // Two sweeps (count, then fill) instead of storing the pairs: a sweep costs about as much as
  // writing a pair list would.
  std::vector<int>& begin = conflicts->begin;
  begin.assign(n + 1, 0);
  int pairs = 0;
  for_each_conflict(buffers, sweep, [&](int a, int b) {
    ++begin[static_cast<size_t>(a) + 1];
    ++begin[static_cast<size_t>(b) + 1];
    ++pairs;
  });
  for (size_t i = 0; i < n; ++i) begin[i + 1] += begin[i];
  conflicts->index.resize(2 * static_cast<size_t>(pairs));
  // begin[i] serves as the fill cursor of row i, which leaves it at the start of row i + 1.
  int* index = conflicts->index.data();
  for_each_conflict(buffers, sweep, [&](int a, int b) {
    index[begin[static_cast<size_t>(a)]++] = b;
    index[begin[static_cast<size_t>(b)]++] = a;
  });
  for (size_t i = n; i > 0; --i) begin[i] = begin[i - 1];
  begin[0] = 0;
}

void live_bytes_per_op(const std::vector<LiveBuffer>& buffers, std::vector<int64_t>* live) {
  int last = -1;
  for (const LiveBuffer& b : buffers) last = std::max(last, b.last_op);
  // Difference array, then prefix sums in place.
  live->assign(static_cast<size_t>(last) + 2, 0);
  int64_t* at = live->data();
  for (const LiveBuffer& b : buffers) {
    at[std::max(b.first_op, 0)] += b.bytes;
    at[b.last_op + 1] -= b.bytes;
  }
  for (int op = 1; op <= last; ++op) at[op] += at[op - 1];
  live->pop_back();
}

int64_t live_set_lower_bound(const std::vector<LiveBuffer>& buffers) {
  std::vector<int64_t> live;
  live_bytes_per_op(buffers, &live);
  return live.empty() ? 0 : *std::max_element(live.begin(), live.end());
}

void make_order(const std::vector<LiveBuffer>& buffers, PlacementOrder kind,
                const std::vector<int64_t>& live, std::vector<int>* order,
                std::vector<uint64_t>* work) {
  const size_t n = buffers.size();
  order->resize(n);
  if (n == 0) return;
  std::vector<uint64_t>& keys = *work;
  keys.resize(n);
  const bool descending = kind != PlacementOrder::kStartAsc;
  for (size_t i = 0; i < n; ++i) {
    const LiveBuffer& b = buffers[i];
    const auto bytes = static_cast<uint64_t>(b.bytes);
    const auto lifetime = static_cast<uint64_t>(b.last_op - b.first_op + 1);
    uint64_t key = 0;
    switch (kind) {
      case PlacementOrder::kSizeDesc:
        key = bytes;
        break;
      case PlacementOrder::kLifetimeDesc:
        key = lifetime;
        break;
      case PlacementOrder::kAreaDesc:
        key = bytes * lifetime;
        break;
      case PlacementOrder::kStartAsc:
        key = static_cast<uint64_t>(b.first_op);
        break;
      case PlacementOrder::kBusiestOpFirst:
        for (int op = std::max(b.first_op, 0); op <= b.last_op; ++op)
          key = std::max(key, static_cast<uint64_t>(live[static_cast<size_t>(op)]));
        break;
    }
    keys[i] = key;
  }

  // Buffers sorted by first_op (as the scheduler makes them) break ties by index alone. Then one
  // packed word per buffer, (key, index), sorts as plain integers: several times faster than an
  // indirect comparator at these sizes. It needs the key to leave room for the index.
  const int bits = bits_for(n);
  uint64_t max_key = 0;
  for (uint64_t k : keys) max_key = std::max(max_key, k);
  if (sorted_by_first_op(buffers) && max_key < (uint64_t{1} << (63 - bits))) {
    for (size_t i = 0; i < n; ++i)
      keys[i] = ((descending ? max_key - keys[i] : keys[i]) << bits) | static_cast<uint64_t>(i);
    std::sort(keys.begin(), keys.end());
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    for (size_t i = 0; i < n; ++i) (*order)[i] = static_cast<int>(keys[i] & mask);
    return;
  }
  for (size_t i = 0; i < n; ++i) (*order)[i] = static_cast<int>(i);
  std::sort(order->begin(), order->end(), [&](int a, int b) {
    const uint64_t ka = keys[static_cast<size_t>(a)];
    const uint64_t kb = keys[static_cast<size_t>(b)];
    if (ka != kb) return descending ? ka > kb : ka < kb;
    const int fa = buffers[static_cast<size_t>(a)].first_op;
    const int fb = buffers[static_cast<size_t>(b)].first_op;
    if (fa != fb) return fa < fb;
    return a < b;
  });
}

int64_t place_greedy(const std::vector<LiveBuffer>& buffers, const ConflictLists& conflicts,
                     const std::vector<int>& order, int64_t give_up_at,
                     std::vector<int64_t>* offsets, std::vector<AddressRange>* work) {
  const size_t n = buffers.size();
  offsets->assign(n, -1);
  if (work->size() < n) work->resize(n);
  int64_t* offset = offsets->data();
  AddressRange* placed = work->data();
  const int* begin = conflicts.begin.data();
  const int* index = conflicts.index.data();
  int64_t arena = 0;
  for (const int b : order) {
    // The placed buffers that b must avoid, sorted by address (insertion sort: a handful).
    int m = 0;
    for (int p = begin[b]; p < begin[b + 1]; ++p) {
      const int j = index[p];
      const int64_t o = offset[j];
      if (o < 0) continue;
      const AddressRange r{o, o + buffers[static_cast<size_t>(j)].bytes};
      int k = m++;
      while (k > 0 && placed[k - 1].begin > r.begin) {
        placed[k] = placed[k - 1];
        --k;
      }
      placed[k] = r;
    }

    const int64_t size = buffers[static_cast<size_t>(b)].bytes;
    int64_t at = 0;
    for (int k = 0; k < m; ++k) {
      if (at + size <= placed[k].begin) break;
      at = std::max(at, placed[k].end);
    }
    offset[b] = at;
    arena = std::max(arena, at + size);
    if (arena >= give_up_at) return arena;
  }
  return arena;
}

PlacementResult Placer::place(const std::vector<LiveBuffer>& buffers) {
  PlacementResult result;
  if (buffers.empty()) {
    best_offsets_.clear();
    return result;
  }
  build_conflicts(buffers, &conflicts_, &int_work_);
  live_bytes_per_op(buffers, &live_);
  result.lower_bound = live_.empty() ? 0 : *std::max_element(live_.begin(), live_.end());
  result.arena_bytes = std::numeric_limits<int64_t>::max();
  for (size_t s = 0; s < kPlacementStrategies.size(); ++s) {
    make_order(buffers, kPlacementStrategies[s].order, live_, &order_, &key_work_);
    const int64_t arena =
        place_greedy(buffers, conflicts_, order_, result.arena_bytes, &offsets_, &range_work_);
    if (arena < result.arena_bytes) {
      result.arena_bytes = arena;
      result.strategy = static_cast<int>(s);
      offsets_.swap(best_offsets_);
    }
    if (result.arena_bytes <= result.lower_bound) break;  // nothing can do better
  }
  return result;
}

}  // namespace tinynas::memory
