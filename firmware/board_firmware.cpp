#include "firmware/board_firmware.h"

#include <stdexcept>

#include "util/json_reader.h"

namespace tinynas::firmware {
namespace {

int family_code(const std::string& family) {
  if (family == "none") return 0;
  if (family == "stm32f4") return 1;
  if (family == "stm32f7") return 2;
  if (family == "stm32h7") return 3;
  if (family == "nrf52") return 4;
  return -1;
}

bool is_stm32(const std::string& family) {
  return family == "stm32f4" || family == "stm32f7" || family == "stm32h7";
}

}  // namespace

BoardFirmware board_firmware(const memory::Board& board, int64_t stack_bytes) {
  const std::string context = "board '" + board.name + "' firmware";
  if (board.firmware.is_null())
    throw std::invalid_argument("board '" + board.name +
                                "' has no \"firmware\" section (clock, wait states, caches, "
                                "probe tools), so tinynas bench cannot build for it");
  util::ObjectReader r(board.firmware, context);
  BoardFirmware fw;
  fw.board = board.name;
  fw.core = board.core;
  fw.clock_hz = board.clock_hz;
  fw.pyocd_target = board.pyocd_target;
  fw.qemu_machine = board.qemu_machine;
  fw.clock_family = r.get<std::string>("clock_family");
  if (family_code(fw.clock_family) < 0)
    r.fail("clock_family", "must be one of none, stm32f4, stm32f7, stm32h7, nrf52, got \"" +
                               fw.clock_family + "\"");
  if (is_stm32(fw.clock_family)) {
    util::ObjectReader pll(r.at("pll"), context + " pll");
    fw.pll_m = pll.get<int>("m");
    fw.pll_n = pll.get<int>("n");
    fw.pll_p = pll.get<int>("p");
    fw.pll_q = pll.get<int>("q");
    fw.pll_r = pll.get<int>("r");
    pll.finish();
    if (fw.pll_m <= 0 || fw.pll_n <= 0 || fw.pll_p <= 0 || fw.pll_q <= 0 || fw.pll_r <= 0)
      r.fail("pll", "m, n, p, q and r must be positive");
    if (fw.clock_family != "stm32h7" && fw.pll_p % 2 != 0)
      r.fail("pll", "p must be 2, 4, 6 or 8 on STM32F4 / F7");
    util::ObjectReader bus(r.at("bus_dividers"), context + " bus_dividers");
    fw.ahb_div = bus.get<int>("ahb");
    fw.apb1_div = bus.get<int>("apb1");
    fw.apb2_div = bus.get<int>("apb2");
    bus.finish();
    for (int div : {fw.ahb_div, fw.apb1_div, fw.apb2_div})
      if (div != 1 && div != 2 && div != 4 && div != 8 && div != 16)
        r.fail("bus_dividers", "each divider must be 1, 2, 4, 8 or 16");
    fw.regulator_scale = r.get<int>("regulator_scale");
    fw.overdrive = r.get<bool>("overdrive");
  }
  fw.flash_wait_states = r.get<int>("flash_wait_states");
  if (fw.flash_wait_states < 0 || fw.flash_wait_states > 15)
    r.fail("flash_wait_states", "must be 0..15");
  fw.art = r.optional<bool>("art", false);
  fw.icache = r.optional<bool>("icache", false);
  fw.dcache = r.optional<bool>("dcache", false);
  fw.dwt_unlock = r.optional<bool>("dwt_unlock", false);
  if (fw.dcache && fw.core != "cortex-m7")
    r.fail("dcache", "is a Cortex-M7 cache; this board's core is " + fw.core);
  if (fw.icache && fw.core != "cortex-m7" && fw.clock_family != "nrf52")
    r.fail("icache", "is the Cortex-M7 or the nRF52 NVMC cache (STM32F4: use \"art\")");
  fw.openocd_config = r.optional<std::string>("openocd_config", "");
  fw.runners = r.get<std::vector<std::string>>("runners");
  if (fw.runners.empty()) r.fail("runners", "must name at least one of qemu, pyocd, openocd");
  for (const std::string& runner : fw.runners) {
    if (runner != "qemu" && runner != "pyocd" && runner != "openocd")
      r.fail("runners",
             "must hold only \"qemu\", \"pyocd\" or \"openocd\", got \"" + runner + "\"");
    if (runner == "openocd" && fw.openocd_config.empty())
      r.fail("openocd_config", "is required when runners has \"openocd\"");
    if (runner == "pyocd" && fw.pyocd_target.empty())
      r.fail("runners", "has \"pyocd\" but the board has no pyocd_target");
    if (runner == "qemu" && fw.qemu_machine.empty())
      r.fail("runners", "has \"qemu\" but the board has no qemu_machine");
  }
  r.finish();
  if (fw.clock_family != "none" && pll_output_hz(fw) != fw.clock_hz)
    throw std::invalid_argument(context + ": the clock settings give " +
                                std::to_string(pll_output_hz(fw)) + " Hz, but clock_hz is " +
                                std::to_string(fw.clock_hz));
  fw.layout.flash_origin = board.flash_region.origin;
  fw.layout.flash_bytes = board.flash_region.length;
  fw.layout.ram_origin = board.ram_region.origin;
  fw.layout.ram_bytes = board.ram_region.length;
  fw.layout.stack_bytes = stack_bytes;
  if (fw.layout.flash_bytes <= 0 || fw.layout.ram_bytes <= 0)
    throw std::invalid_argument(context + ": flash_region and ram_region need positive lengths");
  fw.result_address = fw.layout.ram_origin;
  return fw;
}

int64_t pll_output_hz(const BoardFirmware& fw) {
  if (fw.clock_family == "stm32f4" || fw.clock_family == "stm32f7")
    return 16000000LL / fw.pll_m * fw.pll_n / fw.pll_p / fw.ahb_div;
  if (fw.clock_family == "stm32h7") return 64000000LL / fw.pll_m * fw.pll_n / fw.pll_p;
  if (fw.clock_family == "nrf52") return 64000000LL;
  return fw.clock_hz;
}

std::vector<std::string> board_firmware_defines(const BoardFirmware& fw) {
  auto def = [](const std::string& name, int64_t value) {
    return "-D" + name + "=" + std::to_string(value);
  };
  std::vector<std::string> flags = {
      def("HIL_CLOCK_FAMILY", family_code(fw.clock_family)),
      def("HIL_CLOCK_HZ", fw.clock_hz),
      def("HIL_FLASH_WAIT_STATES", fw.flash_wait_states),
      def("HIL_ENABLE_ART", fw.art),
      def("HIL_ENABLE_ICACHE", fw.icache),
      def("HIL_ENABLE_DCACHE", fw.dcache),
      def("HIL_DWT_UNLOCK", fw.dwt_unlock),
      def("HIL_CORE_M7", fw.core == "cortex-m7"),
      "-DHIL_TIMER_TRY_DWT",
  };
  if (is_stm32(fw.clock_family)) {
    for (const auto& [name, value] : {std::pair<const char*, int>{"HIL_PLL_M", fw.pll_m},
                                      {"HIL_PLL_N", fw.pll_n},
                                      {"HIL_PLL_P", fw.pll_p},
                                      {"HIL_PLL_Q", fw.pll_q},
                                      {"HIL_PLL_R", fw.pll_r},
                                      {"HIL_AHB_DIV", fw.ahb_div},
                                      {"HIL_APB1_DIV", fw.apb1_div},
                                      {"HIL_APB2_DIV", fw.apb2_div},
                                      {"HIL_VOS", fw.regulator_scale},
                                      {"HIL_OVERDRIVE", fw.overdrive ? 1 : 0}})
      flags.push_back(def(name, value));
  }
  return flags;
}

}  // namespace tinynas::firmware
