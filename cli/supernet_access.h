// How the CLI lets the pipelines reach a trained supernet: the run behind a checkpoint is
// described by the settings stored in it (cli/settings.h's schema), and meters are the
// supernet's evaluator. Builds without LibTorch get an empty SupernetAccess.
#pragma once

#include <string>

#include "cli/settings.h"
#include "pipeline/accuracy_meter.h"
#include "supernet/api.h"

namespace tinynas::cli {

pipeline::SupernetAccess supernet_access();

#ifdef TINYNAS_WITH_TORCH
// The run that trained checkpoint (described by info), with its stored settings `run`.
pipeline::SupernetRun supernet_run(const std::string& checkpoint,
                                   const supernet::CheckpointInfo& info, const Settings& run);
#endif

}  // namespace tinynas::cli
