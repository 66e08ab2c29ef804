// Runs a bench firmware ELF in qemu-system-arm (-icount shift=0, semihosting to a run folder) and
// collects what it left: exit status, outputs.bin, stats.txt and the console text. Interpreting
// them (guards, faults, output sizes) is bench_outcome's job; this file only runs QEMU.
//
//   QemuRun run;
//   run.machine = "mps2-an386";  run.elf = "work/fw.elf";  run.run_dir = "work/run";
//   run.inputs = bytes;          run.timeout_s = 60;
//   BenchOutcome o = run_qemu(run);      // throws FirmwareError(kToolMissing) without QEMU
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/bench_outcome.h"

namespace tinynas::firmware {

struct QemuRun {
  std::string qemu = "qemu-system-arm";
  std::string machine;  // -M value, e.g. "mps2-an386"
  std::string elf;
  std::string
      run_dir;  // created; inputs.bin is written here, outputs.bin and stats.txt appear here
  std::vector<int8_t> inputs;
  int icount_shift = 0;
  double timeout_s = 60;
  // -plugin value ("FILE,key=value,..."), empty for none: the cycle-estimate plugin
  // (timing_plugin.h), which writes its report into run_dir.
  std::string plugin;
};

// The QEMU command line for `run` (for logs and reports).
std::vector<std::string> qemu_command(const QemuRun& run);

BenchOutcome run_qemu(const QemuRun& run);

}  // namespace tinynas::firmware
