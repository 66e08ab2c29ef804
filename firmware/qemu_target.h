// The emulated targets firmware can run on: QEMU's MPS2 boards with a Cortex-M4 (mps2-an386) and a
// Cortex-M7 (mps2-an500). A target fixes the machine, the compiler's CPU flags, where Flash and RAM
// start on the machine's memory map, and how a SysTick tick converts to instructions. The SIZES of
// Flash and RAM come from a real board (QEMU gives 4 MiB of each and would hide an overflow): by
// default the board the target stands for (qemu-m4: STM32F412, 1 MiB / 256 KiB; qemu-m7: STM32F746,
// 1 MiB / 320 KiB), or the caller's memory::Board.
//
//   const QemuTarget& t = find_qemu_target("qemu-m4");
//   t.machine                      "mps2-an386"
//   t.instructions_per_tick()      40 (-icount shift=0: 1 ns per instruction; SysTick at 25 MHz)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::firmware {

struct QemuTarget {
  std::string name;     // "qemu-m4"
  std::string machine;  // QEMU -M value
  std::string core;     // "cortex-m4" / "cortex-m7"
  uint32_t flash_origin = 0;
  uint32_t ram_origin = 0;
  int64_t machine_flash_bytes = 0;  // what the emulated memory at each origin holds
  int64_t machine_ram_bytes = 0;
  std::string default_board;        // the real board whose limits apply by default
  int64_t default_flash_bytes = 0;  // that board's Flash and SRAM
  int64_t default_ram_bytes = 0;
  int64_t systick_hz = 0;  // SysTick's processor clock on the machine
  int icount_shift = 0;    // QEMU -icount shift: 2^shift ns of virtual time per instruction

  // Instructions per SysTick tick: 1e9 / (2^icount_shift * systick_hz) (40 on mps2, shift 0).
  int64_t instructions_per_tick() const;
};

// Throws std::invalid_argument listing the known targets when `name` is not one of them.
const QemuTarget& find_qemu_target(const std::string& name);
std::vector<std::string> qemu_target_names();

// arm-none-eabi-gcc flags for a core: -mcpu, -mfpu, -mfloat-abi=hard, -mthumb. Throws
// std::invalid_argument for a core other than "cortex-m4" / "cortex-m7".
std::vector<std::string> cpu_flags(const std::string& core);

}  // namespace tinynas::firmware
