// tinynas predictor build --supernet CKPT: measure random sub-nets of a trained supernet (BN
// re-calibrated, top-1 on training images the run did not train on), fit the accuracy predictor
// (nas/accuracy_predictor.h) and report its error on held-out sub-nets. The measurements go to a
// JSON-lines file as they are made, so an interrupted build resumes where it stopped.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/console_observer.h"
#include "cli/interrupt_exit.h"
#include "cli/options.h"
#include "cli/plots.h"
#include "cli/supernet_access.h"
#include "cli/supernet_args.h"
#include "pipeline/predictor_build.h"
#include "pipeline/supernet_meter.h"

namespace tinynas::cli {
namespace {

int build(int argc, char** argv) {
  cxxopts::Options options("tinynas predictor build",
                           "Measure random sub-nets of a supernet and fit the accuracy predictor "
                           "(MLP on the arch encoding); report its RMSE on held-out sub-nets.");
  options.add_options()("supernet", "checkpoint written by tinynas train",
                        cxxopts::value<std::string>())(
      "config", "experiment JSON (its predictor section); default: the checkpoint's settings",
      cxxopts::value<std::string>())("samples", "sub-nets to measure", cxxopts::value<int>())(
      "validation-images", "held-out training images per sub-net", cxxopts::value<int64_t>())(
      "out", "predictor file (default: predictor.json beside the checkpoint)",
      cxxopts::value<std::string>())("seed", "which sub-nets, and the MLP's initialisation",
                                     cxxopts::value<int64_t>())(
      "threads", "torch threads (0 = all cores)", cxxopts::value<int>())(
      "quiet", "no progress line")("h,help", "show this help");
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("supernet"))
    throw std::invalid_argument("tinynas predictor build needs --supernet CKPT");
  const std::string checkpoint = parsed["supernet"].as<std::string>();
  const supernet::CheckpointInfo info = supernet::describe_checkpoint(checkpoint);
  const Settings run = checkpoint_settings(info, "");
  Settings s =
      parsed.count("config") ? checkpoint_settings(info, parsed["config"].as<std::string>()) : run;
  pipeline::PredictorBuildOptions build;
  build.checkpoint = checkpoint;
  build.run = supernet_run(checkpoint, info, run);
  PredictorBuildSettings& p = build.settings;
  p = s.predictor;
  if (parsed.count("samples")) p.samples = parsed["samples"].as<int>();
  if (parsed.count("validation-images"))
    p.validation_images = parsed["validation-images"].as<int64_t>();
  if (parsed.count("out")) p.out = parsed["out"].as<std::string>();
  build.seed = parsed.count("seed") ? parsed["seed"].as<int64_t>() : s.seed;
  build.threads = parsed.count("threads") ? parsed["threads"].as<int>() : s.threads;
  {
    const std::filesystem::path out(p.out);
    // pipeline::build_predictor's name for it; rewritten whole after every sub-net.
    const std::filesystem::path samples =
        out.parent_path() / (out.stem().string() + "_samples.jsonl");
    set_saved_state("the sub-nets measured so far are in " + samples.string() +
                    "; the same command measures only the rest");
  }
  ConsoleObserver<> observer(parsed.count("quiet") == 0);
  const pipeline::PredictorBuildResult built =
      pipeline::build_predictor(build, pipeline::open_supernet_meter, observer);
  const nas::PredictorReport& report = built.report;
  const std::vector<nas::AccuracySample>& samples = built.samples;

  const std::string& plot_dir = built.out_dir;
  char title[160];
  std::snprintf(title, sizeof title, "Accuracy predictor: %lld held-out sub-nets, RMSE %.2f",
                static_cast<long long>(report.holdout_samples), report.rmse_holdout);
  const PlotResult plot =
      plot_predictor(plot_dir, report.holdout_measured, report.holdout_predicted, title);
  if (plot.ok)
    spdlog::info("plot: {}", plot.png_path);
  else
    spdlog::warn("plot not written: {}", plot.message);

  double lo = 1e9, hi = -1e9;
  for (const auto& sm : samples) lo = std::min(lo, sm.top1), hi = std::max(hi, sm.top1);
  std::printf("measured %d sub-nets: top-1 %.2f%% to %.2f%% (mean %.2f%%)\n", p.samples, lo, hi,
              report.base_accuracy);
  std::printf("predictor (MLP");
  for (int h : p.hidden) std::printf(" %d", h);
  std::printf(", %d epochs) trained on %lld, held out %lld\n", p.epochs,
              static_cast<long long>(report.train_samples),
              static_cast<long long>(report.holdout_samples));
  std::printf(
      "RMSE: train %.3f, held-out %.3f points (predicting the mean: %.3f); "
      "Kendall tau on held-out %.3f\n",
      report.rmse_train, report.rmse_holdout, report.rmse_holdout_of_mean,
      report.kendall_tau_holdout);
  std::printf("wrote %s\n", built.predictor_path.c_str());
  return 0;
}

}  // namespace

int predictor_command(int argc, char** argv) {
  static constexpr const char* kUsage =
      "usage: tinynas predictor build --supernet CKPT [--samples N] [--out FILE]\n"
      "  build   measure random sub-nets of a supernet and fit the accuracy predictor\n";
  if (argc < 2) {
    std::fputs(kUsage, stderr);  // a missing action is an error: usage on stderr, exit 2
    return 2;
  }
  if (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const std::string action = argv[1];
  if (action == "build") return build(argc - 1, argv + 1);
  throw std::invalid_argument("unknown predictor action '" + action + "' (build)");
}

}  // namespace tinynas::cli
