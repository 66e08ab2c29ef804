#include "cli/supernet_args.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "nas/random.h"
#include "nas/sampling.h"
#include "util/json_reader.h"

namespace tinynas::cli {

Settings checkpoint_settings(const supernet::CheckpointInfo& info, const std::string& config) {
  Settings s;
  if (!config.empty()) {
    apply_experiment_file(config, s);
    return s;
  }
  // The CLI's settings stored beside the run supply what the checkpoint does not describe
  // (predictor, search, threads). Written by a tinynas whose keys have since changed, they do not
  // read: then those keep their defaults.
  if (info.settings.is_object() && !info.settings.empty()) {
    try {
      apply_experiment_json(info.settings, "settings stored in the checkpoint", s);
    } catch (const std::invalid_argument& e) {
      spdlog::warn("{}: ignored; the checkpoint's own description of the run is used", e.what());
      s = Settings{};
      s.space = info.space.name;
    }
  } else {
    s.space = info.space.name;
  }
  // What the run was (data, options, seed) is the checkpoint's own description.
  s.supernet = info.supernet;
  s.data = info.run.data;
  s.train = info.run.train;
  s.eval = info.run.eval;
  s.seed = info.run.seed;
  return s;
}

nas::Arch arch_argument(const std::string& arg, const supernet::CheckpointInfo& info,
                        const Settings& settings, std::optional<int> resolution) {
  int r = resolution.value_or(0);
  if (r == 0)
    r = settings.train.resolutions.empty() ? info.space.resolutions.back()
                                           : *std::max_element(settings.train.resolutions.begin(),
                                                               settings.train.resolutions.end());
  nas::Arch arch;
  if (arg == "largest") {
    arch = nas::largest_arch(info.space, r, info.width_mult);
  } else if (arg == "smallest") {
    arch = nas::smallest_arch(info.space, r, info.width_mult);
  } else if (arg.rfind("random", 0) == 0) {
    uint64_t seed = 0;
    if (arg.size() > 7 && arg[6] == ':') {
      try {
        seed = std::stoull(arg.substr(7));
      } catch (const std::exception&) {
        throw std::invalid_argument("ARCH '" + arg + "': expected random:SEED with a number");
      }
    } else if (arg != "random") {
      throw std::invalid_argument("ARCH '" + arg + "': expected random or random:SEED");
    }
    nas::Rng rng(seed);
    arch = nas::sample_arch(info.space, r, info.width_mult, rng);
  } else {
    if (!std::filesystem::exists(arg))
      throw std::invalid_argument("arch file '" + arg +
                                  "' does not exist (or use largest, smallest, random:SEED)");
    arch = nas::arch_from_json(util::read_json_file(arg), arg);
    if (resolution) arch.resolution = *resolution;
    try {
      nas::validate(arch, info.space);
    } catch (const std::invalid_argument& e) {  // name the file, not just the field
      throw std::invalid_argument(arg + ": " + e.what());
    }
    return arch;
  }
  arch.num_classes = info.num_classes;
  return arch;
}

std::string existing_data_path(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw std::invalid_argument("--data: '" + path + "' does not exist");
  return path;
}

std::string cache_dir_for(const std::string& checkpoint) {
  const std::filesystem::path parent = std::filesystem::path(checkpoint).parent_path();
  return ((parent.empty() ? std::filesystem::path(".") : parent) / "cache").string();
}

supernet::EvalRequest eval_request_for(const Settings& settings, const std::string& checkpoint) {
  supernet::EvalRequest request;
  request.data = settings.data;
  request.eval = settings.eval;
  request.seed = settings.seed;
  request.train_subset = settings.train.train_subset;
  request.threads = settings.threads;
  request.cache_dir = cache_dir_for(checkpoint);
  request.device = settings.train.device;
  return request;
}

supernet::TrainJob train_job_for(const Settings& settings, const std::string& config_dir) {
  supernet::TrainJob job;
  job.space = nas::load_space(settings.space, config_dir);
  job.supernet = settings.supernet;
  job.train = settings.train;
  job.eval = settings.eval;
  job.data = settings.data;
  job.seed = settings.seed;
  job.threads = settings.threads;
  return job;
}

}  // namespace tinynas::cli
