#include "firmware/timing_plugin.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;

// QEMU splits -plugin's value at commas; ",," stands for a comma in a value.
std::string escape_commas(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

std::string hex(uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

std::string find_timing_plugin(const std::string& explicit_path, std::string* why) {
  std::vector<fs::path> candidates;
  if (!explicit_path.empty()) candidates.emplace_back(explicit_path);
  if (const char* env = std::getenv("TINYNAS_TIMING_PLUGIN"); env && *env)
    candidates.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path() / "../lib/tinynas" / kTimingPluginFile);
#ifdef TINYNAS_TIMING_PLUGIN
  candidates.emplace_back(TINYNAS_TIMING_PLUGIN);
#endif
  std::string looked;
  for (const fs::path& p : candidates) {
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec).string();
    looked += (looked.empty() ? "" : ", ") + p.string();
    if (!explicit_path.empty()) break;  // an explicit path that is missing is the answer
  }
  if (why)
    *why = std::string(kTimingPluginFile) + " not found (looked in: " + looked +
           "); build the tinynas_cortex_m_timing target or set TINYNAS_TIMING_PLUGIN";
  return "";
}

MarkerSymbols parse_marker_symbols(const std::string& nm_output) {
  MarkerSymbols s;
  std::istringstream lines(nm_output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string address, type, name;
    if (!(in >> address >> type >> name)) continue;
    uint64_t value = 0;
    try {
      value = std::stoull(address, nullptr, 16) & ~uint64_t{1};  // Thumb bit
    } catch (const std::exception&) {
      continue;
    }
    if (name == "tinynas_invoke") s.invoke = value;
    if (name == "tinynas_layer_done") s.layer_done = value;
  }
  if (s.invoke == 0) throw std::runtime_error("the firmware ELF has no tinynas_invoke symbol");
  return s;
}

MarkerSymbols read_marker_symbols(const ArmTools& tools, const std::string& elf) {
  util::ProcessOptions opts;
  opts.timeout_s = 30;
  const util::ProcessResult r = run_tool({tools.nm, elf}, opts);
  if (r.timed_out) throw std::runtime_error(tools.nm + " timed out on " + elf);
  if (r.exit_code != 0)
    throw std::runtime_error(tools.nm + " failed on " + elf + " (exit " +
                             std::to_string(r.exit_code) + "): " + r.err.substr(0, 200));
  return parse_marker_symbols(r.out);
}

std::string timing_plugin_option(const std::string& plugin, const std::string& core,
                                 const MarkerSymbols& symbols, const std::string& out_file,
                                 int branch_penalty) {
  std::string option = escape_commas(plugin) + ",out=" + escape_commas(out_file) + ",core=" + core;
  if (branch_penalty >= 0) option += ",branch_penalty=" + std::to_string(branch_penalty);
  option += ",invoke=" + hex(symbols.invoke);
  if (symbols.layer_done != 0) option += ",layer_done=" + hex(symbols.layer_done);
  return option;
}

std::string prepare_timing_plugin(const std::string& explicit_plugin, const ArmTools& tools,
                                  const std::string& core, const std::string& elf,
                                  int branch_penalty, CycleEstimate* cycles) {
  std::string why;
  const std::string plugin = find_timing_plugin(explicit_plugin, &why);
  if (plugin.empty()) {
    *cycles = unavailable_estimate(why);
    return "";
  }
  try {
    const MarkerSymbols symbols = read_marker_symbols(tools, elf);
    return timing_plugin_option(plugin, core, symbols, kCycleReportFile, branch_penalty);
  } catch (const std::exception& e) {  // nm missing (FirmwareError), failing or no symbols
    *cycles = unavailable_estimate(e.what());
    return "";
  }
}

}  // namespace tinynas::firmware
