// Sub-net extraction: the weights the supernet uses for one arch, cut to the sub-net's real sizes
// (middle channels, kernels after transformation, active blocks only) and named after the ops of
// the lowered graph, in memory::FloatWeights form (the engine's input; BN kept separate).
// LibTorch header: include only from supernet/ sources and tests.
//
//   memory::FloatWeights w = extract_weights(net, arch);   // net->set_active(arch) inside
//   memory::save_float_weights("subnet/", w);
#pragma once

#include "memory_model/float_weights.h"
#include "nas/arch.h"
#include "supernet/ofa_network.h"

namespace tinynas::supernet {

// Throws std::invalid_argument when arch is not a sub-net of net.
memory::FloatWeights extract_weights(OFANetwork& net, const nas::Arch& arch);

}  // namespace tinynas::supernet
