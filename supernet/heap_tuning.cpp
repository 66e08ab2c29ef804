#include "supernet/heap_tuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tinynas::supernet {

void keep_freed_memory_in_process() {
#if defined(__GLIBC__)
  constexpr int kOneGiB = 1 << 30;
  mallopt(M_MMAP_THRESHOLD, kOneGiB);  // blocks up to 1 GiB come from the heap
  mallopt(M_TRIM_THRESHOLD, kOneGiB);  // and freed ones stay there for the next batch
#endif
}

}  // namespace tinynas::supernet
