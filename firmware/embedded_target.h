// The firmware target sources (firmware/target/: startup, fault handlers, semihosting, SysTick
// timer, guards, the bench harness's main and the linker script template), compiled into the
// library at build time so that firmware can be built from an installed tinynas without the source
// tree. firmware_build writes them into the build folder before compiling.
//
//   for (const EmbeddedFile& f : embedded_target_files()) write(dir / f.name, f.text);
//   const EmbeddedFile& ld = embedded_target_file("tinynas_fw.ld.in");
#pragma once

#include <string>
#include <vector>

namespace tinynas::firmware {

struct EmbeddedFile {
  const char* name;  // file name inside firmware/target/, e.g. "startup.c"
  const char* text;
};

// Every file of firmware/target/, in a fixed order.
const std::vector<EmbeddedFile>& embedded_target_files();

// The file called `name`; throws std::logic_error when there is none (a build mistake).
const EmbeddedFile& embedded_target_file(const std::string& name);

}  // namespace tinynas::firmware
