#include "firmware/section_sizes.h"

#include <sstream>
#include <stdexcept>

namespace tinynas::firmware {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// Sections that occupy no target memory.
bool is_host_only(const std::string& name) {
  return starts_with(name, ".debug") || name == ".comment" || name == ".ARM.attributes";
}

}  // namespace

SectionSizes parse_section_sizes(const std::string& size_output) {
  SectionSizes sizes;
  std::istringstream lines(size_output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name;
    long long size = 0;
    unsigned long long address = 0;
    // Section lines are "NAME SIZE ADDR"; the header, "Total" and the file name line are not.
    if (!(fields >> name >> size >> address) || name.empty() || name[0] != '.') continue;
    sizes.sections[name] = size;
    if (is_host_only(name)) continue;
    if (name == ".isr_vector") {
      sizes.vectors += size;
    } else if (name == ".text") {
      sizes.text += size;
    } else if (name == ".rodata") {
      sizes.rodata += size;
    } else if (name == ".data") {
      sizes.data += size;
    } else if (name == ".bss") {
      sizes.bss += size;
    } else if (name == ".tinynas_arena") {
      sizes.arena_section += size;
    } else if (name == ".tinynas_result") {
      sizes.result_block += size;
    } else if (name == ".stack") {
      sizes.stack += size;
    } else {
      sizes.other_flash += size;
    }
  }
  if (sizes.sections.empty())
    throw std::runtime_error("no section sizes in the output of arm-none-eabi-size -A");
  return sizes;
}

nlohmann::json section_sizes_to_json(const SectionSizes& s) {
  return {{"vectors", s.vectors},
          {"text", s.text},
          {"rodata", s.rodata},
          {"data", s.data},
          {"bss", s.bss},
          {"arena_section", s.arena_section},
          {"stack", s.stack},
          {"result_block", s.result_block},
          {"other_flash", s.other_flash},
          {"flash_bytes", s.flash_bytes()},
          {"ram_bytes", s.ram_bytes()}};
}

}  // namespace tinynas::firmware
