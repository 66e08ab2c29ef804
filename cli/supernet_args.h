// What tinynas eval / extract / train share when they talk to a supernet: the settings a
// checkpoint was trained with (optionally replaced by --config), and the ARCH argument, which is
// an arch JSON file or one of the keywords largest, smallest, random[:SEED] for the checkpoint's
// supernet at a resolution.
#pragma once

#include <optional>
#include <string>

#include "cli/settings.h"
#include "nas/arch.h"
#include "supernet/api.h"

namespace tinynas::cli {

// The --config file's settings on top of the defaults when given; otherwise the checkpoint's own
// run description (data, supernet, train, eval, seed) with the rest from the CLI settings stored
// beside it (defaults where those no longer read).
Settings checkpoint_settings(const supernet::CheckpointInfo& info, const std::string& config);

// resolution: for the keywords; empty = the largest training resolution (or the space's largest).
nas::Arch arch_argument(const std::string& arg, const supernet::CheckpointInfo& info,
                        const Settings& settings, std::optional<int> resolution);

// The --data path, which must exist: a checkpoint of synthetic data would otherwise ignore it.
std::string existing_data_path(const std::string& path);

// "runs/x/supernet.pt" -> "runs/x/cache": where the decoded data set of that run is kept.
std::string cache_dir_for(const std::string& checkpoint);

// A training job with the settings' space, network, training and evaluation options, data, seed
// and threads; the caller sets where it writes and how it runs.
supernet::TrainJob train_job_for(const Settings& settings, const std::string& config_dir);

// How to evaluate sub-nets of this checkpoint: its data set, evaluation settings, seed, the
// training subset it trained on and its data cache.
supernet::EvalRequest eval_request_for(const Settings& settings, const std::string& checkpoint);

}  // namespace tinynas::cli
