// tinynas config: the experiment settings schema for the user. `defaults` prints every setting at
// its default as an experiment file to start from (as clang-format --dump-config does), `keys`
// the reference of every key, `show FILE` what a --config FILE amounts to after strict reading.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/settings.h"

namespace tinynas::cli {

int config_command(int argc, char** argv) {
  static constexpr const char* kUsage =
      "usage: tinynas config <action>\n"
      "  defaults     print every setting at its default, as an experiment JSON file\n"
      "  keys         every key of an experiment file: type, default and meaning\n"
      "  show FILE    read FILE as --config does (strictly) and print all resulting settings\n"
      "\n"
      "example:\n"
      "  tinynas config defaults > my.json   # edit, then: tinynas search --config my.json\n";
  if (argc < 2) {
    std::fputs(kUsage, stderr);  // a missing action is an error: usage on stderr, exit 2
    return 2;
  }
  const std::string action = argv[1];
  if (action == "-h" || action == "--help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const int operands = argc - 2;
  if (action == "defaults" || action == "keys") {
    if (operands != 0)
      throw std::invalid_argument("tinynas config " + action + " takes no arguments");
    if (action == "keys")
      std::fputs(settings_reference().c_str(), stdout);
    else
      std::printf("%s\n", default_settings_json().dump(2).c_str());
    return 0;
  }
  if (action == "show") {
    if (operands != 1) throw std::invalid_argument("tinynas config show needs one FILE");
    Settings settings;
    apply_experiment_file(argv[2], settings);
    std::printf("%s\n", settings_to_json(settings).dump(2).c_str());
    return 0;
  }
  throw std::invalid_argument("unknown config action '" + action + "' (defaults, keys, show)");
}

}  // namespace tinynas::cli
