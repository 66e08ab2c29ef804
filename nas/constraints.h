// What a sub-net must satisfy to run on the target: its scheduled SRAM arena plus the board's
// reserved SRAM within the SRAM size, and its weights plus the reserved Flash within the Flash
// size.
#pragma once

#include <cstdint>
#include <string>

#include "memory_model/board.h"
#include "nas/arch_cost.h"

namespace tinynas::nas {

struct Constraints {
  int64_t sram_bytes = 0;  // the device's totals
  int64_t flash_bytes = 0;
  int64_t reserved_sram_bytes = 0;  // firmware's share: stack, runtime, code
  int64_t reserved_flash_bytes = 0;

  static Constraints for_board(const memory::Board& board) {
    return {board.sram_bytes, board.flash_bytes, board.reserved_sram_bytes,
            board.reserved_flash_bytes};
  }
  int64_t sram_budget() const { return sram_bytes - reserved_sram_bytes; }
  int64_t flash_budget() const { return flash_bytes - reserved_flash_bytes; }

  bool fits(const ArchCost& cost) const {
    return cost.sram_bytes <= sram_budget() && cost.flash_bytes <= flash_budget();
  }
  // Empty when the cost fits; otherwise what exceeds which limit, in words.
  std::string violation(const ArchCost& cost) const;
  std::string describe() const;  // "SRAM 320K (16K reserved), Flash 1M (64K reserved)"
};

}  // namespace tinynas::nas
