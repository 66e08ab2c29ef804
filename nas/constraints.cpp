#include "nas/constraints.h"

#include "util/byte_size.h"

namespace tinynas::nas {

using util::format_byte_size;

std::string Constraints::violation(const ArchCost& cost) const {
  std::string text;
  if (cost.sram_bytes > sram_budget())
    text += "SRAM " + format_byte_size(cost.sram_bytes) + " + " +
            format_byte_size(reserved_sram_bytes) + " reserved > " + format_byte_size(sram_bytes);
  if (cost.flash_bytes > flash_budget())
    text += std::string(text.empty() ? "" : "; ") + "Flash " + format_byte_size(cost.flash_bytes) +
            " + " + format_byte_size(reserved_flash_bytes) + " reserved > " +
            format_byte_size(flash_bytes);
  return text;
}

std::string Constraints::describe() const {
  return "SRAM " + format_byte_size(sram_bytes) + " (" + format_byte_size(reserved_sram_bytes) +
         " reserved), Flash " + format_byte_size(flash_bytes) + " (" +
         format_byte_size(reserved_flash_bytes) + " reserved)";
}

}  // namespace tinynas::nas
