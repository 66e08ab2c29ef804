// `--latency` (search.latency): a limit on one inference, as milliseconds at the board's clock
// ("250ms", "0.25s", "900us") or as cycles ("12M", "12Mcycles", "12000000cycles"), turned into
// the latency model's measure, and the model that predicts it: --latency-model FILE, or the
// shipped configs/latency/<QEMU target>.json of the board's core.
//
// The shipped models predict Cortex-M cycles as the QEMU timing plugin estimates them from Arm's
// timing tables (not yet calibrated on a board). A model of QEMU instruction counts (`tinynas
// latency build --measure instructions`) is read at one cycle per instruction
// (kAssumedCyclesPerInstruction), and every figure from it says so.
#pragma once

#include <memory>
#include <string>

#include "memory_model/board.h"
#include "nas/latency_model.h"

namespace tinynas::cli {

inline constexpr double kAssumedCyclesPerInstruction = 1.0;

struct LatencyLimit {
  double ms = 0;      // > 0 when given in time
  double cycles = 0;  // > 0 when given in cycles
};

// Throws std::invalid_argument naming --latency: not a positive number with a known unit.
LatencyLimit parse_latency_limit(const std::string& text);

// The limit in cycles of `board`: ms at its clock_hz (a board without one throws), or as given.
double latency_limit_cycles(const LatencyLimit& limit, const memory::Board& board);

// The QEMU target a board's latency is measured on: itself for qemu-m4 / qemu-m7, else the target
// of its core (cortex-m7: qemu-m7, cortex-m4: qemu-m4). Throws for other cores.
std::string qemu_target_for(const memory::Board& board);

// The latency model file for a board: `explicit_path` when given, else
// <config_dir>/latency/<qemu_target_for(board)>.json. Loads it and checks it was measured on the
// board's QEMU target; throws std::invalid_argument naming the file otherwise.
std::shared_ptr<const nas::LatencyModel> load_board_latency_model(const memory::Board& board,
                                                                  const std::string& explicit_path,
                                                                  const std::string& config_dir);

// Cycles per unit of a model's measure: 1 for "estimated cycles", kAssumedCyclesPerInstruction
// for "instructions".
double cycles_per_unit(const std::string& measure);

// A latency in a model's measure -> ms at the board's clock; 0 without a clock.
double latency_ms(double latency, const std::string& measure, const memory::Board& board);

// How a figure in `measure` was turned into time: "estimated" or "1 cycle per instruction".
std::string latency_basis(const std::string& measure);

}  // namespace tinynas::cli
