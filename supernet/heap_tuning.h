// Keeps freed memory in the process instead of handing it back to the kernel at every free().
// LibTorch allocates each activation and gradient with malloc. glibc serves blocks above its mmap
// threshold (adaptive, at most 32 MiB) with fresh mmap()ed pages and unmaps them at free(), so a
// training step or a BN re-calibration pass, which allocates and frees the same large tensors
// batch after batch, pays the kernel to map and zero-fill them every time. Raising the threshold
// and the trim limit makes such blocks come from the reused heap: on this machine it cut the
// supernet benchmark's system time about 6x (docs/benchmarks.md). The cost is that the process
// keeps its peak heap until it exits, which training and search processes do anyway.
#pragma once

namespace tinynas::supernet {

// Idempotent; does nothing with a C library other than glibc.
void keep_freed_memory_in_process();

}  // namespace tinynas::supernet
