// What every search-type command resolves before it starts: settings (defaults < --config < flags),
// the configs folder, the search space, the board with its SRAM / Flash overridden by --sram /
// --flash, the resulting constraints, and a writable output folder.
#pragma once

#include <string>

#include "cli/settings.h"
#include "memory_model/board.h"
#include "nas/constraints.h"
#include "nas/search_space.h"

namespace tinynas::cli {

struct RunContext {
  Settings settings;
  std::string config_dir;
  nas::SearchSpace space;
  memory::Board board;
  nas::Constraints constraints;
  std::string out_dir;
  bool quiet = false;
};

RunContext make_run_context(const Settings& settings, const std::string& config_dir, bool quiet);

// Creates the folder (default runs/<YYYYmmdd-HHMMSS>) and checks a file can be written there.
// Throws std::invalid_argument naming --out when it cannot.
std::string prepare_output_dir(const std::string& requested);

// Throws std::invalid_argument when even the smallest sub-net of the space (smallest resolution,
// width, depth, kernel and expansion) breaks the constraints, saying what it needs.
void require_feasible(const RunContext& context);

}  // namespace tinynas::cli
