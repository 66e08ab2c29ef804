// tinynas bench MODEL_DIR --board NAME: the model built into the board's bench firmware, flashed
// through pyOCD or OpenOCD (or run on QEMU for qemu-m4 / qemu-m7), the result block read back
// from RAM: ms at the board clock, cycles per inference (min / median / max), per layer, output
// hash against the reference interpreter, stack high-water mark, arena guards
// (firmware/board_bench.h). With no board attached: one line naming the runners tried and the
// probes seen, exit 2.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/options.h"
#include "firmware/board_bench.h"
#include "memory_model/board.h"
#include "util/file_io.h"

namespace tinynas::cli {
namespace {

void print_report(const firmware::BenchResult& r) {
  const bool qemu = r.counter == "instructions";
  std::printf("%s (%s, %.0f MHz) via %s%s%s: %u timed runs after 1 warm-up, timer %s%s%s\n",
              r.board.c_str(), r.core.c_str(), static_cast<double>(r.clock_hz) / 1e6,
              r.runner.c_str(), r.probe.empty() ? "" : " ", r.probe.c_str(), r.block.runs_done,
              firmware::timer_name(r.block.timer_source).c_str(), r.block.config_flags ? ", " : "",
              firmware::config_names(r.block.config_flags).c_str());
  std::printf("%s per inference: min %llu, median %llu, max %llu\n", r.counter.c_str(),
              static_cast<unsigned long long>(r.min), static_cast<unsigned long long>(r.median),
              static_cast<unsigned long long>(r.max));
  std::printf("ms: min %.3f, median %.3f, max %.3f%s\n", r.ms_min, r.ms_median, r.ms_max,
              qemu ? " (QEMU virtual time, 1 ns per instruction: not a board latency)"
                   : " (at the board clock)");
  std::printf(
      "output hash %08x%s; stack peak %u bytes; arena guards %s; Flash %lld of %lld, RAM "
      "%lld of %lld bytes\n",
      r.block.output_hash,
      !r.reference_checked         ? " (no quant_model.json to compare with)"
      : r.output_matches_reference ? " (equals the reference interpreter's)"
                                   : " (DIFFERS from the reference interpreter's)",
      r.block.stack_peak_bytes, r.block.guard_status == 0 ? "intact" : "corrupted",
      static_cast<long long>(r.sections.flash_bytes()),
      static_cast<long long>(r.layout.flash_bytes), static_cast<long long>(r.sections.ram_bytes()),
      static_cast<long long>(r.layout.ram_bytes));
  const bool estimated = r.cycles.available;
  if (estimated)
    std::printf(
        "estimated %s cycles per inference (last run): %.0f, CPI %.2f (%s model, P = %.0f; an "
        "estimate from Arm's timing tables, not validated on silicon)\n",
        r.core.c_str(), r.cycles.inference_cycles.back(),
        r.cycles.inference_instructions.back() > 0
            ? r.cycles.inference_cycles.back() /
                  static_cast<double>(r.cycles.inference_instructions.back())
            : 0.0,
        r.cycles.model.c_str(), r.cycles.branch_penalty);
  else if (!r.cycles.reason.empty())
    std::printf("%s\n", r.cycles.reason.c_str());
  if (!r.layers.empty()) {
    std::printf("per layer (last run, each with one marker of %.1f %s):\n", r.marker_count,
                r.counter.c_str());
    std::printf("  %4s  %-14s %-18s %10s %12s%s\n", "#", "layer", "op", "MACs", r.counter.c_str(),
                estimated ? "  est. cycles" : "");
    for (const firmware::BenchLayer& l : r.layers) {
      std::printf("  %4d  %-14s %-18s %10lld %12llu", l.index, l.name.c_str(), l.op.c_str(),
                  static_cast<long long>(l.macs), static_cast<unsigned long long>(l.count));
      if (estimated && l.estimated_cycles >= 0) std::printf(" %12.0f", l.estimated_cycles);
      std::printf("\n");
    }
  }
}

}  // namespace

int bench_command(int argc, char** argv) {
  cxxopts::Options options(
      "tinynas bench",
      "Build an exported model into a board's bench firmware, flash it over USB (pyOCD or "
      "OpenOCD) or run it on QEMU, and read back cycles per inference and per layer.");
  options.positional_help("MODEL_DIR");
  options.add_options()("model", "folder written by tinynas export", cxxopts::value<std::string>())(
      "board", "stm32f746, stm32f412, stm32h743, nrf52840, qemu-m4, qemu-m7 or a board JSON",
      cxxopts::value<std::string>())(
      "runner",
      "pyocd, openocd or qemu (default: the board's runners in order, first that "
      "sees a probe)",
      cxxopts::value<std::string>())("probe", "unique id of the probe to use (several attached)",
                                     cxxopts::value<std::string>())(
      "runs", "timed runs after one warm-up run", cxxopts::value<int>()->default_value("10"))(
      "timeout", "seconds to wait for the firmware to finish",
      cxxopts::value<double>()->default_value("60"))(
      "seed", "seed of the random input", cxxopts::value<uint32_t>()->default_value("1"))(
      "json", "print the result as JSON on stdout")(
      "build-only", "build the board image and print its sizes; no runner, no board needed")(
      "pyocd", "pyOCD executable (>= 0.14); Debian's 0.13 tools are used when it is missing",
      cxxopts::value<std::string>()->default_value("pyocd"))(
      "openocd", "OpenOCD executable", cxxopts::value<std::string>()->default_value("openocd"))(
      "out", "folder for the firmware build and bench.json (default MODEL_DIR/bench-BOARD)",
      cxxopts::value<std::string>())("config-dir", "folder holding boards/",
                                     cxxopts::value<std::string>())("h,help", "show this help");
  options.parse_positional({"model"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("model")) throw std::invalid_argument("tinynas bench needs a MODEL_DIR");
  if (!parsed.count("board"))
    throw std::invalid_argument(
        "tinynas bench needs --board (stm32f746, stm32f412, stm32h743, nrf52840, qemu-m4, "
        "qemu-m7)");
  firmware::BenchRequest request;
  request.model_dir = parsed["model"].as<std::string>();
  request.runs = parsed["runs"].as<int>();
  if (request.runs < 1)
    throw std::invalid_argument("--runs must be at least 1, got " + std::to_string(request.runs));
  request.timeout_s = parsed["timeout"].as<double>();
  if (!(request.timeout_s > 0)) throw std::invalid_argument("--timeout must be positive");
  request.seed = parsed["seed"].as<uint32_t>();
  if (!std::filesystem::is_directory(request.model_dir))
    throw std::invalid_argument("model folder '" + request.model_dir +
                                "' does not exist (write one with tinynas export)");
  for (const char* file : {"model.h", "model.json"})
    if (!std::filesystem::is_regular_file(request.model_dir + "/" + file))
      throw std::invalid_argument("'" + request.model_dir +
                                  "' is not an exported model folder (no " + file + ")");
  request.board = memory::load_board(parsed["board"].as<std::string>(), config_dir_option(parsed));
  if (parsed.count("runner")) request.runner = parsed["runner"].as<std::string>();
  request.pyocd.pyocd = parsed["pyocd"].as<std::string>();
  request.openocd.openocd = parsed["openocd"].as<std::string>();
  if (parsed.count("probe")) request.probe_uid = parsed["probe"].as<std::string>();
  const std::string out = parsed.count("out") ? parsed["out"].as<std::string>()
                                              : request.model_dir + "/bench-" + request.board.name;
  request.work_dir = out;

  if (parsed.count("build-only")) {
    const firmware::BoardFirmware fw = firmware::board_firmware(request.board);
    const firmware::BuildResult built =
        firmware::build_bench_firmware(request, fw, /*qemu_exit=*/false, /*run_id=*/0);
    nlohmann::json j = {{"board", fw.board},
                        {"elf", built.elf_path},
                        {"flash_limit_bytes", fw.layout.flash_bytes},
                        {"ram_limit_bytes", fw.layout.ram_bytes},
                        {"result_address", fw.result_address},
                        {"sections", firmware::section_sizes_to_json(built.sizes)},
                        {"build_seconds", built.seconds}};
    if (parsed.count("json")) {
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf(
          "%s: %s linked in %.1f s; Flash %lld of %lld bytes, RAM %lld of %lld bytes "
          "(stack reserve included); result block at 0x%08x\n",
          fw.board.c_str(), built.elf_path.c_str(), built.seconds,
          static_cast<long long>(built.sizes.flash_bytes()),
          static_cast<long long>(fw.layout.flash_bytes),
          static_cast<long long>(built.sizes.ram_bytes()),
          static_cast<long long>(fw.layout.ram_bytes), fw.result_address);
    }
    return 0;
  }
  const firmware::BenchResult result = firmware::run_bench(request);
  const nlohmann::json json = firmware::bench_result_to_json(result);
  util::write_file_atomically(out + "/bench.json", json.dump(2) + "\n");
  if (parsed.count("json"))
    std::printf("%s\n", json.dump(2).c_str());
  else
    print_report(result);
  if (result.reference_checked && !result.output_matches_reference) {
    std::fprintf(stderr,
                 "tinynas: failed: the board's output hash differs from the reference "
                 "interpreter's\n");
    return 1;
  }
  return 0;
}

}  // namespace tinynas::cli
