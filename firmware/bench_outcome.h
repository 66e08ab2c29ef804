// What a bench firmware run left behind (exit status, outputs.bin, stats.txt, console text), and
// the one function that turns it into measurements or a clear FirmwareError. Shared by every runner
// (QEMU now; a board runner reads the same harness protocol).
//
//   BenchOutcome o = run_qemu(run);
//   BenchMeasurement m = interpret_outcome(o, manifest, n);   // throws FirmwareError on any
//   failure m.outputs, m.stats.runs[i].ticks, m.stats.stack_peak_bytes
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/codegen/project_manifest.h"
#include "firmware/bench_stats.h"

namespace tinynas::firmware {

struct BenchOutcome {
  std::vector<std::string> command;  // how the firmware was run
  int exit_code = -1;
  bool timed_out = false;
  double timeout_s = 0;
  double seconds = 0;
  std::string console;          // the emulator's / probe tool's stdout and stderr
  bool has_outputs = false;     // outputs.bin existed
  std::vector<int8_t> outputs;  // its bytes
  bool has_stats = false;       // stats.txt existed
  std::string stats_text;
};

struct BenchMeasurement {
  std::vector<int8_t> outputs;  // inferences x output bytes, in input order
  BenchStats stats;
};

// Checks, in this order: timeout, the emulator's own failure, the harness's reported error (guards,
// stack, invoke, faults, file I/O), that the firmware's model sizes match the manifest
// (model.json), that every input was run and every output written. Throws FirmwareError with the
// matching kind (the message quotes the harness's error line and, for faults, the fault report on
// the console).
BenchMeasurement interpret_outcome(const BenchOutcome& outcome,
                                   const engine::ProjectManifest& manifest,
                                   int64_t expected_inferences);

}  // namespace tinynas::firmware
