// The C kernel library (engine/kernels/ref and arm, *.c and *.h) compiled into the tinynas
// executable as text, so `tinynas export` can copy the kernels a model uses into its project from
// anywhere. File names are unique across both folders (a project is flat).
//
//   std::string_view text = kernel_source("tn_conv.c");   // throws std::logic_error if unknown
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tinynas::engine {

struct KernelSource {
  const char* name;  // file name, e.g. "tn_conv.c"
  std::string_view text;
};

const std::vector<KernelSource>& kernel_sources();
std::string_view kernel_source(const std::string& name);
bool has_kernel_source(const std::string& name);

}  // namespace tinynas::engine
