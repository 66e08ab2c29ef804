#include "firmware/hil.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <stdexcept>

#include "engine/codegen/project_manifest.h"
#include "firmware/bench_outcome.h"
#include "firmware/firmware_error.h"
#include "firmware/qemu_runner.h"
#include "firmware/qemu_target.h"

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;

BuildRequest build_request(const FirmwareRequest& request, const QemuTarget& target) {
  if (request.work_dir.empty()) throw std::invalid_argument("firmware work folder is empty");
  BuildRequest build;
  build.model_dir = request.model_dir;
  build.build_dir = request.work_dir;
  build.core = target.core;
  build.layout = qemu_memory_layout(target, request.board, request.stack_bytes);
  build.extra_cflags = request.extra_cflags;
  if (request.profile) build.extra_cflags.push_back("-DTINYNAS_PROFILE");
  build.exclude_sources = request.exclude_sources;
  build.tools = request.tools;
  return build;
}

std::string first_line_with(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return "";
  const size_t begin = text.rfind('\n', at);
  const size_t end = text.find('\n', at);
  const size_t from = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(from, end == std::string::npos ? std::string::npos : end - from);
}

}  // namespace

BuildResult build_model_for_qemu(const FirmwareRequest& request) {
  const QemuTarget& target = find_qemu_target(request.target);
  return build_firmware(build_request(request, target));
}

FirmwareResult run_model_on_qemu(const FirmwareRequest& request) {
  const QemuTarget& target = find_qemu_target(request.target);
  const engine::ProjectManifest manifest = engine::read_project_manifest(request.model_dir);
  if (request.inputs.empty() || request.inputs.size() % static_cast<size_t>(manifest.input_bytes))
    throw std::invalid_argument("firmware inputs: " + std::to_string(request.inputs.size()) +
                                " bytes is not a positive multiple of TINYNAS_INPUT_BYTES (" +
                                std::to_string(manifest.input_bytes) + ")");
  const int64_t count = static_cast<int64_t>(request.inputs.size()) / manifest.input_bytes;
  if (request.profile && manifest.layers <= 0)
    throw std::invalid_argument("model folder '" + request.model_dir +
                                "' has no layer count in model.json (exported before per-layer "
                                "profiling existed): export it again to profile it");
  // Fail on a missing emulator before spending time on the build.
  require_tool(request.tools.qemu);

  const BuildRequest build = build_request(request, target);
  const BuildResult built = build_firmware(build);

  QemuRun run;
  run.qemu = request.tools.qemu;
  run.machine = target.machine;
  run.elf = built.elf_path;
  run.run_dir = (fs::path(request.work_dir) / "run").string();
  run.inputs = request.inputs;
  run.icount_shift = target.icount_shift;
  run.timeout_s = request.timeout_s;
  CycleEstimate cycles;
  if (request.estimate_cycles)
    run.plugin = prepare_timing_plugin(request.timing_plugin, request.tools, target.core,
                                       built.elf_path, request.branch_penalty, &cycles);
  BenchOutcome outcome = run_qemu(run);
  if (!run.plugin.empty()) {
    std::string refused = first_line_with(outcome.console, "Could not load plugin");
    // A plugin that stops QEMU before the firmware ran (one built with the sanitizers: "ASan
    // runtime does not come first") is refused as well, in other words.
    if (refused.empty() && outcome.exit_code != 0 && !outcome.timed_out && !outcome.has_stats)
      refused =
          "QEMU exited " + std::to_string(outcome.exit_code) +
          " with the timing plugin before the firmware ran: " + outcome.console.substr(0, 300);
    if (!refused.empty()) {
      // A plugin QEMU refuses (another QEMU's API, a broken build) must not cost the run.
      cycles = unavailable_estimate(refused);
      run.plugin.clear();
      outcome = run_qemu(run);
    } else {
      cycles = read_cycle_report_file((fs::path(run.run_dir) / kCycleReportFile).string(),
                                      request.profile ? manifest.layers : 0);
    }
  }
  const BenchMeasurement m = interpret_outcome(outcome, manifest, count);

  FirmwareResult result;
  result.target = target.name;
  result.machine = target.machine;
  result.core = target.core;
  result.layout = build.layout;
  result.input_bytes = manifest.input_bytes;
  result.output_bytes = manifest.output_bytes;
  result.arena_bytes = m.stats.arena_bytes;
  result.outputs = m.outputs;
  result.instructions_per_tick = target.instructions_per_tick();
  for (const InferenceStats& s : m.stats.runs) {
    result.ticks.push_back(s.ticks);
    result.instructions.push_back(s.ticks * result.instructions_per_tick);
  }
  result.timer_overhead_ticks = m.stats.timer_overhead_ticks;
  if (request.profile) {
    if (m.stats.marker_calibration_calls <= 0)
      throw FirmwareError(FirmwareFailure::kBadResults,
                          "the profiled firmware reported no marker calibration",
                          outcome.console + outcome.stats_text);
    result.marker_instructions =
        static_cast<double>(m.stats.marker_calibration_ticks * result.instructions_per_tick) /
        static_cast<double>(m.stats.marker_calibration_calls);
    for (const InferenceStats& s : m.stats.runs) {
      if (static_cast<int64_t>(s.layer_ticks.size()) != manifest.layers)
        throw FirmwareError(FirmwareFailure::kBadResults,
                            "the profiled firmware reported " +
                                std::to_string(s.layer_ticks.size()) + " layers, model.json has " +
                                std::to_string(manifest.layers),
                            outcome.console + outcome.stats_text);
      std::vector<int64_t> layers;
      for (int64_t ticks : s.layer_ticks) layers.push_back(ticks * result.instructions_per_tick);
      result.layer_instructions.push_back(layers);
    }
  }
  result.cycles = cycles;
  result.stack_peak_bytes = m.stats.stack_peak_bytes;
  result.guard_ok = true;
  result.sections = built.sizes;
  result.elf_path = built.elf_path;
  result.build_command = built.command;
  result.run_command = outcome.command;
  result.log = built.log + outcome.console;
  result.build_seconds = built.seconds;
  result.run_seconds = outcome.seconds;
  return result;
}

nlohmann::json firmware_result_to_json(const FirmwareResult& r) {
  nlohmann::json j;
  j["target"] = r.target;
  j["machine"] = r.machine;
  j["core"] = r.core;
  j["flash_limit_bytes"] = r.layout.flash_bytes;
  j["ram_limit_bytes"] = r.layout.ram_bytes;
  j["stack_reserve_bytes"] = r.layout.stack_bytes;
  j["input_bytes"] = r.input_bytes;
  j["output_bytes"] = r.output_bytes;
  j["arena_bytes"] = r.arena_bytes;
  j["inferences"] = r.instructions.size();
  j["instructions_per_tick"] = r.instructions_per_tick;
  j["instructions"] = r.instructions;
  if (!r.instructions.empty()) {
    j["instructions_min"] = *std::min_element(r.instructions.begin(), r.instructions.end());
    j["instructions_max"] = *std::max_element(r.instructions.begin(), r.instructions.end());
    j["instructions_mean"] = static_cast<double>(std::accumulate(
                                 r.instructions.begin(), r.instructions.end(), int64_t{0})) /
                             static_cast<double>(r.instructions.size());
  }
  j["timing"] = "SysTick under qemu -icount shift=0: instructions, +-" +
                std::to_string(r.instructions_per_tick) + ", not cycles";
  if (!r.layer_instructions.empty()) {
    j["layer_instructions"] = r.layer_instructions;
    j["marker_instructions"] = r.marker_instructions;
  }
  if (r.cycles.available || !r.cycles.reason.empty())
    j["estimated_cycles"] = cycle_estimate_to_json(r.cycles);
  j["stack_peak_bytes"] = r.stack_peak_bytes;
  j["guard_ok"] = r.guard_ok;
  j["sections"] = section_sizes_to_json(r.sections);
  j["elf"] = r.elf_path;
  j["build_seconds"] = r.build_seconds;
  j["run_seconds"] = r.run_seconds;
  return j;
}

}  // namespace tinynas::firmware
