#include "memory_model/memory_plan.h"

namespace tinynas::memory {

std::vector<int64_t> live_bytes_per_op(const MemoryPlan& plan, int num_ops) {
  std::vector<int64_t> live(static_cast<size_t>(num_ops), 0);
  for (const Buffer& b : plan.buffers)
    for (int op = b.first_op; op <= b.last_op && op < num_ops; ++op)
      live[static_cast<size_t>(op)] += b.bytes;
  return live;
}

}  // namespace tinynas::memory
