// tinynas predictor build --supernet CKPT: measure random sub-nets of a trained supernet (BN
// re-calibrated, top-1 on training images the run did not train on), fit the accuracy predictor
// (nas/accuracy_predictor.h) and report its error on held-out sub-nets. The measurements go to a
// JSON-lines file as they are made, so an interrupted build resumes where it stopped.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/plots.h"
#include "cli/progress.h"
#include "cli/supernet_args.h"
#include "nas/accuracy_predictor.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "supernet/supernet_evaluator.h"
#include "util/file_io.h"

namespace tinynas::cli {
namespace {

namespace fs = std::filesystem;

// Sub-net i of a build is a function of (seed, i) only, so a resumed build measures the same ones.
nas::Arch sample_for_predictor(const nas::SearchSpace& space, const std::vector<int>& resolutions,
                               double width, uint64_t seed, int i) {
  nas::Rng rng = nas::Rng::for_stream(seed, static_cast<uint64_t>(i));
  const int r = rng.pick(resolutions);
  return nas::sample_arch(space, r, width, rng);
}

std::vector<nas::AccuracySample> read_samples(const std::string& path,
                                              const nas::SearchSpace& space) {
  std::vector<nas::AccuracySample> samples;
  const std::optional<std::string> text = util::read_file(path);
  if (!text) return samples;
  std::istringstream lines(*text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    const std::string where = path + " line " + std::to_string(number);
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      nas::AccuracySample s;
      s.arch = nas::arch_from_json(j.at("arch"), where);
      nas::validate(s.arch, space);
      s.top1 = j.at("top1").get<double>();
      samples.push_back(std::move(s));
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(where + ": not a measured sub-net (" + e.what() +
                                  "); delete the file to measure again");
    }
  }
  return samples;
}

std::string samples_text(const std::vector<nas::AccuracySample>& samples) {
  std::string text;
  for (const auto& s : samples)
    text += nlohmann::json{{"arch", nas::arch_to_json(s.arch)}, {"top1", s.top1}}.dump() + "\n";
  return text;
}

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
  PredictorBuildSettings p = s.predictor;
  if (parsed.count("samples")) p.samples = parsed["samples"].as<int>();
  if (p.samples < 5) throw std::invalid_argument("--samples must be at least 5");
  if (parsed.count("validation-images"))
    p.validation_images = parsed["validation-images"].as<int64_t>();
  if (p.validation_images < 1) throw std::invalid_argument("--validation-images must be >= 1");
  if (parsed.count("out")) p.out = parsed["out"].as<std::string>();
  const fs::path ckpt_dir = fs::path(checkpoint).parent_path();
  if (p.out.empty()) p.out = (ckpt_dir.empty() ? fs::path(".") : ckpt_dir) / "predictor.json";
  const uint64_t seed = parsed.count("seed") ? parsed["seed"].as<int64_t>() : s.seed;
  const bool quiet = parsed.count("quiet") > 0;

  // The run's own data and training subset: validation images are the ones it never saw.
  supernet::EvalRequest request = eval_request_for(run, checkpoint);
  request.split = "validation";
  request.eval.test_subset = p.validation_images;
  request.eval.calibration_images = p.calibration_images;
  request.threads = parsed.count("threads") ? parsed["threads"].as<int>() : s.threads;
  std::vector<int> resolutions = run.train.resolutions;
  if (resolutions.empty()) resolutions = {info.space.resolutions.back()};
  const double width = info.width_mult;

  const fs::path out_dir =
      fs::path(p.out).parent_path().empty() ? fs::path(".") : fs::path(p.out).parent_path();
  // Before any measurement: a folder that cannot be made must not cost a sub-net's work.
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir))
    throw std::invalid_argument("--out: cannot create folder '" + out_dir.string() + "'" +
                                (ec ? ": " + ec.message() : ""));
  const std::string samples_path =
      (out_dir / (fs::path(p.out).stem().string() + "_samples.jsonl")).string();
  std::vector<nas::AccuracySample> samples = read_samples(samples_path, info.space);
  for (size_t i = 0; i < samples.size(); ++i)
    if (samples[i].arch !=
        sample_for_predictor(info.space, resolutions, width, seed, static_cast<int>(i)))
      throw std::invalid_argument(samples_path + " holds sub-nets of another seed or supernet; " +
                                  "delete it to measure again");
  if (!samples.empty())
    spdlog::info("resuming: {} of {} sub-nets already measured in {}", samples.size(), p.samples,
                 samples_path);

  if (static_cast<int>(samples.size()) < p.samples) {
    supernet::SupernetEvaluator evaluator(checkpoint, request);
    spdlog::info(
        "measuring {} sub-nets: BN re-calibrated on {} images, top-1 on {} held-out "
        "training images each",
        p.samples - static_cast<int>(samples.size()), p.calibration_images, evaluator.images());
    // Counts this call's measurements only, so rate and ETA stay true when resuming.
    const int resumed = static_cast<int>(samples.size());
    Progress progress("predictor samples", p.samples - resumed, !quiet);
    for (int i = resumed; i < p.samples; ++i) {
      nas::AccuracySample sample;
      sample.arch = sample_for_predictor(info.space, resolutions, width, seed, i);
      sample.top1 = evaluator.accuracy(sample.arch);
      samples.push_back(std::move(sample));
      util::write_file_atomically(samples_path, samples_text(samples));
      progress.update(i + 1 - resumed);
    }
    progress.finish();
  }
  samples.resize(static_cast<size_t>(p.samples));

  nas::PredictorOptions fit;
  fit.hidden = p.hidden;
  fit.train.epochs = p.epochs;
  fit.holdout_fraction = p.holdout_fraction;
  fit.seed = seed;
  nas::PredictorReport report;
  nas::AccuracyPredictor predictor =
      nas::fit_accuracy_predictor(info.space, width, resolutions, samples, fit, &report);
  predictor.info = {{"supernet", checkpoint},
                    {"samples", samples_path},
                    {"measured", p.samples},
                    {"split", "validation"},
                    {"validation_images", p.validation_images},
                    {"calibration_images", p.calibration_images},
                    {"train_samples", report.train_samples},
                    {"holdout_samples", report.holdout_samples},
                    {"rmse_train", report.rmse_train},
                    {"rmse_holdout", report.rmse_holdout},
                    {"rmse_holdout_of_mean", report.rmse_holdout_of_mean},
                    {"kendall_tau_holdout", report.kendall_tau_holdout}};
  predictor.save(p.out);

  const std::string plot_dir = out_dir.string();
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
  std::printf("wrote %s\n", p.out.c_str());
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
