// The firmware's memory layout and the linker script made from it: firmware/target/tinynas_fw.ld.in
// with the board's Flash and RAM (origin and size) and the stack reserve filled in. Because the
// sizes are the real board's, a model whose weights or arena do not fit fails at link time.
//
//   MemoryLayout layout = qemu_memory_layout(find_qemu_target("qemu-m4"), board);
//   write_file(dir / "fw.ld", render_linker_script(layout));
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "firmware/qemu_target.h"
#include "memory_model/board.h"

namespace tinynas::firmware {

struct MemoryLayout {
  uint32_t flash_origin = 0;
  int64_t flash_bytes = 0;
  uint32_t ram_origin = 0;
  int64_t ram_bytes = 0;
  // Reserved at the top of RAM for the stack (the harness needs a few hundred bytes; kernels more).
  int64_t stack_bytes = 8192;
};

// The target's memory map with the board's sram_bytes / flash_bytes (the target's default board
// when `board` is empty). Throws std::invalid_argument when the board's memories exceed what the
// emulated machine has, or are not positive.
MemoryLayout qemu_memory_layout(const QemuTarget& target, const std::optional<memory::Board>& board,
                                int64_t stack_bytes = 8192);

// The linker script text. Throws std::invalid_argument for a layout with non-positive sizes.
std::string render_linker_script(const MemoryLayout& layout);

}  // namespace tinynas::firmware
