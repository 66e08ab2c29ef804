// Finds the configs/ folder (spaces/, boards/, experiments/): --config-dir, then $TINYNAS_CONFIGS,
// then next to the executable (build tree or install prefix), then the source tree it was built
// from.
#pragma once

#include <string>

namespace tinynas::cli {

// Throws std::invalid_argument naming the places it looked when none holds spaces/ and boards/.
std::string find_config_dir(const std::string& explicit_dir);

}  // namespace tinynas::cli
