// tinynas: neural-architecture search for microcontrollers. Dispatches to the subcommands and maps
// errors to exit codes: 2 for bad usage or input, 1 for runtime failures, 130 / 143 after SIGINT /
// SIGTERM (cli/interrupt_exit.h), never a crash.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/interrupt_exit.h"
#include "util/interrupt.h"

namespace {

constexpr const char* kUsage =
    "tinynas " TINYNAS_VERSION
    ": find the most accurate network that fits a microcontroller\n"
    "\n"
    "usage: tinynas <command> [options]    (tinynas <command> --help for its options)\n"
    "\n"
    "commands:\n"
    "  search   rank (resolution, width) sub-spaces, then evolve the best sub-net in the best one\n"
    "  space    rank the (resolution, width) sub-spaces only\n"
    "  evolve   evolutionary search in one (resolution, width) sub-space\n"
    "  cost     MACs, params, Flash and scheduled SRAM of an arch JSON\n"
    "  train    train a once-for-all supernet from an experiment config (--resume continues)\n"
    "  eval     top-1 of one sub-net of a trained supernet (BN re-calibrated)\n"
    "  extract  float weights of one sub-net of a supernet, for the int8 engine\n"
    "  finetune train one sub-net further on its own (the search's winner), then extract it\n"
    "  predictor build  measure sub-nets of a supernet, fit the accuracy predictor\n"
    "  export   quantise an arch to int8 and write its C project (model.h, model.c, weights.c)\n"
    "  verify   run an exported model and compare it byte for byte with the reference\n"
    "  accuracy top-1 of an exported int8 model and of its float network on a test split\n"
    "  config   experiment settings: all defaults, every key explained, a file checked\n"
    "  bench    flash a model to a board (pyOCD / OpenOCD) or QEMU: cycles, per layer, stack\n"
    "  latency build|eval  fit a board's latency model on QEMU-measured sub-nets; its error\n"
    "  run      data + board limits + budget -> trained, quantised, verified int8 model\n"
    "\n"
    "example:\n"
    "  tinynas search --sram 320K --flash 1M\n";

int dispatch(int argc, char** argv) {
  using tinynas::cli::SearchMode;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version") {
    std::printf("tinynas %s\n", TINYNAS_VERSION);
    return 0;
  }
  if (command == "search")
    return tinynas::cli::search_command(argc - 1, argv + 1, SearchMode::kSearch);
  if (command == "space")
    return tinynas::cli::search_command(argc - 1, argv + 1, SearchMode::kSpace);
  if (command == "evolve")
    return tinynas::cli::search_command(argc - 1, argv + 1, SearchMode::kEvolve);
  if (command == "cost") return tinynas::cli::cost_command(argc - 1, argv + 1);
  if (command == "train" || command == "eval" || command == "extract" || command == "finetune" ||
      command == "predictor" || command == "run") {
#ifdef TINYNAS_WITH_TORCH
    if (command == "train") return tinynas::cli::train_command(argc - 1, argv + 1);
    if (command == "eval") return tinynas::cli::eval_command(argc - 1, argv + 1);
    if (command == "finetune") return tinynas::cli::finetune_command(argc - 1, argv + 1);
    if (command == "predictor") return tinynas::cli::predictor_command(argc - 1, argv + 1);
    if (command == "run") return tinynas::cli::run_command(argc - 1, argv + 1);
    return tinynas::cli::extract_command(argc - 1, argv + 1);
#else
    throw std::runtime_error("'" + command +
                             "' needs the supernet, but tinynas was built without LibTorch "
                             "(TINYNAS_WITH_TORCH=OFF); install libtorch-dev and rebuild");
#endif
  }
  if (command == "export") return tinynas::cli::export_command(argc - 1, argv + 1);
  if (command == "verify") return tinynas::cli::verify_command(argc - 1, argv + 1);
  if (command == "accuracy") return tinynas::cli::accuracy_command(argc - 1, argv + 1);
  if (command == "config") return tinynas::cli::config_command(argc - 1, argv + 1);
  if (command == "bench") return tinynas::cli::bench_command(argc - 1, argv + 1);
  if (command == "latency") return tinynas::cli::latency_command(argc - 1, argv + 1);
  throw std::invalid_argument("unknown command '" + command +
                              "' (commands: search, space, evolve, cost, train, eval, extract, "
                              "finetune, predictor, export, "
                              "verify, "
                              "accuracy, config, bench, latency, run; see tinynas --help)");
}

// Prints "tinynas: <kind>: <what>" and returns code, unless a signal came first: an error after
// SIGINT / SIGTERM is most likely its consequence (a child that was killed), so it is reported as
// the interruption.
int report_error(const char* kind, const std::exception& e, int code) {
  if (tinynas::util::interrupted())
    return tinynas::cli::report_interrupt(tinynas::util::interrupt_signal());
  std::fprintf(stderr, "tinynas: %s: %s\n", kind, e.what());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr so stdout stays clean for results (tinynas cost --json | jq).
  spdlog::set_default_logger(spdlog::stderr_color_mt("tinynas"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  // Leaves 0.5 s of the 2 s promised for exiting after the orderly way out is given up.
  constexpr double kInterruptDeadlineSeconds = 1.5;
  try {
    tinynas::util::install_interrupt_handlers();
    tinynas::cli::start_interrupt_deadline(kInterruptDeadlineSeconds);
    const int code = dispatch(argc, argv);
    // A signal that came after the last place that polls still ends the run as interrupted.
    if (tinynas::util::interrupted())
      return tinynas::cli::report_interrupt(tinynas::util::interrupt_signal());
    return code;
  } catch (const tinynas::util::Interrupted& e) {
    return tinynas::cli::report_interrupt(e.signal());
  } catch (const std::invalid_argument& e) {
    return report_error("error", e, 2);
  } catch (const std::exception& e) {
    return report_error("failed", e, 1);
  }
}
