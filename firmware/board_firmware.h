// The bench firmware's board facts: the "firmware" object of configs/boards/NAME.json, read
// strictly (unknown keys and wrong types name the key), checked for consistency (the PLL must give
// the board's clock_hz) and turned into the -D flags that firmware/target/board_system.c and
// board_main.c compile with. No board value is written in code: a new board is a JSON file.
//
//   "firmware": {"clock_family": "stm32f7", "pll": {"m": 8, "n": 216, "p": 2, "q": 9, "r": 2},
//                "flash_wait_states": 7, "bus_dividers": {"ahb": 1, "apb1": 4, "apb2": 2},
//                "regulator_scale": 3, "overdrive": true, "art": true, "icache": true,
//                "dcache": true, "dwt_unlock": true,
//                "openocd_config": "board/stm32f746g-disco.cfg", "runners": ["pyocd", "openocd"]}
//
//   BoardFirmware fw = board_firmware(memory::load_board("stm32f746", configs));
//   std::vector<std::string> flags = board_firmware_defines(fw);   // -DHIL_CLOCK_FAMILY=2 ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/linker_script.h"
#include "memory_model/board.h"

namespace tinynas::firmware {

struct BoardFirmware {
  std::string board;         // the board's name
  std::string core;          // "cortex-m4" / "cortex-m7"
  int64_t clock_hz = 0;      // the core clock the startup code sets
  std::string clock_family;  // "none" (QEMU), "stm32f4", "stm32f7", "stm32h7", "nrf52"
  int pll_m = 0, pll_n = 0, pll_p = 0, pll_q = 0, pll_r = 0;  // STM32 families
  int flash_wait_states = 0;
  int ahb_div = 1, apb1_div = 1, apb2_div = 1;
  int regulator_scale = 3;
  bool overdrive = false;
  bool art = false;
  bool icache = false;
  bool dcache = false;
  bool dwt_unlock = false;
  std::string openocd_config;        // "board/stm32f746g-disco.cfg"
  std::string pyocd_target;          // from the board's pyocd_target
  std::string qemu_machine;          // from the board's qemu_machine (runner qemu)
  std::vector<std::string> runners;  // auto-detection order: "qemu", "pyocd", "openocd"
  MemoryLayout layout;               // the board's flash_region / ram_region
  uint32_t result_address = 0;       // the result block: the RAM origin
};

// Throws std::invalid_argument naming the board and the key when the "firmware" object is missing
// or wrong, or when the PLL does not give clock_hz.
BoardFirmware board_firmware(const memory::Board& board, int64_t stack_bytes = 8192);

// The core clock the PLL settings give (HSI 16 MHz on STM32F4/F7, 64 MHz on STM32H7; nRF52: 64
// MHz; "none": clock_hz as given).
int64_t pll_output_hz(const BoardFirmware& fw);

// -DHIL_CLOCK_FAMILY=.. -DHIL_PLL_M=.. ... -DHIL_CLOCK_HZ=.. -DHIL_DWT_UNLOCK=..
std::vector<std::string> board_firmware_defines(const BoardFirmware& fw);

}  // namespace tinynas::firmware
