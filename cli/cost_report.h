// The detailed cost of one arch as JSON (the `tinynas cost --json` contract, also result.json's
// "cost"): totals, the scheduler's arena beside MCUNet's naive rule and the live-set bound, and
// per-layer and per-block SRAM from the same plan the code generator uses.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "nas/arch.h"
#include "nas/constraints.h"
#include "nas/search_space.h"

namespace tinynas::cli {

struct BlockMemory {
  int block = 0;  // -1: layers outside MBConv blocks (stem before, head after)
  std::string name;
  int64_t peak_bytes = 0;  // max over the block's layers of the bytes alive
};

nlohmann::json cost_report(const nas::Arch& arch, const nas::SearchSpace& space,
                           const std::optional<nas::Constraints>& constraints);

// Peak live bytes per block, in execution order: "stem", "b0", "b1", ..., "head".
std::vector<BlockMemory> block_memory(const nas::Arch& arch, const nas::SearchSpace& space);

}  // namespace tinynas::cli
