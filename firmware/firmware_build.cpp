#include "firmware/firmware_build.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "firmware/embedded_target.h"
#include "firmware/firmware_error.h"
#include "firmware/link_errors.h"
#include "firmware/qemu_target.h"

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The model's .c files (sorted, so the build is reproducible) and every folder holding a header.
// Firmware build folders inside the model folder (this one, or another target's, which hold a
// harness with its own main()) are skipped.
void collect_model_files(const fs::path& model_dir, const fs::path& build_dir,
                         const std::vector<std::string>& exclude, std::vector<std::string>& sources,
                         std::vector<std::string>& include_dirs) {
  const std::set<std::string> skip(exclude.begin(), exclude.end());
  std::set<std::string> header_dirs{model_dir.string()};
  for (auto it = fs::recursive_directory_iterator(model_dir);
       it != fs::recursive_directory_iterator(); ++it) {
    const fs::directory_entry& entry = *it;
    std::error_code ec;
    if (entry.is_directory() && (fs::equivalent(entry.path(), build_dir, ec) ||
                                 fs::exists(entry.path() / "harness" / "bench_main.c", ec))) {
      it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const std::string relative = fs::relative(entry.path(), model_dir).generic_string();
    if (ends_with(name, ".c") && skip.count(relative) == 0)
      sources.push_back(entry.path().string());
    if (ends_with(name, ".h")) header_dirs.insert(entry.path().parent_path().string());
  }
  std::sort(sources.begin(), sources.end());
  include_dirs.assign(header_dirs.begin(), header_dirs.end());
}

// Names the section ld could not place in plain words.
std::string what_overflowed(const RegionOverflow& overflow) {
  std::string what;
  for (const std::string& section : overflow.sections) {
    if (!what.empty()) what += ", ";
    if (section == ".tinynas_arena")
      what += "the model's arena (.tinynas_arena)";
    else if (section == ".rodata")
      what += "the weights and constants (.rodata)";
    else if (section == ".stack")
      what += "the stack reserve (.stack)";
    else
      what += section;
  }
  return what;
}

[[noreturn]] void throw_does_not_fit(const std::vector<RegionOverflow>& overflows,
                                     const MemoryLayout& layout, const std::string& log) {
  std::string message = "the firmware does not fit the board:";
  bool ram = false;
  bool flash = false;
  for (const RegionOverflow& overflow : overflows) {
    const bool is_ram = overflow.region == "RAM";
    ram = ram || is_ram;
    flash = flash || !is_ram;
    const int64_t size = is_ram ? layout.ram_bytes : layout.flash_bytes;
    message += " region " + overflow.region;
    if (overflow.overflow_bytes > 0)
      message += " overflowed by " + std::to_string(overflow.overflow_bytes) + " bytes";
    else
      message += " overflowed";
    message += " (" + overflow.region + " is " + std::to_string(size) + " bytes";
    if (is_ram)
      message += ", of which " + std::to_string(layout.stack_bytes) + " are the stack reserve";
    message += ")";
    const std::string what = what_overflowed(overflow);
    if (!what.empty()) message += ": " + what + " did not fit";
    message += ";";
  }
  message += std::string(" choose a smaller model (tinynas search ") +
             (ram && flash ? "--sram / --flash"
              : ram        ? "--sram"
                           : "--flash") +
             ") or a bigger board";
  FirmwareError error(FirmwareFailure::kDoesNotFit, message, log);
  error.region = overflows.front().region;
  error.overflow_bytes = overflows.front().overflow_bytes;
  for (const RegionOverflow& overflow : overflows)
    error.overflows[overflow.region] = overflow.overflow_bytes;
  throw error;
}

bool is_link_error(const std::string& log) {
  return log.find("collect2") != std::string::npos || log.find("/ld: ") != std::string::npos ||
         log.find("ld: ") == 0 || log.find("undefined reference") != std::string::npos;
}

// The first few lines of a long tool log, for an exception message.
std::string head(const std::string& log, size_t max_lines = 12) {
  size_t at = 0;
  for (size_t line = 0; line < max_lines; ++line) {
    at = log.find('\n', at);
    if (at == std::string::npos) return log;
    ++at;
  }
  return at >= log.size() ? log : log.substr(0, at) + "...";
}

}  // namespace

BuildResult build_firmware(const BuildRequest& request) {
  const fs::path model_dir(request.model_dir);
  if (request.model_dir.empty() || !fs::is_directory(model_dir))
    throw std::invalid_argument("model folder '" + request.model_dir + "' does not exist");
  if (!fs::exists(model_dir / "model.h"))
    throw std::invalid_argument("model folder '" + request.model_dir + "' has no model.h");
  if (request.build_dir.empty()) throw std::invalid_argument("firmware build folder is empty");
  const std::vector<std::string> cpu = cpu_flags(request.core);
  const auto start = std::chrono::steady_clock::now();

  const fs::path build_dir(request.build_dir);
  const fs::path harness_dir = build_dir / "harness";
  fs::create_directories(harness_dir);
  std::vector<std::string> harness_sources;
  // The board harness's files; the semihosting harness is every other .c file.
  static const std::set<std::string> board_files = {
      "board_startup.c", "board_system.c", "board_main.c",  "hil_timer.c",
      "hil_guard.c",     "hil_profile.c",  "hil_semihost.c"};
  for (const EmbeddedFile& file : embedded_target_files()) {
    const std::string name = file.name;
    if (ends_with(name, ".in")) continue;  // the linker script template
    write_text(harness_dir / name, file.text);
    if (!ends_with(name, ".c")) continue;
    const bool board_file = name.rfind("board_", 0) == 0;
    if (request.board_harness ? board_files.count(name) > 0 : !board_file)
      harness_sources.push_back((harness_dir / name).string());
  }
  for (const auto& [name, text] : request.generated_sources) {
    write_text(harness_dir / name, text);
    harness_sources.push_back((harness_dir / name).string());
  }
  BuildResult result;
  result.linker_script_path = (build_dir / "fw.ld").string();
  write_text(result.linker_script_path, render_linker_script(request.layout));
  result.elf_path = (build_dir / "fw.elf").string();
  result.map_path = (build_dir / "fw.map").string();
  fs::remove(result.elf_path);

  std::vector<std::string> model_sources;
  std::vector<std::string> include_dirs;
  collect_model_files(model_dir, build_dir, request.exclude_sources, model_sources, include_dirs);
  if (model_sources.empty())
    throw std::invalid_argument("model folder '" + request.model_dir + "' has no .c files");

  std::vector<std::string>& cmd = result.command;
  cmd.push_back(request.tools.gcc);
  cmd.insert(cmd.end(), cpu.begin(), cpu.end());
  for (const char* flag : {"-std=c99", "-g", "-Wall", "-Wextra", "-Werror", "-ffunction-sections",
                           "-fdata-sections", "-specs=nano.specs"})
    cmd.push_back(flag);
  if (request.board_harness) {
    // No semihosting C library (a board has no debugger answering it).
    for (const char* flag : {"-specs=nosys.specs", "-nostartfiles"}) cmd.push_back(flag);
  } else {
    for (const char* flag : {"-specs=rdimon.specs", "-nostartfiles"}) cmd.push_back(flag);
  }
  cmd.push_back(request.optimization);
  cmd.push_back(kArenaAttributesDefine);
  cmd.insert(cmd.end(), request.extra_cflags.begin(), request.extra_cflags.end());
  cmd.push_back("-I" + harness_dir.string());
  for (const std::string& dir : include_dirs) cmd.push_back("-I" + dir);
  util::ProcessOptions opts;
  opts.timeout_s = request.tools.compile_timeout_s;
  std::vector<std::string> harness_inputs = harness_sources;
  if (request.board_harness) {
    // The board harness is compiled on its own with -ffreestanding (its start-up runs before the
    // C library and must not become calls of memset / memcpy); the model is not: -ffreestanding
    // implies -fno-builtin, which turns the kernels' small memcpy's into calls (mcunet-in0 on
    // Cortex-M4: 60.7 M instructions instead of 21.7 M).
    // It runs in the harness folder (gcc -c puts the objects there), so every path is absolute.
    std::vector<std::string> harness_cmd;
    for (const std::string& arg : cmd)
      harness_cmd.push_back(arg.rfind("-I", 0) == 0 ? "-I" + fs::absolute(arg.substr(2)).string()
                                                    : arg);
    harness_cmd.push_back("-ffreestanding");
    harness_cmd.push_back("-c");
    for (const std::string& source : harness_sources)
      harness_cmd.push_back(fs::absolute(source).string());
    util::ProcessOptions in_harness = opts;
    in_harness.working_dir = harness_dir.string();
    const util::ProcessResult compiled = run_tool(harness_cmd, in_harness);
    if (compiled.timed_out || compiled.exit_code != 0)
      throw FirmwareError(
          compiled.timed_out ? FirmwareFailure::kTimeout : FirmwareFailure::kCompileFailed,
          "compiling the board harness for " + request.core + " failed:\n" +
              head(compiled.out + compiled.err),
          compiled.out + compiled.err);
    harness_inputs.clear();
    for (const std::string& source : harness_sources)
      harness_inputs.push_back(
          (harness_dir / fs::path(source).filename().replace_extension(".o")).string());
  }
  cmd.push_back("-T" + result.linker_script_path);
  cmd.push_back("-Wl,--gc-sections");
  cmd.push_back("-Wl,-Map=" + result.map_path);
  result.sources = harness_sources;
  result.sources.insert(result.sources.end(), model_sources.begin(), model_sources.end());
  cmd.insert(cmd.end(), harness_inputs.begin(), harness_inputs.end());
  cmd.insert(cmd.end(), model_sources.begin(), model_sources.end());
  cmd.push_back("-o");
  cmd.push_back(result.elf_path);

  const util::ProcessResult compiled = run_tool(cmd, opts);
  result.log = compiled.out + compiled.err;
  if (compiled.timed_out)
    throw FirmwareError(FirmwareFailure::kTimeout,
                        request.tools.gcc + " did not finish within " +
                            std::to_string(static_cast<int>(opts.timeout_s)) + " s",
                        result.log);
  if (compiled.exit_code != 0) {
    const std::vector<RegionOverflow> overflows = find_region_overflows(result.log);
    if (!overflows.empty()) throw_does_not_fit(overflows, request.layout, result.log);
    if (is_link_error(result.log))
      throw FirmwareError(FirmwareFailure::kLinkFailed,
                          "linking the firmware failed:\n" + head(result.log), result.log);
    throw FirmwareError(FirmwareFailure::kCompileFailed,
                        "compiling the model for " + request.core +
                            " failed (arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror):\n" +
                            head(result.log),
                        result.log);
  }

  const util::ProcessResult sized = run_tool({request.tools.size, "-A", result.elf_path}, opts);
  if (sized.exit_code != 0)
    throw FirmwareError(FirmwareFailure::kLinkFailed,
                        request.tools.size + " failed on " + result.elf_path, sized.err);
  result.sizes = parse_section_sizes(sized.out);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tinynas::firmware
