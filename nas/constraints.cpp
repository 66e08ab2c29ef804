#include "nas/constraints.h"

#include <cstdio>

#include "util/byte_size.h"

namespace tinynas::nas {

using util::format_byte_size;

namespace {

// 12,345,678 -> "12.35M"
std::string format_latency(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2fM", value / 1e6);
  return text;
}

}  // namespace

std::string Constraints::measure() const {
  return latency_model ? latency_model->measure() : "instructions";
}

std::string Constraints::violation(const ArchCost& cost) const {
  std::string text;
  if (cost.sram_bytes > sram_budget())
    text += "SRAM " + format_byte_size(cost.sram_bytes) + " + " +
            format_byte_size(reserved_sram_bytes) + " reserved > " + format_byte_size(sram_bytes);
  if (cost.flash_bytes > flash_budget())
    text += std::string(text.empty() ? "" : "; ") + "Flash " + format_byte_size(cost.flash_bytes) +
            " + " + format_byte_size(reserved_flash_bytes) + " reserved > " +
            format_byte_size(flash_bytes);
  if (latency_limit > 0 && cost.latency > latency_limit)
    text += std::string(text.empty() ? "" : "; ") + "latency " + format_latency(cost.latency) +
            " > " + format_latency(latency_limit) + " " + measure() + " (predicted)";
  return text;
}

std::string Constraints::describe() const {
  return "SRAM " + format_byte_size(sram_bytes) + " (" + format_byte_size(reserved_sram_bytes) +
         " reserved), Flash " + format_byte_size(flash_bytes) + " (" +
         format_byte_size(reserved_flash_bytes) + " reserved)" +
         (latency_limit > 0 ? ", latency " + format_latency(latency_limit) + " " + measure() : "");
}

}  // namespace tinynas::nas
