// tinynas cost ARCH.json: the price of one sub-net (MACs, params, Flash, scheduled SRAM).
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/config_dir.h"
#include "cli/cost_report.h"
#include "cli/options.h"
#include "memory_model/board.h"
#include "nas/arch.h"
#include "nas/constraints.h"
#include "util/byte_size.h"
#include "util/json_reader.h"

namespace tinynas::cli {

using util::format_byte_size;

int cost_command(int argc, char** argv) {
  cxxopts::Options options("tinynas cost",
                           "Cost of one sub-net: MACs, params, Flash and the scheduled SRAM "
                           "arena (the buffer the generated code allocates).");
  options.positional_help("ARCH.json");
  options.add_options()("arch", "arch JSON file", cxxopts::value<std::string>())(
      "board", "check against this board (configs/boards/)", cxxopts::value<std::string>())(
      "space", "require the arch to belong to this space", cxxopts::value<std::string>())(
      "json", "print one JSON object (the cost contract)")(
      "config-dir", "folder holding spaces/ and boards/", cxxopts::value<std::string>())(
      "h,help", "show this help");
  options.parse_positional({"arch"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("arch")) throw std::invalid_argument("tinynas cost needs an ARCH.json file");

  const std::string config_dir = config_dir_option(parsed);
  const nas::ArchFile file = nas::load_arch_file(
      parsed["arch"].as<std::string>(),
      parsed.count("space") ? parsed["space"].as<std::string>() : "", config_dir);
  const nas::Arch& arch = file.arch;
  const nas::SearchSpace& space = file.space;

  std::optional<nas::Constraints> constraints;
  if (parsed.count("board"))
    constraints = nas::Constraints::for_board(
        memory::load_board(parsed["board"].as<std::string>(), config_dir));
  nlohmann::json report = cost_report(arch, space, constraints);
  report["arch"] = nas::arch_to_json(arch);

  if (parsed.count("json")) {
    std::printf("%s\n", report.dump(2).c_str());
    return 0;
  }
  std::printf("%s\n", arch.summary().c_str());
  std::printf("%-22s %-18s %-14s %-14s %12s %10s %10s\n", "layer", "type", "in", "out", "MACs",
              "params", "SRAM");
  for (const auto& l : report["layers"]) {
    const auto shape = [](const nlohmann::json& s) {
      return std::to_string(s[0].get<int>()) + "x" + std::to_string(s[1].get<int>()) + "x" +
             std::to_string(s[2].get<int>());
    };
    std::printf("%-22s %-18s %-14s %-14s %12lld %10lld %10s\n",
                l["name"].get<std::string>().c_str(), l["type"].get<std::string>().c_str(),
                shape(l["in_shape"]).c_str(), shape(l["out_shape"]).c_str(),
                static_cast<long long>(l["macs"].get<int64_t>()),
                static_cast<long long>(l["params"].get<int64_t>()),
                format_byte_size(l["sram_bytes"].get<int64_t>()).c_str());
  }
  std::printf("\nMACs %lld  params %lld  Flash %s\n",
              static_cast<long long>(report["macs"].get<int64_t>()),
              static_cast<long long>(report["params"].get<int64_t>()),
              format_byte_size(report["flash_bytes"].get<int64_t>()).c_str());
  std::printf("SRAM %s scheduled (%s placement; live-set lower bound %s; naive in+out %s)\n",
              format_byte_size(report["sram_bytes"].get<int64_t>()).c_str(),
              report["sram_placement"].get<std::string>().c_str(),
              format_byte_size(report["sram_lower_bound"].get<int64_t>()).c_str(),
              format_byte_size(report["sram_bytes_naive"].get<int64_t>()).c_str());
  if (constraints)
    std::printf("Board: %s\n",
                report["fits"].get<bool>()
                    ? ("fits (" + constraints->describe() + ")").c_str()
                    : ("does not fit: " + report["violation"].get<std::string>()).c_str());
  return 0;
}

}  // namespace tinynas::cli
