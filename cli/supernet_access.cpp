#include "cli/supernet_access.h"

#ifdef TINYNAS_WITH_TORCH
#include "cli/supernet_args.h"
#include "pipeline/supernet_meter.h"
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

}  // namespace tinynas::cli
