// Arch -> Graph: the network a sub-net really is, layer by layer, for the cost model, the
// scheduler and the code generator: the layers of nas::network_topology (nas/network_topology.h,
// where the block rules live) in order, an identity add after each block that has a shortcut, then
// global average pooling and the linear classifier.
#pragma once

#include "memory_model/graph.h"
#include "nas/arch.h"
#include "nas/search_space.h"

namespace tinynas::nas {

// Fills graph (cleared first; reusing one Graph avoids allocations in the search's hot loop).
// arch must be valid for space (see validate()).
void lower(const Arch& arch, const SearchSpace& space, memory::Graph& graph);
memory::Graph lower(const Arch& arch, const SearchSpace& space);

}  // namespace tinynas::nas
