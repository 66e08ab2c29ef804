// How the CLI lets the pipelines reach a trained supernet: the run behind a checkpoint is
// described by the settings stored in it (cli/settings.h's schema), and meters are the
// supernet's evaluator; the training-free proxies need LibTorch too. Builds without LibTorch get
// an empty SupernetAccess.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/settings.h"
#include "nas/fitness.h"
#include "nas/search_space.h"
#include "pipeline/accuracy_meter.h"
#include "supernet/api.h"

namespace tinynas::cli {

pipeline::SupernetAccess supernet_access();

// The training-free proxy `kind` ("zen" or "naswot", supernet/zero_cost_proxy.h) as the search's
// fitness over space. Throws std::invalid_argument in a build without LibTorch.
std::unique_ptr<nas::FitnessEvaluator> training_free_fitness(const std::string& kind,
                                                             const nas::SearchSpace& space,
                                                             uint64_t seed);

#ifdef TINYNAS_WITH_TORCH
// The run that trained checkpoint (described by info), with its stored settings `run`.
pipeline::SupernetRun supernet_run(const std::string& checkpoint,
                                   const supernet::CheckpointInfo& info, const Settings& run);
#endif

}  // namespace tinynas::cli
