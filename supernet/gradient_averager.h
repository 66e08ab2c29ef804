// Data-parallel gradient averaging: after a step's backward passes, the parameters' gradients are
// summed over the ranks and divided by their number, so every rank's optimizer takes the same
// step. Defined gradients are flattened into buckets of about bucket_bytes (few large messages
// instead of one per tensor; all buckets are in flight at once), reduced, and copied back.
// A parameter without a gradient this step (a block the sampled sub-net skips) keeps none: every
// rank samples the same sub-net, so every rank has the same set. A checksum of the set is reduced
// first (one float), so ranks that disagree stop with an error instead of adding up unrelated
// numbers.
// LibTorch header: include only from supernet/ sources and tests.
//
//   GradientAverager averager(group, net->parameters());
//   loss.backward();  ...  double mean_loss = averager.average(loss);  optimizer.step();
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "supernet/worker_group.h"

namespace tinynas::supernet {

class GradientAverager {
 public:
  GradientAverager(WorkerGroup& group, std::vector<torch::Tensor> parameters,
                   int64_t bucket_bytes = int64_t{4} << 20);

  // Averages the gradients, and this rank's loss with the others' (returned; it travels with the
  // layout check, so it costs no extra message). Throws std::runtime_error when a collective
  // fails or the ranks' gradients do not line up.
  double average(double loss);

  // Wall-clock seconds spent in average() so far (flatten, reduce, copy back).
  double seconds() const { return seconds_; }

 private:
  WorkerGroup& group_;
  std::vector<torch::Tensor> parameters_;
  int64_t bucket_bytes_;
  double seconds_ = 0;
};

}  // namespace tinynas::supernet
