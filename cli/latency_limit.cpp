#include "cli/latency_limit.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace tinynas::cli {

namespace {

[[noreturn]] void bad_limit(const std::string& text) {
  throw std::invalid_argument("--latency '" + text +
                              "': expected a positive time at the board's clock (250ms, 0.25s, "
                              "900us) or cycles (12M, 12Mcycles, 12000000cycles)");
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

LatencyLimit parse_latency_limit(const std::string& text) {
  std::string rest = text;
  double time_scale = 0;  // ms per unit when a time
  double cycle_scale = 0;
  for (const auto& [suffix, ms] : {std::pair<const char*, double>{"ms", 1.0}, {"us", 1e-3}}) {
    if (time_scale == 0 && ends_with(rest, suffix)) {
      time_scale = ms;
      rest.resize(rest.size() - 2);
    }
  }
  if (time_scale == 0 && ends_with(rest, "s") && !ends_with(rest, "cycles")) {
    time_scale = 1000;
    rest.resize(rest.size() - 1);
  }
  if (time_scale == 0) {
    if (ends_with(rest, "cycles")) rest.resize(rest.size() - 6);
    cycle_scale = 1;
    if (ends_with(rest, "M")) cycle_scale = 1e6;
    if (ends_with(rest, "K") || ends_with(rest, "k")) cycle_scale = 1e3;
    if (cycle_scale > 1) rest.resize(rest.size() - 1);
  }
  if (rest.empty()) bad_limit(text);
  char* end = nullptr;
  const double value = std::strtod(rest.c_str(), &end);
  if (end != rest.c_str() + rest.size() || !std::isfinite(value) || value <= 0) bad_limit(text);
  LatencyLimit limit;
  if (time_scale > 0)
    limit.ms = value * time_scale;
  else
    limit.cycles = value * cycle_scale;
  return limit;
}

double latency_limit_cycles(const LatencyLimit& limit, const memory::Board& board) {
  if (limit.cycles > 0) return limit.cycles;
  if (board.clock_hz <= 0)
    throw std::invalid_argument("--latency in time needs the board's clock, and board " +
                                board.name + " has no clock_hz: give the limit in cycles");
  return limit.ms * 1e-3 * static_cast<double>(board.clock_hz);
}

std::string qemu_target_for(const memory::Board& board) {
  if (board.name == "qemu-m4" || board.name == "qemu-m7") return board.name;
  if (board.core == "cortex-m7") return "qemu-m7";
  if (board.core == "cortex-m4") return "qemu-m4";
  throw std::invalid_argument("board " + board.name + ": core '" + board.core +
                              "' has no QEMU target to measure latency on (cortex-m4, cortex-m7)");
}

std::shared_ptr<const nas::LatencyModel> load_board_latency_model(const memory::Board& board,
                                                                  const std::string& explicit_path,
                                                                  const std::string& config_dir) {
  const std::string target = qemu_target_for(board);
  const std::string path =
      explicit_path.empty() ? config_dir + "/latency/" + target + ".json" : explicit_path;
  if (!std::filesystem::exists(path))
    throw std::invalid_argument("latency model " + path +
                                " does not exist: build one with `tinynas latency build --board " +
                                board.name + " --out " + path + "`");
  auto model = std::make_shared<const nas::LatencyModel>(nas::load_latency_model(path));
  if (model->target() != target)
    throw std::invalid_argument("latency model " + path + " was measured on " + model->target() +
                                "; board " + board.name + " needs one measured on " + target);
  return model;
}

double cycles_per_unit(const std::string& measure) {
  return measure == "instructions" ? kAssumedCyclesPerInstruction : 1.0;
}

double latency_ms(double latency, const std::string& measure, const memory::Board& board) {
  if (board.clock_hz <= 0) return 0;
  return latency * cycles_per_unit(measure) * 1e3 / static_cast<double>(board.clock_hz);
}

std::string latency_basis(const std::string& measure) {
  return measure == "instructions" ? "1 cycle per instruction" : "estimated";
}

}  // namespace tinynas::cli
