// Reads GNU ld's "does not fit" messages, so a model too big for the board is reported as "RAM
// overflowed by 46880 bytes (section .tinynas_arena)" instead of a wall of linker output.
//
//   ld: fw.elf section `.rodata' will not fit in region `FLASH'
//   ld: fw.elf section `.tinynas_arena' will not fit in region `RAM'
//   ld: region `FLASH' overflowed by 820500 bytes
//   ld: region `RAM' overflowed by 46880 bytes
//   -> {{"FLASH", 820500, {".rodata"}}, {"RAM", 46880, {".tinynas_arena"}}}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::firmware {

struct RegionOverflow {
  std::string region;                 // "RAM" or "FLASH" (the linker script's MEMORY names)
  int64_t overflow_bytes = 0;         // 0 when ld named the region but not the amount
  std::vector<std::string> sections;  // the sections ld said will not fit, in its order
};

// Every region ld reports as overflowing, in its order; empty when the output has no such message.
std::vector<RegionOverflow> find_region_overflows(const std::string& linker_output);

}  // namespace tinynas::firmware
