// Arch -> Graph: the network a sub-net really is, layer by layer, for the cost model, the
// scheduler and the code generator. Stem conv (ReLU6), the fixed first block (depthwise, linear
// 1x1, no residual), MBConv blocks (1x1 expand + ReLU6 unless e = 1, kxk depthwise + ReLU6,
// linear 1x1 project, identity add when stride 1 and channels match), the optional feature-mix
// 1x1 (ReLU6), global average pooling and the linear classifier.
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
