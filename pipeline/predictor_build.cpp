#include "pipeline/predictor_build.h"

#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "nas/random.h"
#include "nas/sampling.h"
#include "util/file_io.h"
#include "util/interrupt.h"

namespace tinynas::pipeline {
namespace {

namespace fs = std::filesystem;

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

}  // namespace

nas::Arch predictor_sample(const nas::SearchSpace& space, const std::vector<int>& resolutions,
                           double width, uint64_t seed, int i) {
  nas::Rng rng = nas::Rng::for_stream(seed, static_cast<uint64_t>(i));
  const int r = rng.pick(resolutions);
  return nas::sample_arch(space, r, width, rng);
}

PredictorBuildResult build_predictor(const PredictorBuildOptions& options,
                                     const MeterFactory& open_meter, Observer& observer) {
  const PredictorBuildSettings& p = options.settings;
  if (p.samples < 5) throw std::invalid_argument("--samples must be at least 5");
  if (p.validation_images < 1) throw std::invalid_argument("--validation-images must be >= 1");
  const nas::SearchSpace& space = options.run.space;
  const std::vector<int> resolutions = options.run.resolutions();
  const double width = options.run.width_mult;
  const uint64_t seed = options.seed;

  std::string out = p.out;
  if (out.empty()) {
    const fs::path ckpt_dir = fs::path(options.checkpoint).parent_path();
    out = ((ckpt_dir.empty() ? fs::path(".") : ckpt_dir) / "predictor.json").string();
  }
  // The run's own data and training subset: validation images are the ones it never saw.
  supernet::EvalRequest request = options.run.request;
  request.split = "validation";
  request.eval.test_subset = p.validation_images;
  request.eval.calibration_images = p.calibration_images;
  request.threads = options.threads;

  const fs::path out_dir =
      fs::path(out).parent_path().empty() ? fs::path(".") : fs::path(out).parent_path();
  // Before any measurement: a folder that cannot be made must not cost a sub-net's work.
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir))
    throw std::invalid_argument("--out: cannot create folder '" + out_dir.string() + "'" +
                                (ec ? ": " + ec.message() : ""));
  const std::string samples_path =
      (out_dir / (fs::path(out).stem().string() + "_samples.jsonl")).string();
  std::vector<nas::AccuracySample> samples = read_samples(samples_path, space);
  for (size_t i = 0; i < samples.size(); ++i)
    if (samples[i].arch != predictor_sample(space, resolutions, width, seed, static_cast<int>(i)))
      throw std::invalid_argument(samples_path + " holds sub-nets of another seed or supernet; " +
                                  "delete it to measure again");
  if (!samples.empty())
    observer.note(NoteLevel::kInfo, "resuming: " + std::to_string(samples.size()) + " of " +
                                        std::to_string(p.samples) +
                                        " sub-nets already measured in " + samples_path);

  // Counts this call's measurements only, so rate and ETA stay true when resuming.
  const int resumed = static_cast<int>(samples.size());
  if (resumed < p.samples) {
    const std::unique_ptr<AccuracyMeter> meter = open_meter(options.checkpoint, request);
    observer.note(NoteLevel::kInfo, "measuring " + std::to_string(p.samples - resumed) +
                                        " sub-nets: BN re-calibrated on " +
                                        std::to_string(p.calibration_images) +
                                        " images, top-1 on " + std::to_string(meter->images()) +
                                        " held-out training images each");
    observer.begin("predictor samples", p.samples - resumed);
    for (int i = resumed; i < p.samples; ++i) {
      util::throw_if_interrupted();  // every sub-net measured so far is in the samples file
      nas::AccuracySample sample;
      sample.arch = predictor_sample(space, resolutions, width, seed, i);
      sample.top1 = meter->accuracy(sample.arch);
      samples.push_back(std::move(sample));
      util::write_file_atomically(samples_path, samples_text(samples));
      observer.update(i + 1 - resumed);
    }
    observer.end();
  }
  samples.resize(static_cast<size_t>(p.samples));

  nas::PredictorOptions fit;
  fit.hidden = p.hidden;
  fit.train.epochs = p.epochs;
  fit.holdout_fraction = p.holdout_fraction;
  fit.seed = seed;
  nas::PredictorReport report;
  nas::AccuracyPredictor predictor =
      nas::fit_accuracy_predictor(space, width, resolutions, samples, fit, &report);
  predictor.info = {{"supernet", options.checkpoint},
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
  predictor.save(out);
  return {std::move(predictor), std::move(report), std::move(samples), resumed, out,
          samples_path,         out_dir.string()};
}

}  // namespace tinynas::pipeline
