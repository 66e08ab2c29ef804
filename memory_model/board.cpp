#include "memory_model/board.h"

#include <cstdlib>

#include "util/json_reader.h"

namespace tinynas::memory {

using util::ObjectReader;
using util::read_json_file;
using util::resolve_named_config;
namespace {

MemoryRegion region_from_json(ObjectReader& parent, const std::string& key) {
  ObjectReader r(parent.at(key), parent.context() + " " + key);
  MemoryRegion region;
  // Addresses read best in hex, which JSON numbers cannot hold: accept "0x08000000" too.
  const nlohmann::json& value = r.at("origin");
  int64_t origin = -1;
  if (value.is_number_integer()) {
    origin = value.get<int64_t>();
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    char* end = nullptr;
    origin = static_cast<int64_t>(std::strtoll(text.c_str(), &end, 0));
    if (text.empty() || *end != '\0') origin = -1;
  }
  if (origin < 0 || origin > 0xFFFFFFFFLL)
    r.fail("origin", "must be a 32-bit address (an integer or a string such as \"0x20000000\")");
  region.origin = static_cast<uint32_t>(origin);
  region.length = r.size("length");
  r.finish();
  return region;
}

}  // namespace

Board board_from_json(const nlohmann::json& json, const std::string& context) {
  ObjectReader r(json, context);
  Board b;
  b.name = r.get<std::string>("name");
  b.core = r.get<std::string>("core");
  if (b.core != "cortex-m4" && b.core != "cortex-m7")
    r.fail("core", "must be \"cortex-m4\" or \"cortex-m7\", got \"" + b.core + "\"");
  b.sram_bytes = r.size("sram_bytes");
  b.flash_bytes = r.size("flash_bytes");
  b.clock_hz = r.get<int64_t>("clock_hz");
  if (b.clock_hz <= 0) r.fail("clock_hz", "must be positive");
  b.reserved_sram_bytes = r.optional_size("reserved_sram_bytes", 0);
  b.reserved_flash_bytes = r.optional_size("reserved_flash_bytes", 0);
  if (b.reserved_sram_bytes >= b.sram_bytes)
    r.fail("reserved_sram_bytes", "must be smaller than sram_bytes");
  if (b.reserved_flash_bytes >= b.flash_bytes)
    r.fail("reserved_flash_bytes", "must be smaller than flash_bytes");
  b.runner = r.get<std::string>("runner");
  if (b.runner != "qemu" && b.runner != "pyocd" && b.runner != "openocd")
    r.fail("runner", "must be \"qemu\", \"pyocd\" or \"openocd\", got \"" + b.runner + "\"");
  b.qemu_machine = r.optional<std::string>("qemu_machine", "");
  b.pyocd_target = r.optional<std::string>("pyocd_target", "");
  if (b.runner == "qemu" && b.qemu_machine.empty())
    r.fail("qemu_machine", "is required when runner is \"qemu\"");
  b.flash_region = region_from_json(r, "flash_region");
  b.ram_region = region_from_json(r, "ram_region");
  if (r.has("firmware")) {
    b.firmware = r.at("firmware");
    if (!b.firmware.is_object()) r.fail("firmware", "must be an object");
  }
  r.finish();
  return b;
}

nlohmann::json board_to_json(const Board& b) {
  return {{"name", b.name},
          {"core", b.core},
          {"sram_bytes", b.sram_bytes},
          {"flash_bytes", b.flash_bytes},
          {"clock_hz", b.clock_hz},
          {"reserved_sram_bytes", b.reserved_sram_bytes},
          {"reserved_flash_bytes", b.reserved_flash_bytes},
          {"runner", b.runner},
          {"qemu_machine", b.qemu_machine},
          {"pyocd_target", b.pyocd_target},
          {"flash_region", {{"origin", b.flash_region.origin}, {"length", b.flash_region.length}}},
          {"ram_region", {{"origin", b.ram_region.origin}, {"length", b.ram_region.length}}}};
}

Board load_board(const std::string& name_or_path, const std::string& config_dir) {
  const std::string path = resolve_named_config(name_or_path, config_dir, "boards", "board");
  return board_from_json(read_json_file(path), "board " + path);
}

}  // namespace tinynas::memory
