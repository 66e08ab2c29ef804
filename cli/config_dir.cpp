#include "cli/config_dir.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace tinynas::cli {
namespace fs = std::filesystem;

namespace {

bool is_config_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "spaces", ec) && fs::is_directory(dir / "boards", ec);
}

}  // namespace

std::string find_config_dir(const std::string& explicit_dir) {
  std::vector<fs::path> candidates;
  if (!explicit_dir.empty()) {
    if (!is_config_dir(explicit_dir))
      throw std::invalid_argument("--config-dir '" + explicit_dir +
                                  "' does not contain spaces/ and boards/");
    return explicit_dir;
  }
  if (const char* env = std::getenv("TINYNAS_CONFIGS"); env && *env) candidates.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path bin = exe.parent_path();
    candidates.push_back(bin / "../configs");     // <prefix>/bin + <prefix>/configs
    candidates.push_back(bin / "../../configs");  // build/cli/tinynas in a source checkout
    candidates.push_back(bin / "../share/tinynas/configs");  // installed
  }
#ifdef TINYNAS_SOURCE_CONFIGS
  candidates.emplace_back(TINYNAS_SOURCE_CONFIGS);
#endif
  std::string looked;
  for (const fs::path& dir : candidates) {
    if (is_config_dir(dir)) return fs::weakly_canonical(dir).string();
    looked += (looked.empty() ? "" : ", ") + dir.string();
  }
  throw std::invalid_argument("cannot find the configs folder (looked in: " + looked +
                              "); pass --config-dir or set TINYNAS_CONFIGS");
}

}  // namespace tinynas::cli
