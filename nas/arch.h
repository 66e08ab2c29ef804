// One sub-network of a search space: resolution, width multiplier and, per stage, the kernel and
// expansion of each active block (depth = list length). Its JSON form is the Arch contract users
// and tests rely on (docs/ARCHITECTURE.md); validate() rejects anything outside its space with a
// message naming the field.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/search_space.h"

namespace tinynas::nas {

struct BlockArch {
  int kernel = 3;
  int expand = 6;
  bool operator==(const BlockArch& o) const { return kernel == o.kernel && expand == o.expand; }
};

struct StageArch {
  std::vector<BlockArch> blocks;
  int depth() const { return static_cast<int>(blocks.size()); }
  bool operator==(const StageArch& o) const { return blocks == o.blocks; }
};

struct Arch {
  std::string space;
  int resolution = 0;
  double width_mult = 1.0;
  int num_classes = 0;
  std::vector<StageArch> stages;

  bool operator==(const Arch& o) const;
  bool operator!=(const Arch& o) const { return !(*this == o); }
  // Compact one-line form for logs: "R160 W0.5 | k5e3 k7e6 | ...".
  std::string summary() const;
};

// Parses the JSON form (field errors name the field); does not check the space: see validate().
Arch arch_from_json(const nlohmann::json& json, const std::string& context);
nlohmann::json arch_to_json(const Arch& arch);

// Throws std::invalid_argument naming the field when arch is not a sub-net of space.
void validate(const Arch& arch, const SearchSpace& space);

// An arch file and the space it belongs to, checked against each other.
struct ArchFile {
  Arch arch;
  SearchSpace space;
};
// Reads the arch at path and loads its space: space_override (a name or a .json path) or else
// the space the arch names, from config_dir. Throws std::invalid_argument naming the file and the
// field for an unreadable file, an unknown space, or an arch outside its space.
ArchFile load_arch_file(const std::string& path, const std::string& space_override,
                        const std::string& config_dir);

// Width multipliers are decimals in JSON; compare them with this tolerance.
bool same_width(double a, double b);

}  // namespace tinynas::nas
