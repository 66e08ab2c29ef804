// Analytic cost of a Graph: multiply-accumulates, parameters, the Flash its int8 weights need,
// and MCUNet's naive per-layer SRAM rule (for comparison with the scheduler's real plan).
#pragma once

#include <cstdint>
#include <vector>

#include "memory_model/graph.h"

namespace tinynas::memory {

// Flash layout of one weighted layer: int8 weights, then per output channel an int32 bias and the
// requantisation pair (int32 fixed-point multiplier, int32 shift) of the TFLite int8 spec.
inline constexpr int64_t kBiasBytes = 4;
inline constexpr int64_t kRequantBytesPerChannel = 8;

struct OpCost {
  int64_t macs = 0;
  int64_t params = 0;       // weights + biases after BN folding
  int64_t flash_bytes = 0;  // int8 weights + int32 bias + requantisation parameters
};

struct GraphCost {
  int64_t macs = 0;
  int64_t params = 0;
  int64_t flash_bytes = 0;       // model data only; a board's reserved Flash comes on top
  int64_t sram_bytes_naive = 0;  // MCUNet's rule, see sram_naive()
};

OpCost op_cost(const Graph& graph, const Op& op);
GraphCost graph_cost(const Graph& graph);

// MCUNet's analytic peak: per op, the bytes of its inputs and output plus every other tensor that
// is alive across it (the block input while a residual block runs); the maximum over ops.
std::vector<int64_t> sram_naive_per_op(const Graph& graph);
int64_t sram_naive(const Graph& graph);

}  // namespace tinynas::memory
