#include "firmware/board_bench.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/codegen/project_manifest.h"
#include "engine/quant_model_io.h"
#include "engine/reference_interpreter.h"
#include "firmware/firmware_error.h"
#include "firmware/qemu_runner.h"
#include "firmware/target/hil_protocol.h"
#include "firmware/target/hil_result.h"
#include "firmware/timing_plugin.h"
#include "memory_model/cost.h"

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string input_source(const std::vector<int8_t>& input) {
  std::ostringstream c;
  c << "/* The bench input, written by tinynas bench (firmware/board_bench.cpp). */\n"
       "#include <stdint.h>\n\n#include \"model.h\"\n\n"
       "const int8_t hil_bench_input[TINYNAS_INPUT_BYTES] = {";
  for (size_t i = 0; i < input.size(); ++i) {
    if (i % 16 == 0) c << "\n   ";
    c << " " << static_cast<int>(input[i]) << ",";
  }
  c << "\n};\n";
  return c.str();
}

// The runner chosen and how: NoProbeAttached when none reaches a board.
struct RunnerChoice {
  std::string runner;
  DebugProbe pyocd_probe;
  OpenocdProbe openocd_probe;
  std::vector<std::string> tried;
};

RunnerChoice choose_runner(const BenchRequest& request, const BoardFirmware& fw) {
  RunnerChoice choice;
  std::vector<std::string> order = fw.runners;
  if (!request.runner.empty()) {
    if (request.runner != "qemu" && request.runner != "pyocd" && request.runner != "openocd")
      throw std::invalid_argument("unknown runner '" + request.runner +
                                  "' (expected pyocd, openocd or qemu)");
    bool listed = false;
    for (const std::string& r : fw.runners) listed = listed || r == request.runner;
    if (!listed) {
      std::string known;
      for (const std::string& r : fw.runners) known += (known.empty() ? "" : ", ") + r;
      throw std::invalid_argument(
          "board '" + fw.board + "' cannot run with --runner " + request.runner +
          " (its runners: " + known +
          (request.runner == "qemu" ? "; for QEMU use --board qemu-m4 or qemu-m7)" : ")"));
    }
    order = {request.runner};
  }
  std::vector<std::string> seen;
  for (const std::string& runner : order) {
    const bool explicit_runner = !request.runner.empty();
    if (runner == "qemu") {
      if (explicit_runner) require_tool(request.tools.qemu);
      if (!util::program_available(request.tools.qemu)) {
        choice.tried.push_back("qemu: " + request.tools.qemu + " not installed");
        continue;
      }
      choice.runner = runner;
      return choice;
    }
    if (runner == "pyocd") {
      PyocdFlavor flavor;
      try {
        flavor = detect_pyocd(request.pyocd);
      } catch (const FirmwareError&) {
        if (explicit_runner) throw;
        choice.tried.push_back("pyocd: not installed");
        continue;
      }
      const std::string lister = flavor == PyocdFlavor::kModern
                                     ? request.pyocd.pyocd + " json --probes"
                                     : request.pyocd.gdbserver + " -l --json";
      std::vector<DebugProbe> probes;
      try {
        probes = list_probes(request.pyocd);
      } catch (const FirmwareError& e) {
        choice.tried.push_back("pyocd (" + lister + "): " + e.what());
        continue;
      }
      std::vector<DebugProbe> matching;
      for (const DebugProbe& p : probes) {
        seen.push_back(p.unique_id + (p.board_name.empty() ? "" : " (" + p.board_name + ")"));
        if (request.probe_uid.empty() || p.unique_id.find(request.probe_uid) != std::string::npos)
          matching.push_back(p);
      }
      if (matching.size() > 1)
        throw NoProbeAttached("several debug probes are attached; choose one with --probe UID: " +
                              [&] {
                                std::string s;
                                for (const DebugProbe& p : matching)
                                  s += (s.empty() ? "" : ", ") + p.unique_id;
                                return s;
                              }());
      if (matching.empty()) {
        choice.tried.push_back("pyocd (" + lister + "): " +
                               (probes.empty() ? std::string("no debug probe")
                                               : "no probe with id '" + request.probe_uid + "'"));
        continue;
      }
      // A probe is there: does this pyOCD know the chip? (Debian's 0.13 lacks the F746 / H743.)
      try {
        const std::vector<std::string> targets = list_pyocd_targets(request.pyocd);
        if (std::find(targets.begin(), targets.end(), fw.pyocd_target) == targets.end()) {
          if (explicit_runner)
            throw std::invalid_argument("pyOCD (" + lister + ") sees probe " +
                                        matching.front().unique_id + " but has no target '" +
                                        fw.pyocd_target +
                                        "' (pyocd pack install, a newer pyOCD, or --runner "
                                        "openocd)");
          choice.tried.push_back("pyocd: probe " + matching.front().unique_id +
                                 " seen, but no target '" + fw.pyocd_target + "'");
          continue;
        }
      } catch (const FirmwareError&) {
        // The listing itself failed: let flashing say what is wrong.
      }
      choice.runner = runner;
      choice.pyocd_probe = matching.front();
      return choice;
    }
    // openocd
    if (!util::program_available(request.openocd.openocd)) {
      if (explicit_runner) require_tool(request.openocd.openocd);
      choice.tried.push_back("openocd: not installed");
      continue;
    }
    const OpenocdProbeCheck check =
        check_openocd_probe(request.openocd, fw.openocd_config, request.probe_uid);
    if (!check.found) {
      choice.tried.push_back("openocd (-f " + fw.openocd_config + "): " + check.detail);
      continue;
    }
    seen.push_back("openocd adapter" + (check.detail.empty() ? "" : ": " + check.detail));
    choice.runner = runner;
    choice.openocd_probe.config = fw.openocd_config;
    choice.openocd_probe.serial = request.probe_uid;
    choice.openocd_probe.adapter = check.detail;
    return choice;
  }
  std::string tried;
  for (const std::string& t : choice.tried) tried += (tried.empty() ? "" : "; ") + t;
  std::string probes;
  for (const std::string& s : seen) probes += (probes.empty() ? "" : ", ") + s;
  throw NoProbeAttached((seen.empty() ? "no board attached for " + fw.board
                                      : "no runner can use the probes attached for " + fw.board) +
                        ": tried " + tried +
                        "; probes seen: " + (probes.empty() ? "none" : probes));
}

std::vector<uint8_t> read_file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

std::string block_progress(const ResultBlock& b) {
  return state_name(b) + ", " + std::to_string(b.runs_done) + " of " + std::to_string(b.runs) +
         " timed runs done";
}

// Turns a finished block into an error when it is not a clean "done".
void check_block(const ResultBlock& b, uint32_t run_id, int runs, const std::string& log) {
  if (b.run_id != run_id)
    throw FirmwareError(FirmwareFailure::kBadResults,
                        "the result block belongs to another image (run id " +
                            std::to_string(b.run_id) + ", expected " + std::to_string(run_id) + ")",
                        log);
  if (b.state == ResultState::kFault) {
    char text[160];
    std::snprintf(text, sizeof text, "pc=0x%08x cfsr=0x%08x hfsr=0x%08x", b.fault_pc, b.fault_cfsr,
                  b.fault_hfsr);
    FirmwareError e(FirmwareFailure::kFault,
                    "the firmware faulted (exception code " + std::to_string(b.error_code) + ", " +
                        text + ") after " + std::to_string(b.runs_done) + " timed runs",
                    log);
    throw e;
  }
  if (b.state == ResultState::kError) {
    const uint32_t code = b.error_code;
    FirmwareFailure kind = FirmwareFailure::kBadResults;
    std::string what = "the harness stopped with code " + std::to_string(code);
    if (code == TINYNAS_HIL_EXIT_GUARD_BELOW || code == TINYNAS_HIL_EXIT_GUARD_ABOVE) {
      kind = FirmwareFailure::kGuardCorrupted;
      what = std::string("the model wrote outside its arena: guard ") +
             (code == TINYNAS_HIL_EXIT_GUARD_BELOW ? "below" : "above") +
             " the arena corrupted at offset " + std::to_string(b.error_value);
    } else if (code == TINYNAS_HIL_EXIT_INVOKE) {
      kind = FirmwareFailure::kInvokeFailed;
      what = "tinynas_invoke() returned " + std::to_string(b.error_value);
    } else if (code == TINYNAS_HIL_EXIT_STACK_OVERFLOW) {
      kind = FirmwareFailure::kStackOverflow;
      what = "the stack used all free RAM down to the arena";
    } else if (code == TINYNAS_HIL_EXIT_ARENA_LAYOUT) {
      what = "the arena section holds " + std::to_string(b.error_value) +
             " bytes, not the model's arena";
    } else if (code == TINYNAS_HIL_EXIT_PROFILE_MARKS) {
      what = "the model marked " + std::to_string(b.error_value) + " layers of " +
             std::to_string(b.layers);
    }
    throw FirmwareError(kind, what, log);
  }
  if (b.state != ResultState::kDone)
    throw FirmwareError(FirmwareFailure::kBadResults,
                        "the result block is not done: " + block_progress(b), log);
  if (b.runs_done != static_cast<uint32_t>(runs))
    throw FirmwareError(FirmwareFailure::kBadResults,
                        "the firmware timed " + std::to_string(b.runs_done) + " runs, asked for " +
                            std::to_string(runs),
                        log);
  if (b.hash_mismatches != 0)
    throw FirmwareError(FirmwareFailure::kBadResults,
                        std::to_string(b.hash_mismatches) +
                            " timed runs gave another output than the first (same input)",
                        log);
}

// Polls the block through `read` until the state is final or the time is up.
template <typename Read>
ResultBlock poll_block(Read read, uint32_t block_bytes, uint32_t run_id, double timeout_s,
                       double interval_s) {
  const auto start = Clock::now();
  std::string last = "not started (no result block yet)";
  while (true) {
    const std::vector<uint8_t> bytes = read(block_bytes);
    try {
      const ResultBlock b = parse_result_block(bytes);
      if (b.run_id == run_id) {
        if (b.state == ResultState::kDone || b.state == ResultState::kError ||
            b.state == ResultState::kFault)
          return b;
        last = block_progress(b);
      } else {
        last = "not started (the block still holds run id " + std::to_string(b.run_id) + ")";
      }
    } catch (const std::runtime_error& e) {
      last = std::string("not started (") + e.what() + ")";
    }
    if (seconds_since(start) > timeout_s)
      throw FirmwareError(FirmwareFailure::kTimeout,
                          "the result block did not reach \"done\" within " +
                              std::to_string(static_cast<int>(timeout_s)) +
                              " s; last state: " + last + " (raise --timeout for a slow model)");
    std::this_thread::sleep_for(std::chrono::duration<double>(interval_s));
  }
}

}  // namespace

std::vector<int8_t> bench_input(int64_t bytes, uint32_t seed) {
  // A fixed generator and mapping (not std::uniform_int_distribution, whose output differs
  // between standard libraries), so tests can recompute the input.
  std::vector<int8_t> input(static_cast<size_t>(std::max<int64_t>(0, bytes)));
  std::mt19937 rng(seed);
  for (int8_t& v : input) v = static_cast<int8_t>(static_cast<uint8_t>(rng() >> 24));
  return input;
}

BuildResult build_bench_firmware(const BenchRequest& request, const BoardFirmware& fw,
                                 bool qemu_exit, uint32_t run_id) {
  const engine::ProjectManifest manifest = engine::read_project_manifest(request.model_dir);
  const std::vector<int8_t> input = bench_input(manifest.input_bytes, request.seed);

  BuildRequest build;
  build.model_dir = request.model_dir;
  build.build_dir = request.work_dir;
  build.core = fw.core;
  build.layout = fw.layout;
  build.board_harness = true;
  build.extra_cflags = board_firmware_defines(fw);
  build.extra_cflags.push_back("-DHIL_BENCH_RUNS=" + std::to_string(request.runs));
  build.extra_cflags.push_back("-DHIL_RUN_ID=" + std::to_string(run_id) + "u");
  if (manifest.layers > 0) build.extra_cflags.push_back("-DTINYNAS_PROFILE");
  if (qemu_exit) build.extra_cflags.push_back("-DHIL_QEMU_EXIT");
  build.generated_sources.push_back({"hil_bench_input.c", input_source(input)});
  build.tools = request.tools;
  return build_firmware(build);
}

BenchResult run_bench(const BenchRequest& request) {
  if (request.runs < 1)
    throw std::invalid_argument("--runs must be at least 1, got " + std::to_string(request.runs));
  if (request.timeout_s <= 0) throw std::invalid_argument("--timeout must be positive");
  if (request.model_dir.empty() || !fs::is_directory(request.model_dir))
    throw std::invalid_argument("model folder '" + request.model_dir +
                                "' does not exist (write one with tinynas export)");
  if (request.work_dir.empty()) throw std::invalid_argument("bench work folder is empty");
  const engine::ProjectManifest manifest = engine::read_project_manifest(request.model_dir);
  const BoardFirmware fw = board_firmware(request.board, request.stack_bytes);
  // The runner (and its probe) first: with no board this fails in a second, before any build.
  const RunnerChoice choice = choose_runner(request, fw);
  const bool qemu = choice.runner == "qemu";

  BenchResult result;
  result.board = fw.board;
  result.core = fw.core;
  result.runner = choice.runner;
  result.tried = choice.tried;
  result.clock_hz = fw.clock_hz;
  result.layout = fw.layout;
  result.result_address = fw.result_address;

  std::random_device entropy;
  const uint32_t run_id = (entropy() & 0x7FFFFFFFu) | 1u;
  require_tool(request.tools.gcc);
  const BuildResult built = build_bench_firmware(request, fw, qemu, run_id);
  result.sections = built.sizes;
  result.elf_path = built.elf_path;
  result.build_command = built.command;
  result.build_seconds = built.seconds;

  const uint32_t block_bytes =
      result_header_bytes() + 8u * static_cast<uint32_t>(std::max<int64_t>(1, manifest.layers));
  const fs::path run_dir = fs::path(request.work_dir) / "run";
  fs::create_directories(run_dir);
  const auto start = Clock::now();
  ResultBlock block;
  std::string log;
  if (qemu) {
    QemuRun run;
    run.qemu = request.tools.qemu;
    run.machine = fw.qemu_machine;
    run.elf = built.elf_path;
    if (request.estimate_cycles)
      run.plugin = prepare_timing_plugin(request.timing_plugin, request.tools, fw.core,
                                         built.elf_path, request.branch_penalty, &result.cycles);
    std::vector<std::string> argv = qemu_command(run);
    fs::remove(run_dir / "result.bin");
    fs::remove(run_dir / kCycleReportFile);
    util::ProcessOptions opts;
    opts.timeout_s = request.timeout_s;
    opts.working_dir = run_dir.string();
    util::ProcessResult r = run_tool(argv, opts);
    // QEMU refuses the plugin, or a plugin it cannot run (built with the sanitizers) ends QEMU
    // before the firmware wrote its result block.
    const bool plugin_failed =
        !run.plugin.empty() &&
        ((r.out + r.err).find("Could not load plugin") != std::string::npos ||
         (r.exit_code != 0 && !r.timed_out && !fs::exists(run_dir / "result.bin")));
    if (plugin_failed) {
      // A plugin QEMU refuses must not cost the bench: run again without it.
      result.cycles =
          unavailable_estimate("QEMU could not load the timing plugin: " + r.err.substr(0, 300));
      run.plugin.clear();
      argv = qemu_command(run);
      r = run_tool(argv, opts);
    } else if (!run.plugin.empty()) {
      result.cycles = read_cycle_report_file((run_dir / kCycleReportFile).string(),
                                             std::max<int64_t>(0, manifest.layers));
    }
    log = "$ " + util::format_command(argv) + "\n" + r.out + r.err;
    if (r.timed_out)
      throw FirmwareError(FirmwareFailure::kTimeout,
                          "QEMU ran past --timeout " +
                              std::to_string(static_cast<int>(request.timeout_s)) +
                              " s without the result block reaching \"done\"",
                          log);
    const std::vector<uint8_t> bytes = read_file_bytes(run_dir / "result.bin");
    if (bytes.empty())
      throw FirmwareError(FirmwareFailure::kEmulatorFailed,
                          "QEMU exited with " + std::to_string(r.exit_code) +
                              " and the firmware wrote no result block",
                          log);
    try {
      block = parse_result_block(bytes);
    } catch (const std::runtime_error& e) {
      throw FirmwareError(FirmwareFailure::kBadResults, e.what(), log);
    }
  } else if (choice.runner == "pyocd") {
    result.probe =
        choice.pyocd_probe.unique_id +
        (choice.pyocd_probe.board_name.empty() ? "" : " (" + choice.pyocd_probe.board_name + ")");
    flash_elf(request.pyocd, choice.pyocd_probe, fw.pyocd_target, built.elf_path);
    reset_target(request.pyocd, choice.pyocd_probe, fw.pyocd_target);
    block = poll_block(
        [&](uint32_t n) {
          return read_target_memory(request.pyocd, choice.pyocd_probe, fw.pyocd_target,
                                    fw.result_address, n, run_dir.string());
        },
        block_bytes, run_id, request.timeout_s, request.poll_interval_s);
  } else {
    result.probe =
        choice.openocd_probe.adapter.empty() ? "openocd adapter" : choice.openocd_probe.adapter;
    openocd_flash(request.openocd, choice.openocd_probe, built.elf_path);
    block = poll_block(
        [&](uint32_t n) {
          return openocd_read_memory(request.openocd, choice.openocd_probe, fw.result_address, n,
                                     run_dir.string());
        },
        block_bytes, run_id, request.timeout_s, request.poll_interval_s);
  }
  result.run_seconds = seconds_since(start);
  check_block(block, run_id, request.runs, log);
  if (static_cast<int64_t>(block.layers) != std::max<int64_t>(0, manifest.layers))
    throw FirmwareError(FirmwareFailure::kBadResults,
                        "the firmware reported " + std::to_string(block.layers) +
                            " layers, model.json has " + std::to_string(manifest.layers),
                        log);
  result.block = block;

  // QEMU: SysTick at clock_hz under -icount shift=0 (1 ns per instruction): 1e9 / clock_hz
  // instructions per tick. A board: DWT or SysTick on the core clock, one tick = one cycle.
  result.counter = qemu ? "instructions" : "cycles";
  result.per_tick = qemu ? 1000000000LL / fw.clock_hz : 1;
  const uint64_t k = static_cast<uint64_t>(result.per_tick);
  result.min = block.ticks_min * k;
  result.median = block.ticks_median * k;
  result.max = block.ticks_max * k;
  for (uint64_t t : block.run_ticks) result.runs.push_back(t * k);
  const double ms_per_tick = 1000.0 / static_cast<double>(fw.clock_hz);
  result.ms_min = static_cast<double>(block.ticks_min) * ms_per_tick;
  result.ms_median = static_cast<double>(block.ticks_median) * ms_per_tick;
  result.ms_max = static_cast<double>(block.ticks_max) * ms_per_tick;
  if (block.layers > 0)
    result.marker_count = static_cast<double>(block.marker_calibration_ticks * k) /
                          1024.0 /* HIL_PROFILE_CALIBRATION_CALLS */;

  // Layer names and the reference output, when the folder has the quantised model.
  const fs::path quant = fs::path(request.model_dir) / "quant_model.json";
  std::optional<engine::QuantModel> model;
  if (fs::exists(quant)) model = engine::load_quant_model(quant.string());
  for (size_t i = 0; i < block.layer_ticks.size(); ++i) {
    BenchLayer layer;
    layer.index = static_cast<int>(i);
    layer.name = "layer " + std::to_string(i);
    if (model && i < model->graph.ops().size()) {
      const memory::Op& op = model->graph.ops()[i];
      layer.name = op.name();
      layer.op = memory::to_string(op.type);
      layer.macs = memory::op_cost(model->graph, op).macs;
    }
    layer.count = block.layer_ticks[i] * k;
    if (result.cycles.available && !result.cycles.layer_cycles.empty() &&
        i < result.cycles.layer_cycles.back().size())
      layer.estimated_cycles = result.cycles.layer_cycles.back()[i];
    result.layers.push_back(layer);
  }
  if (model) {
    const std::vector<int8_t> input = bench_input(manifest.input_bytes, request.seed);
    result.reference_hash = fnv1a32(engine::run_reference(*model, input));
    result.reference_checked = true;
    result.output_matches_reference = result.reference_hash == block.output_hash;
  }
  return result;
}

nlohmann::json bench_result_to_json(const BenchResult& r) {
  nlohmann::json j;
  j["board"] = r.board;
  j["core"] = r.core;
  j["runner"] = r.runner;
  j["probe"] = r.probe;
  j["tried"] = r.tried;
  j["clock_hz"] = r.clock_hz;
  j["counter"] = r.counter;
  j["timer"] = timer_name(r.block.timer_source);
  j["config"] = config_names(r.block.config_flags);
  j["flash_wait_states"] = r.block.flash_wait_states;
  j["runs"] = r.block.runs_done;
  j["per_inference"] = {{"min", r.min}, {"median", r.median}, {"max", r.max}, {"runs", r.runs}};
  j["ms"] = {{"min", r.ms_min}, {"median", r.ms_median}, {"max", r.ms_max}};
  if (r.counter == "instructions")
    j["ms_note"] =
        "QEMU virtual time under -icount shift=0 (1 ns per instruction), not a board "
        "latency";
  nlohmann::json layers = nlohmann::json::array();
  for (const BenchLayer& l : r.layers) {
    nlohmann::json layer = {
        {"index", l.index}, {"name", l.name}, {"op", l.op}, {"macs", l.macs}, {r.counter, l.count}};
    if (l.estimated_cycles >= 0) layer["estimated_cycles"] = l.estimated_cycles;
    layers.push_back(layer);
  }
  j["layers"] = layers;
  j["marker_" + r.counter] = r.marker_count;
  if (r.cycles.available || !r.cycles.reason.empty())
    j["estimated_cycles"] = cycle_estimate_to_json(r.cycles);
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08x", r.block.output_hash);
  j["output_hash"] = hash;
  if (r.reference_checked) {
    std::snprintf(hash, sizeof hash, "%08x", r.reference_hash);
    j["reference_hash"] = hash;
    j["output_matches_reference"] = r.output_matches_reference;
  }
  j["stack_peak_bytes"] = r.block.stack_peak_bytes;
  j["arena_guards"] = r.block.guard_status == 0 ? "intact" : "corrupted";
  j["arena_bytes"] = r.block.arena_bytes;
  j["result_address"] = r.result_address;
  j["sections"] = section_sizes_to_json(r.sections);
  j["flash_limit_bytes"] = r.layout.flash_bytes;
  j["ram_limit_bytes"] = r.layout.ram_bytes;
  j["elf"] = r.elf_path;
  j["build_seconds"] = r.build_seconds;
  j["run_seconds"] = r.run_seconds;
  return j;
}

}  // namespace tinynas::firmware
