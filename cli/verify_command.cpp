// tinynas verify MODEL_DIR: runs an exported model on random int8 inputs on a target and compares
// its outputs byte for byte with the reference interpreter (engine/reference_interpreter.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/config_dir.h"
#include "cli/options.h"
#include "cli/profile_report.h"
#include "engine/codegen/project_manifest.h"
#include "engine/host_verify.h"
#include "engine/quant_model_io.h"
#include "firmware/hil.h"
#include "firmware/layer_profile.h"
#include "memory_model/board.h"
#include "memory_model/cost.h"
#include "memory_model/scheduler.h"

namespace tinynas::cli {
namespace {

struct TargetRun {
  std::vector<int8_t> outputs;
  std::string notes;  // extra lines for the report (build flags, instruction counts, sizes)
  // --profile: the per-layer counts of a second, TINYNAS_PROFILE build, and the plain build's
  // mean instructions per inference to compare their sum with.
  std::optional<firmware::LayerProfile> profile;
  double plain_instructions = 0;
};

struct TargetOptions {
  bool sanitize = true;
  std::string compiler = "gcc";
  std::optional<memory::Board> board;  // qemu: the Flash / SRAM limits of the link
  std::string work_dir;                // qemu: where the firmware is built and run
  bool profile = false;                // qemu: also run a per-layer profiled build
  bool estimate_cycles = true;         // qemu: run with the cycle-estimate plugin when built
};

// The plugin's estimate beside the exact counts, or why there is none.
std::string cycle_estimate_line(const firmware::FirmwareResult& fw) {
  const firmware::CycleEstimate& e = fw.cycles;
  if (!e.available) return e.reason;
  char text[512];
  std::snprintf(text, sizeof text,
                "estimated %s cycles per inference: mean %.0f, CPI %.2f (%s model, P = %.0f per "
                "taken branch; plugin counted %lld instructions; an estimate from Arm's timing "
                "tables, not validated on silicon)",
                fw.core.c_str(), firmware::mean_cycles(e), firmware::mean_cpi(e), e.model.c_str(),
                e.branch_penalty,
                static_cast<long long>(
                    e.inference_instructions.empty() ? 0 : e.inference_instructions.front()));
  return text;
}

// Instructions per inference on the emulated core, the linked sizes beside the cost model's
// prediction: the lines a user compares with the search's numbers.
std::string firmware_report(const firmware::FirmwareResult& fw, const engine::QuantModel& model) {
  const memory::GraphCost cost = memory::graph_cost(model.graph);
  const auto [lo, hi] = std::minmax_element(fw.instructions.begin(), fw.instructions.end());
  double mean = 0;
  for (int64_t n : fw.instructions) mean += static_cast<double>(n);
  mean /= static_cast<double>(std::max<size_t>(1, fw.instructions.size()));
  char text[1024];
  std::snprintf(
      text, sizeof text,
      "%s (%s, %s): built in %.1f s, ran %zu inferences in %.1f s\n"
      "instructions per inference: min %lld, mean %.0f, max %lld (%.2f per MAC, %lld MACs; "
      "QEMU -icount counts instructions, not cycles)\n"
      "linked: .text %lld, .rodata %lld, .data %lld, .bss %lld bytes; Flash %lld of %lld, "
      "RAM %lld of %lld\n"
      "predicted weights Flash %lld bytes vs linked .rodata %lld (%+.2f %%); arena guards intact; "
      "stack peak %lld bytes",
      fw.target.c_str(), fw.machine.c_str(), fw.core.c_str(), fw.build_seconds,
      fw.instructions.size(), fw.run_seconds, static_cast<long long>(*lo), mean,
      static_cast<long long>(*hi), mean / static_cast<double>(std::max<int64_t>(1, cost.macs)),
      static_cast<long long>(cost.macs), static_cast<long long>(fw.sections.text),
      static_cast<long long>(fw.sections.rodata), static_cast<long long>(fw.sections.data),
      static_cast<long long>(fw.sections.bss), static_cast<long long>(fw.sections.flash_bytes()),
      static_cast<long long>(fw.layout.flash_bytes),
      static_cast<long long>(fw.sections.ram_bytes()), static_cast<long long>(fw.layout.ram_bytes),
      static_cast<long long>(cost.flash_bytes), static_cast<long long>(fw.sections.rodata),
      100.0 * double(fw.sections.rodata - cost.flash_bytes) /
          double(std::max<int64_t>(1, cost.flash_bytes)),
      static_cast<long long>(fw.stack_peak_bytes));
  return text;
}

// The target switch. "host": the host C compiler, once plainly and once with sanitizers.
// "qemu-m4" / "qemu-m7": arm-none-eabi-gcc with the board's memory limits in the linker script,
// run in QEMU's mps2 machines (firmware/hil.h).
TargetRun run_on_target(const std::string& target, const std::string& model_dir,
                        const engine::QuantModel& model, const std::vector<int8_t>& inputs,
                        int count, int64_t input_bytes, const TargetOptions& options) {
  TargetRun run;
  if (target == "host") {
    if (options.profile)
      throw std::invalid_argument(
          "--profile needs --target qemu-m4 or qemu-m7 (it counts "
          "instructions under QEMU)");
    engine::HostBuildOptions opt;
    opt.compiler = options.compiler;
    const std::string& compiler = options.compiler;
    const bool sanitize = options.sanitize;
    const engine::HostModel exe(model_dir, opt);
    run.outputs = exe.run(inputs, count);
    run.notes = "host build: " + compiler + " -std=c99 -O2 -Wall -Wextra -Werror (" +
                std::to_string(exe.compile_seconds()).substr(0, 4) + " s)";
    if (sanitize) {
      // A second build with AddressSanitizer + UBSan on a few inputs: memory errors and
      // undefined behaviour fail the run.
      opt.sanitize = true;
      const engine::HostModel checked(model_dir, opt);
      const int n = std::min(count, 10);
      const std::vector<int8_t> some(inputs.begin(),
                                     inputs.begin() + static_cast<std::ptrdiff_t>(n * input_bytes));
      const std::vector<int8_t> out = checked.run(some, n);
      if (!std::equal(out.begin(), out.end(), run.outputs.begin()))
        throw std::runtime_error("the sanitizer build computes different outputs");
      run.notes +=
          "\nsanitizer build: -fsanitize=address,undefined, " + std::to_string(n) + " inputs clean";
    }
    return run;
  }
  if (target == "qemu-m4" || target == "qemu-m7") {
    // Refuse an unprofilable project before spending time on the plain run.
    if (options.profile && engine::read_project_manifest(model_dir).layers <= 0)
      throw std::invalid_argument("'" + model_dir +
                                  "' was exported before per-layer profiling (model.json has no "
                                  "layer count): export it again to use --profile");
    firmware::FirmwareRequest request;
    request.model_dir = model_dir;
    request.work_dir = options.work_dir;
    request.target = target;
    request.board = options.board;
    request.inputs = inputs;
    request.timeout_s = 60 + 5.0 * count;  // mcunet-in2 takes about 0.4 s per inference
    request.estimate_cycles = options.estimate_cycles;
    const firmware::FirmwareResult fw = firmware::run_model_on_qemu(request);
    run.outputs = fw.outputs;
    run.notes = firmware_report(fw, model);
    if (options.estimate_cycles) run.notes += "\n" + cycle_estimate_line(fw);
    if (options.profile) {
      // A separate build with the markers, so the plain build above stays what users ship.
      request.profile = true;
      request.work_dir = options.work_dir + "-profile";
      const firmware::FirmwareResult profiled = firmware::run_model_on_qemu(request);
      if (profiled.outputs != fw.outputs)
        throw std::runtime_error(
            "the profiled build (TINYNAS_PROFILE) computes other outputs "
            "than the plain build");
      run.profile = firmware::make_layer_profile(model.graph, profiled);
      for (int64_t n : fw.instructions) run.plain_instructions += static_cast<double>(n);
      run.plain_instructions /= static_cast<double>(std::max<size_t>(1, fw.instructions.size()));
    }
    return run;
  }
  throw std::invalid_argument("--target must be host, qemu-m4 or qemu-m7, got '" + target + "'");
}

int64_t arena_define(const std::string& model_h) {
  std::ifstream f(model_h);
  std::string line;
  const std::string key = "#define TINYNAS_ARENA_BYTES ";
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) != 0) continue;
    try {
      return std::stoll(line.substr(key.size()));
    } catch (const std::exception&) {  // stoll's own message is only "stoll"
      throw std::invalid_argument(model_h + ": TINYNAS_ARENA_BYTES is not a number");
    }
  }
  throw std::invalid_argument(model_h + " has no TINYNAS_ARENA_BYTES");
}

}  // namespace

int verify_command(int argc, char** argv) {
  cxxopts::Options options("tinynas verify",
                           "Run an exported model on random int8 inputs and compare its outputs "
                           "byte for byte with the reference interpreter.");
  options.positional_help("MODEL_DIR");
  options.add_options()("model", "folder written by tinynas export", cxxopts::value<std::string>())(
      "inputs", "number of random inputs", cxxopts::value<int>()->default_value("100"))(
      "seed", "seed of the random inputs", cxxopts::value<uint64_t>()->default_value("1"))(
      "target", "host, qemu-m4 or qemu-m7", cxxopts::value<std::string>()->default_value("host"))(
      "no-sanitize", "host: skip the AddressSanitizer/UBSan build")(
      "compiler", "host C compiler", cxxopts::value<std::string>()->default_value("gcc"))(
      "board",
      "qemu: link with this board's Flash / SRAM (default: stm32f412 for qemu-m4, "
      "stm32f746 for qemu-m7)",
      cxxopts::value<std::string>())("work",
                                     "qemu: build folder (default MODEL_DIR/firmware-TARGET)",
                                     cxxopts::value<std::string>())(
      "profile",
      "qemu: also build with a marker after every layer and report instructions per layer and "
      "per op kind (profile.csv, profile.png)")(
      "out", "--profile: folder for profile.csv and profile.png (default MODEL_DIR)",
      cxxopts::value<std::string>())(
      "no-cycle-estimate",
      "qemu: skip the cortex_m_timing plugin (estimated cycles per inference and per layer)")(
      "config-dir", "folder holding spaces/ and boards/", cxxopts::value<std::string>())(
      "h,help", "show this help");
  options.parse_positional({"model"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("model")) throw std::invalid_argument("tinynas verify needs a MODEL_DIR");
  const std::string dir = parsed["model"].as<std::string>();
  const int count = parsed["inputs"].as<int>();
  if (count < 1) throw std::invalid_argument("--inputs must be at least 1");
  for (const char* file : {"quant_model.json", "model.h", "model.c", "weights.c"})
    if (!std::filesystem::is_regular_file(dir + "/" + file))
      throw std::invalid_argument("'" + dir + "' is not an exported model folder (no " + file +
                                  ")");
  const engine::QuantModel model = engine::load_quant_model(dir + "/quant_model.json");

  // The generated arena must be the scheduler's arena for this graph.
  const int64_t arena = arena_define(dir + "/model.h");
  const int64_t planned = memory::Scheduler().arena_bytes(model.graph);
  if (arena != planned)
    throw std::runtime_error("model.h allocates " + std::to_string(arena) +
                             " arena bytes but the scheduler plans " + std::to_string(planned));

  const int64_t in_bytes = model.graph.tensor(model.graph.input()).bytes();
  const int out_bytes = static_cast<int>(model.graph.tensor(model.graph.output()).bytes());
  const std::vector<int8_t> inputs =
      engine::random_int8_inputs(count, in_bytes, parsed["seed"].as<uint64_t>());
  const std::vector<int8_t> expected = engine::run_reference_batch(model, inputs, count);
  const std::string target = parsed["target"].as<std::string>();
  TargetOptions target_options;
  target_options.sanitize = !parsed.count("no-sanitize");
  target_options.compiler = parsed["compiler"].as<std::string>();
  if (parsed.count("board"))
    target_options.board =
        memory::load_board(parsed["board"].as<std::string>(), config_dir_option(parsed));
  target_options.work_dir =
      parsed.count("work") ? parsed["work"].as<std::string>() : dir + "/firmware-" + target;
  target_options.profile = parsed.count("profile") > 0;
  target_options.estimate_cycles = parsed.count("no-cycle-estimate") == 0;
  if (parsed.count("out") && !target_options.profile)
    throw std::invalid_argument("--out names where --profile writes; add --profile");
  const TargetRun run = run_on_target(target, dir, model, inputs, count, in_bytes, target_options);
  const engine::VerifyResult r = engine::compare_outputs(expected, run.outputs, out_bytes);

  std::printf("%s\n", run.notes.c_str());
  if (run.profile) {
    const std::string out = parsed.count("out") ? parsed["out"].as<std::string>() : dir;
    std::printf("%s", layer_profile_text(*run.profile, run.plain_instructions).c_str());
    std::filesystem::path folder = std::filesystem::absolute(dir).lexically_normal();
    if (folder.filename().empty()) folder = folder.parent_path();  // "model/"
    const std::string name = folder.filename().string();
    const ProfileFiles files = write_layer_profile(*run.profile, out,
                                                   (name.empty() ? std::string("model") : name) +
                                                       ": instructions per layer on " + target +
                                                       " (QEMU -icount, TINYNAS_PROFILE build)");
    std::printf("wrote %s\n", files.csv_path.c_str());
    if (files.plot.ok)
      std::printf("wrote %s\n", files.plot.png_path.c_str());
    else
      std::printf("no plot: %s\n", files.plot.message.c_str());
  }
  std::printf("arena %lld bytes (== scheduler)\n", static_cast<long long>(arena));
  std::printf("%s: %d inputs, %d mismatched inputs, %lld mismatched bytes", target.c_str(),
              r.inputs, r.mismatched_inputs, static_cast<long long>(r.mismatched_bytes));
  if (!r.exact())
    std::printf(" (max |diff| %d; first: %s)", r.max_abs_diff, r.first_mismatch.c_str());
  std::printf("\n%s\n", r.exact() ? "bit-exact" : "MISMATCH");
  return r.exact() ? 0 : 1;
}

}  // namespace tinynas::cli
