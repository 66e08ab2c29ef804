#include "cli/supernet_access.h"

#include <stdexcept>

#ifdef TINYNAS_WITH_TORCH
#include "cli/supernet_args.h"
#include "pipeline/supernet_meter.h"
#include "supernet/zero_cost_proxy.h"
#endif

namespace tinynas::cli {

#ifdef TINYNAS_WITH_TORCH
pipeline::SupernetRun supernet_run(const std::string& checkpoint,
                                   const supernet::CheckpointInfo& info, const Settings& run) {
  pipeline::SupernetRun r;
  r.space = info.space;
  r.width_mult = info.width_mult;
  r.request = eval_request_for(run, checkpoint);
  r.train_resolutions = run.train.resolutions;
  return r;
}
#endif

pipeline::SupernetAccess supernet_access() {
  pipeline::SupernetAccess access;
#ifdef TINYNAS_WITH_TORCH
  access.describe = [](const std::string& checkpoint) {
    const supernet::CheckpointInfo info = supernet::describe_checkpoint(checkpoint);
    return supernet_run(checkpoint, info, checkpoint_settings(info, ""));
  };
  access.open_meter = pipeline::open_supernet_meter;
#endif
  return access;
}

std::unique_ptr<nas::FitnessEvaluator> training_free_fitness(const std::string& kind,
                                                             const nas::SearchSpace& space,
                                                             uint64_t seed) {
#ifdef TINYNAS_WITH_TORCH
  supernet::ZeroCostOptions options;
  options.proxy = supernet::zero_cost_proxy_from_string(kind);
  options.seed = seed;
  return std::make_unique<supernet::ZeroCostFitness>(space, options);
#else
  (void)space;
  (void)seed;
  throw std::invalid_argument("fitness '" + kind +
                              "' runs networks: this tinynas was built without LibTorch");
#endif
}

}  // namespace tinynas::cli
