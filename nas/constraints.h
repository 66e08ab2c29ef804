// What a sub-net must satisfy to run on the target: its scheduled SRAM arena plus the board's
// reserved SRAM within the SRAM size, its weights plus the reserved Flash within the Flash size,
// and, with a latency limit, its latency as the latency model predicts it within the limit. Every
// search builds its CostModel with latency_model, so the limit sees the prediction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "memory_model/board.h"
#include "nas/arch_cost.h"
#include "nas/latency_model.h"

namespace tinynas::nas {

struct Constraints {
  Constraints() = default;
  Constraints(int64_t sram, int64_t flash, int64_t reserved_sram, int64_t reserved_flash)
      : sram_bytes(sram),
        flash_bytes(flash),
        reserved_sram_bytes(reserved_sram),
        reserved_flash_bytes(reserved_flash) {}

  int64_t sram_bytes = 0;  // the device's totals
  int64_t flash_bytes = 0;
  int64_t reserved_sram_bytes = 0;  // firmware's share: stack, runtime, code
  int64_t reserved_flash_bytes = 0;
  // 0: no limit; else in the latency model's measure (instructions of one inference).
  double latency_limit = 0;
  std::shared_ptr<const LatencyModel> latency_model;  // set whenever latency_limit is

  static Constraints for_board(const memory::Board& board) {
    return {board.sram_bytes, board.flash_bytes, board.reserved_sram_bytes,
            board.reserved_flash_bytes};
  }
  int64_t sram_budget() const { return sram_bytes - reserved_sram_bytes; }
  int64_t flash_budget() const { return flash_bytes - reserved_flash_bytes; }

  bool fits(const ArchCost& cost) const {
    return cost.sram_bytes <= sram_budget() && cost.flash_bytes <= flash_budget() &&
           (latency_limit <= 0 || cost.latency <= latency_limit);
  }
  // Empty when the cost fits; otherwise what exceeds which limit, in words.
  std::string violation(const ArchCost& cost) const;
  // "SRAM 320K (16K reserved), Flash 1M (64K reserved)[, latency 12.5M instructions]"
  std::string describe() const;
  std::string measure() const;  // the latency model's measure: "instructions"
};

}  // namespace tinynas::nas
