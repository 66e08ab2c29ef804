#include "engine/codegen/kernel_sources.h"

#include <stdexcept>

namespace tinynas::engine {

std::string_view kernel_source(const std::string& name) {
  for (const KernelSource& k : kernel_sources())
    if (name == k.name) return k.text;
  throw std::logic_error("kernel file '" + name + "' is not part of engine/kernels");
}

bool has_kernel_source(const std::string& name) {
  for (const KernelSource& k : kernel_sources())
    if (name == k.name) return true;
  return false;
}

}  // namespace tinynas::engine
