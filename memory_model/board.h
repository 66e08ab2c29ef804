// A target board: its memories, the part of them the firmware itself needs (stack, runtime,
// harness, code), and how to run on it. Loaded from configs/boards/NAME.json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace tinynas::memory {

struct MemoryRegion {
  uint32_t origin = 0;
  int64_t length = 0;
};

struct Board {
  std::string name;
  std::string core;  // "cortex-m4" or "cortex-m7"
  int64_t sram_bytes = 0;
  int64_t flash_bytes = 0;
  int64_t clock_hz = 0;
  int64_t reserved_sram_bytes = 0;   // stack + runtime + harness, not available to the arena
  int64_t reserved_flash_bytes = 0;  // startup, kernels, runtime code
  std::string runner;                // "qemu", "pyocd" or "openocd"
  std::string qemu_machine;          // e.g. "mps2-an386" (runner qemu)
  std::string pyocd_target;          // e.g. "stm32f412xg" (runner pyocd)
  MemoryRegion flash_region;         // linker MEMORY layout
  MemoryRegion ram_region;
  // The optional "firmware" object: how the bench firmware brings the board up (clock family, PLL,
  // Flash wait states, caches) and which probe tools reach it. Kept as JSON here and read strictly
  // by firmware/board_firmware.h, which owns its keys; null when the file has none. Not part of
  // board_to_json (reports name the board; its bring-up is the firmware's business).
  nlohmann::json firmware;

  // What the model itself may use.
  int64_t model_sram_budget() const { return sram_bytes - reserved_sram_bytes; }
  int64_t model_flash_budget() const { return flash_bytes - reserved_flash_bytes; }
};

// Throws std::invalid_argument naming the field on malformed input.
Board board_from_json(const nlohmann::json& json, const std::string& context);
nlohmann::json board_to_json(const Board& board);

// name_or_path: a name under <config_dir>/boards/ ("stm32f746") or a path to a .json file. An
// unknown name lists the boards that exist.
Board load_board(const std::string& name_or_path, const std::string& config_dir);

}  // namespace tinynas::memory
