// Section sizes of a linked firmware ELF, from `arm-none-eabi-size -A` (System V format), summed
// into what a user asks: how much Flash the code and the weights take and how much RAM is used.
//
//   SectionSizes s = parse_section_sizes(run_tool({"arm-none-eabi-size", "-A", "fw.elf"}, o).out);
//   s.text, s.rodata (weights), s.data, s.bss, s.arena_section, s.flash_bytes(), s.ram_bytes()
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace tinynas::firmware {

struct SectionSizes {
  // Every section the ELF has (debug sections included), by name.
  std::map<std::string, int64_t> sections;
  int64_t vectors = 0;        // .isr_vector
  int64_t text = 0;           // .text: code of the model, the kernels, the harness and libc
  int64_t rodata = 0;         // .rodata: the weights and other constants
  int64_t data = 0;           // .data: initialised RAM, its image is also in Flash
  int64_t bss = 0;            // .bss: zeroed RAM (the harness's and libc's state)
  int64_t arena_section = 0;  // .tinynas_arena: the model's arena plus the two guard zones
  int64_t stack = 0;          // .stack: the reserve at the top of RAM
  int64_t result_block = 0;   // .tinynas_result: the board bench's result block (RAM)
  int64_t other_flash = 0;    // .ARM.exidx, init arrays, ...

  // Bytes of Flash the image takes: vectors + text + rodata + data + other_flash.
  int64_t flash_bytes() const { return vectors + text + rodata + data + other_flash; }
  // Bytes of RAM reserved at link time: result_block + data + bss + arena_section + stack.
  int64_t ram_bytes() const { return result_block + data + bss + arena_section + stack; }
};

// Parses `size -A` output. Throws std::runtime_error when no section line is found.
SectionSizes parse_section_sizes(const std::string& size_output);

// {"text":..., "rodata":..., "data":..., "bss":..., "arena_section":..., "stack":...,
//  "flash_bytes":..., "ram_bytes":...}
nlohmann::json section_sizes_to_json(const SectionSizes& sizes);

}  // namespace tinynas::firmware
