#include "supernet/extract.h"

#include "nas/lowering.h"

namespace tinynas::supernet {

memory::FloatWeights extract_weights(OFANetwork& net, const nas::Arch& arch) {
  net->set_active(arch);
  memory::FloatWeights w;
  w.arch = nas::arch_to_json(arch);
  w.layers = net->active_weights();
  // The names and shapes must be exactly what the lowered graph expects.
  memory::check_weights_match(nas::lower(arch, net->space()), w);
  return w;
}

}  // namespace tinynas::supernet
