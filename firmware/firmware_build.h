// Builds the bench firmware for one model project: writes the embedded harness sources and the
// board's linker script into a build folder, compiles every .c file of the model together with the
// harness in one arm-none-eabi-gcc call (C99, -O2, -Wall -Wextra -Werror, --gc-sections, newlib
// nano
// + rdimon semihosting), and reads the ELF's section sizes.
//
//   BuildRequest req;
//   req.model_dir = "model/";  req.build_dir = "work/";  req.core = "cortex-m4";
//   req.layout = qemu_memory_layout(find_qemu_target("qemu-m4"), board);
//   BuildResult b = build_firmware(req);         // b.elf_path, b.sizes.rodata, ...
//
// Failures throw FirmwareError: kToolMissing, kCompileFailed, kDoesNotFit (with region and
// overflow_bytes: "RAM overflowed by 46880 bytes"), kLinkFailed. A bad request throws
// std::invalid_argument.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "firmware/linker_script.h"
#include "firmware/section_sizes.h"
#include "firmware/tools.h"

namespace tinynas::firmware {

// How model.c must declare its arena for the guards to work (passed with -D by build_firmware).
inline constexpr const char* kArenaAttributesDefine =
    "-DTINYNAS_ARENA_ATTRIBUTES=__attribute__((section(\".tinynas_arena\"),aligned(8)))";

struct BuildRequest {
  std::string model_dir;  // the generated project: model.h, model.c, weights.c, kernels
  std::string build_dir;  // created if needed; gets harness/, fw.ld, fw.elf, fw.map
  std::string core = "cortex-m4";
  MemoryLayout layout;
  std::string optimization = "-O2";
  // More compiler flags (defines, -O3 experiments), after the standard ones.
  std::vector<std::string> extra_cflags;
  // Files of model_dir (names relative to it) not to compile, e.g. a demo main.c.
  std::vector<std::string> exclude_sources;
  // The harness: false = the semihosting bench harness (bench_main.c, startup.c; QEMU only);
  // true = the board harness (board_main.c, board_startup.c, board_system.c: no C library start-up,
  // no semihosting unless -DHIL_QEMU_EXIT, newlib nano + nosys), compiled first on its own with
  // -ffreestanding; the model is compiled as for QEMU.
  bool board_harness = false;
  // More C files written into the harness folder and compiled (name, text), e.g. the board
  // harness's input.
  std::vector<std::pair<std::string, std::string>> generated_sources;
  ArmTools tools;
};

struct BuildResult {
  std::string elf_path;
  std::string map_path;
  std::string linker_script_path;
  std::vector<std::string> sources;  // every compiled .c file
  std::vector<std::string> command;  // the compiler call
  SectionSizes sizes;
  std::string log;  // compiler / linker output (warnings are errors, so usually empty)
  double seconds = 0;
};

BuildResult build_firmware(const BuildRequest& request);

}  // namespace tinynas::firmware
