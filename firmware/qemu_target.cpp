#include "firmware/qemu_target.h"

#include <stdexcept>

namespace tinynas::firmware {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * 1024;

// Memory maps from QEMU 7.2 `info mtree` (the monitor command, on Debian 12's QEMU): SSRAM1 at 0 (4
// MiB, the "Flash" the ELF is loaded into) and SSRAM2/3 at 0x20000000 (4 MiB).
const std::vector<QemuTarget>& targets() {
  static const std::vector<QemuTarget> all = [] {
    QemuTarget m4;
    m4.name = "qemu-m4";
    m4.machine = "mps2-an386";
    m4.core = "cortex-m4";
    m4.flash_origin = 0x00000000u;
    m4.ram_origin = 0x20000000u;
    m4.machine_flash_bytes = 4 * kMiB;
    m4.machine_ram_bytes = 4 * kMiB;
    m4.default_board = "stm32f412";
    m4.default_flash_bytes = 1 * kMiB;
    m4.default_ram_bytes = 256 * kKiB;
    m4.systick_hz = 25000000;
    m4.icount_shift = 0;
    QemuTarget m7 = m4;
    m7.name = "qemu-m7";
    m7.machine = "mps2-an500";
    m7.core = "cortex-m7";
    m7.default_board = "stm32f746";
    m7.default_ram_bytes = 320 * kKiB;
    return std::vector<QemuTarget>{m4, m7};
  }();
  return all;
}

}  // namespace

int64_t QemuTarget::instructions_per_tick() const {
  return 1000000000LL / ((int64_t{1} << icount_shift) * systick_hz);
}

const QemuTarget& find_qemu_target(const std::string& name) {
  for (const QemuTarget& t : targets())
    if (t.name == name) return t;
  std::string known;
  for (const QemuTarget& t : targets()) known += (known.empty() ? "" : ", ") + t.name;
  throw std::invalid_argument("unknown firmware target '" + name + "' (expected one of: " + known +
                              ")");
}

std::vector<std::string> qemu_target_names() {
  std::vector<std::string> names;
  for (const QemuTarget& t : targets()) names.push_back(t.name);
  return names;
}

std::vector<std::string> cpu_flags(const std::string& core) {
  if (core == "cortex-m4")
    return {"-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-mthumb"};
  if (core == "cortex-m7")
    return {"-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-mthumb"};
  throw std::invalid_argument("unsupported core '" + core +
                              "' (expected \"cortex-m4\" or \"cortex-m7\")");
}

}  // namespace tinynas::firmware
