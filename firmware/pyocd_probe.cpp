#include "firmware/pyocd_probe.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "firmware/firmware_error.h"
#include "firmware/tools.h"

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", static_cast<unsigned>(value));
  return text;
}

// Runs one pyOCD command; a timeout or non-zero exit throws with the tool's output.
util::ProcessResult run_pyocd(const std::vector<std::string>& argv, double timeout_s,
                              const std::string& what) {
  util::ProcessOptions opts;
  opts.timeout_s = timeout_s;
  util::ProcessResult r = run_tool(argv, opts);
  const std::string log = "$ " + util::format_command(argv) + "\n" + r.out + r.err;
  if (r.timed_out)
    throw FirmwareError(FirmwareFailure::kTimeout,
                        what + ": " + argv[0] + " did not finish within " +
                            std::to_string(static_cast<int>(timeout_s)) +
                            " s (is the probe busy, or the board not powered?)",
                        log);
  if (r.exit_code != 0) {
    std::string output = r.out + r.err;
    if (output.size() > 1500) output = output.substr(0, 1500) + "...";
    throw FirmwareError(FirmwareFailure::kProbeFailed,
                        what + " failed (" + argv[0] + " exit code " + std::to_string(r.exit_code) +
                            "):\n" + output,
                        log);
  }
  return r;
}

std::string text_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

PyocdFlavor detect_pyocd(const PyocdTools& tools) {
  if (util::program_available(tools.pyocd)) return PyocdFlavor::kModern;
  if (util::program_available(tools.gdbserver) && util::program_available(tools.flashtool) &&
      util::program_available(tools.tool))
    return PyocdFlavor::kLegacy;
  throw FirmwareError(FirmwareFailure::kToolMissing,
                      "pyOCD is not installed: neither '" + tools.pyocd + "' nor '" +
                          tools.gdbserver + "' / '" + tools.flashtool + "' / '" + tools.tool +
                          "' was found; install the Debian package " + package_for_tool("pyocd"));
}

std::vector<DebugProbe> parse_probe_list(const std::string& json_text) {
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("boards") || !j["boards"].is_array())
    throw std::runtime_error("pyOCD's probe listing is not the expected JSON: " +
                             json_text.substr(0, 300));
  if (j.contains("status") && j["status"] != 0)
    throw std::runtime_error("pyOCD could not list the probes: " + text_field(j, "error"));
  std::vector<DebugProbe> probes;
  for (const nlohmann::json& b : j["boards"]) {
    if (!b.is_object()) continue;
    DebugProbe p;
    p.unique_id = text_field(b, "unique_id");
    p.board_name = text_field(b, "board_name");
    p.target = text_field(b, "target");
    p.description = text_field(b, "info");
    p.vendor = text_field(b, "vendor_name");
    p.product = text_field(b, "product_name");
    probes.push_back(p);
  }
  return probes;
}

std::vector<DebugProbe> list_probes(const PyocdTools& tools) {
  const PyocdFlavor flavor = detect_pyocd(tools);
  const std::vector<std::string> argv =
      flavor == PyocdFlavor::kModern ? std::vector<std::string>{tools.pyocd, "json", "--probes"}
                                     : std::vector<std::string>{tools.gdbserver, "-l", "--json"};
  const util::ProcessResult r = run_pyocd(argv, tools.timeout_s, "listing debug probes");
  try {
    return parse_probe_list(r.out);
  } catch (const std::runtime_error& e) {
    throw FirmwareError(FirmwareFailure::kProbeFailed, e.what(), r.out + r.err);
  }
}

std::vector<std::string> list_pyocd_targets(const PyocdTools& tools) {
  const PyocdFlavor flavor = detect_pyocd(tools);
  const std::vector<std::string> argv =
      flavor == PyocdFlavor::kModern
          ? std::vector<std::string>{tools.pyocd, "json", "--targets"}
          : std::vector<std::string>{tools.gdbserver, "--list-targets", "--json"};
  const util::ProcessResult r = run_pyocd(argv, tools.timeout_s, "listing pyOCD's targets");
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("targets") || !j["targets"].is_array())
    throw FirmwareError(FirmwareFailure::kProbeFailed,
                        "pyOCD's target listing is not the expected JSON", r.out + r.err);
  std::vector<std::string> names;
  for (const nlohmann::json& t : j["targets"])
    if (t.is_object()) names.push_back(text_field(t, "name"));
  return names;
}

DebugProbe require_probe(const PyocdTools& tools, const std::string& unique_id) {
  const std::vector<DebugProbe> probes = list_probes(tools);
  std::vector<DebugProbe> matching;
  for (const DebugProbe& p : probes)
    if (unique_id.empty() || p.unique_id.find(unique_id) != std::string::npos)
      matching.push_back(p);
  if (probes.empty())
    throw NoProbeAttached(
        "no board attached: pyOCD finds no debug probe (connect the board's ST-Link / CMSIS-DAP "
        "USB port, check the udev rules, or use --target qemu-m4 / qemu-m7 to emulate)");
  std::string found;
  for (const DebugProbe& p : probes)
    found += "\n  " + p.unique_id + (p.board_name.empty() ? "" : " (" + p.board_name + ")");
  if (matching.empty())
    throw NoProbeAttached("no board attached with probe id '" + unique_id + "'; attached:" + found);
  if (matching.size() > 1)
    throw NoProbeAttached("several debug probes are attached; choose one by its id:" + found);
  return matching.front();
}

void flash_elf(const PyocdTools& tools, const DebugProbe& probe, const std::string& target,
               const std::string& elf_path) {
  if (!fs::exists(elf_path))
    throw std::invalid_argument("firmware ELF '" + elf_path + "' not found");
  const std::vector<std::string> argv =
      detect_pyocd(tools) == PyocdFlavor::kModern
          ? std::vector<std::string>{tools.pyocd, "flash",         "-t",    target,
                                     "-u",        probe.unique_id, elf_path}
          : std::vector<std::string>{tools.flashtool, "-t",    target, "-b",
                                     probe.unique_id, elf_path};
  run_pyocd(argv, tools.flash_timeout_s, "flashing " + elf_path);
}

void reset_target(const PyocdTools& tools, const DebugProbe& probe, const std::string& target) {
  const std::vector<std::string> argv =
      detect_pyocd(tools) == PyocdFlavor::kModern
          ? std::vector<std::string>{tools.pyocd, "reset", "-t", target, "-u", probe.unique_id}
          : std::vector<std::string>{tools.tool, "-t", target, "-b", probe.unique_id, "reset"};
  run_pyocd(argv, tools.timeout_s, "resetting the target");
}

std::vector<uint8_t> read_target_memory(const PyocdTools& tools, const DebugProbe& probe,
                                        const std::string& target, uint32_t address,
                                        uint32_t length, const std::string& scratch_dir) {
  fs::create_directories(scratch_dir);
  const fs::path file = fs::absolute(fs::path(scratch_dir) / "target_memory.bin");
  fs::remove(file);
  const std::string save =
      "savemem " + hex32(address) + " " + std::to_string(length) + " " + file.string();
  const std::vector<std::string> argv =
      detect_pyocd(tools) == PyocdFlavor::kModern
          ? std::vector<std::string>{tools.pyocd, "commander",     "-t", target,
                                     "-u",        probe.unique_id, "-c", save}
          : std::vector<std::string>{
                tools.tool,      "-t",      target,         "-b",
                probe.unique_id, "savemem", hex32(address), std::to_string(length),
                file.string()};
  const util::ProcessResult r = run_pyocd(argv, tools.timeout_s, "reading target memory");
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (bytes.size() != length)
    throw FirmwareError(FirmwareFailure::kProbeFailed,
                        "reading target memory: expected " + std::to_string(length) +
                            " bytes from " + hex32(address) + ", got " +
                            std::to_string(bytes.size()),
                        r.out + r.err);
  return bytes;
}

}  // namespace tinynas::firmware
