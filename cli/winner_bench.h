// `tinynas search --bench`: the winner exported with random weights (latency does not depend on
// the weights' values) and run on the QEMU target of the board's core, plain build as `tinynas
// verify` measures it, so the report can set the measured latency beside the predicted one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "memory_model/board.h"

namespace tinynas::cli {

struct WinnerBench {
  std::string target;  // "qemu-m7"
  std::string model_dir;
  double instructions = 0;      // one inference, measured
  double estimated_cycles = 0;  // by the QEMU timing plugin; 0 when it gave none
  std::string no_cycles;        // why not, when estimated_cycles is 0
};

// Throws firmware::FirmwareError when a tool is missing or the build or run fails.
WinnerBench bench_winner(const std::string& arch_path, const std::string& space,
                         const memory::Board& board, const std::string& config_dir,
                         const std::string& out_dir, uint64_t seed);

// The bench in a latency model's measure ("instructions" or "estimated cycles"); 0 when it lacks
// that measure.
double bench_latency(const WinnerBench& bench, const std::string& measure);

}  // namespace tinynas::cli
