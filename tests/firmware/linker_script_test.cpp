// Tests of the memory layout and the rendered linker script: board sizes on the emulator's map.
#include "firmware/linker_script.h"

#include <gtest/gtest.h>

#include "firmware/qemu_target.h"

namespace tinynas::firmware {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LinkerScript, UsesTheBoardsSizesOnTheMps2Map) {
  memory::Board board;
  board.name = "stm32f746";
  board.sram_bytes = 320 * 1024;
  board.flash_bytes = 1024 * 1024;
  board.flash_region = {0x08000000u, 1024 * 1024};  // the real chip's map: not used on QEMU
  const MemoryLayout layout = qemu_memory_layout(find_qemu_target("qemu-m7"), board, 4096);
  EXPECT_EQ(layout.flash_origin, 0u);
  EXPECT_EQ(layout.ram_origin, 0x20000000u);
  EXPECT_EQ(layout.ram_bytes, 320 * 1024);
  const std::string script = render_linker_script(layout);
  EXPECT_TRUE(contains(script, "FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 1048576")) << script;
  EXPECT_TRUE(contains(script, "RAM (rwx)  : ORIGIN = 0x20000000, LENGTH = 327680")) << script;
  EXPECT_TRUE(contains(script, "__tinynas_stack_bytes = 4096;"));
  EXPECT_TRUE(contains(script, "KEEP(*(.tinynas_arena))"));
  EXPECT_FALSE(contains(script, "@"));
}

TEST(LinkerScript, DefaultsToTheTargetsRealBoard) {
  const MemoryLayout m4 = qemu_memory_layout(find_qemu_target("qemu-m4"), std::nullopt);
  EXPECT_EQ(m4.ram_bytes, 256 * 1024);
  EXPECT_EQ(m4.flash_bytes, 1024 * 1024);
}

// configs/boards/qemu-m4.json and qemu-m7.json describe the same memories as the target table.
TEST(LinkerScript, QemuBoardFilesAgreeWithTheTargets) {
  for (const std::string& name : qemu_target_names()) {
    const QemuTarget& target = find_qemu_target(name);
    const memory::Board board = memory::load_board(name, TINYNAS_TEST_CONFIG_DIR);
    EXPECT_EQ(board.core, target.core) << name;
    EXPECT_EQ(board.runner, "qemu") << name;
    EXPECT_EQ(board.qemu_machine, target.machine) << name;
    EXPECT_EQ(board.sram_bytes, target.default_ram_bytes) << name;
    EXPECT_EQ(board.flash_bytes, target.default_flash_bytes) << name;
    EXPECT_EQ(board.ram_region.origin, target.ram_origin) << name;
    EXPECT_EQ(board.flash_region.origin, target.flash_origin) << name;
    EXPECT_EQ(board.clock_hz, target.systick_hz) << name;
  }
}

TEST(LinkerScript, RejectsABoardBiggerThanTheEmulatedMemory) {
  memory::Board board;
  board.name = "huge";
  board.sram_bytes = 8 * 1024 * 1024;
  board.flash_bytes = 1024 * 1024;
  EXPECT_THROW(qemu_memory_layout(find_qemu_target("qemu-m4"), board), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::firmware
