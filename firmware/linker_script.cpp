#include "firmware/linker_script.h"

#include <cstdio>
#include <stdexcept>

#include "firmware/embedded_target.h"

namespace tinynas::firmware {
namespace {

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08X", static_cast<unsigned>(value));
  return text;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

MemoryLayout qemu_memory_layout(const QemuTarget& target, const std::optional<memory::Board>& board,
                                int64_t stack_bytes) {
  MemoryLayout layout;
  layout.flash_origin = target.flash_origin;
  layout.ram_origin = target.ram_origin;
  layout.flash_bytes = board ? board->flash_bytes : target.default_flash_bytes;
  layout.ram_bytes = board ? board->sram_bytes : target.default_ram_bytes;
  layout.stack_bytes = stack_bytes;
  const std::string who = board ? "board '" + board->name + "'" : "target '" + target.name + "'";
  if (layout.flash_bytes <= 0 || layout.ram_bytes <= 0)
    throw std::invalid_argument(who + ": flash and SRAM sizes must be positive");
  if (layout.flash_bytes > target.machine_flash_bytes)
    throw std::invalid_argument(who + ": flash_bytes " + std::to_string(layout.flash_bytes) +
                                " exceeds the " + std::to_string(target.machine_flash_bytes) +
                                " bytes that " + target.machine + " emulates");
  if (layout.ram_bytes > target.machine_ram_bytes)
    throw std::invalid_argument(who + ": sram_bytes " + std::to_string(layout.ram_bytes) +
                                " exceeds the " + std::to_string(target.machine_ram_bytes) +
                                " bytes that " + target.machine + " emulates");
  return layout;
}

std::string render_linker_script(const MemoryLayout& layout) {
  if (layout.flash_bytes <= 0 || layout.ram_bytes <= 0 || layout.stack_bytes <= 0)
    throw std::invalid_argument("memory layout: flash, RAM and stack sizes must be positive");
  std::string text = embedded_target_file("tinynas_fw.ld.in").text;
  replace_all(text, "@FLASH_ORIGIN@", hex32(layout.flash_origin));
  replace_all(text, "@FLASH_LEN@", std::to_string(layout.flash_bytes));
  replace_all(text, "@RAM_ORIGIN@", hex32(layout.ram_origin));
  replace_all(text, "@RAM_LEN@", std::to_string(layout.ram_bytes));
  replace_all(text, "@STACK_BYTES@", std::to_string(layout.stack_bytes));
  return text;
}

}  // namespace tinynas::firmware
