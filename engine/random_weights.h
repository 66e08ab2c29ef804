// Random float weights for any Graph, reproducible from a seed: He-style initialisation of convs
// and the classifier, and BatchNorm statistics that are far from identity (so folding is really
// exercised). For tests and `tinynas export --random-weights` (sizing and code generation without
// a trained supernet).
//
//   memory::FloatWeights w = random_float_weights(graph, /*seed=*/1);
#pragma once

#include <cstdint>

#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

// Layers named after the graph's ops, in op order; the arch field is left null for the caller.
memory::FloatWeights random_float_weights(const memory::Graph& graph, uint64_t seed);

}  // namespace tinynas::engine
