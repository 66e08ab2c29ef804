// Progressive-shrinking training of an OFA supernet (Once-for-All, Cai et al. 2020): the phases of
// TrainOptions in order, each with its own SGD-Nesterov optimizer and cosine schedule with
// warm-up; per step several sampled sub-nets whose gradients accumulate, with knowledge
// distillation from the full-network teacher (or in-place from the largest sub-net under the
// sandwich rule); a checkpoint and a CSV row at the end of every epoch, and a checkpoint inside an
// epoch every train.checkpoint_minutes of wall clock. Resuming from a checkpoint, at an epoch's
// end or inside one, repeats exactly what the uninterrupted run would have done, bit for bit:
// every random choice is derived from (seed, step), batches from (seed, epoch, batch index), and
// the optimizer and torch RNG states and the epoch's running loss are restored.
// Data-parallel (job.distributed): every rank builds the same global batch, trains the same
// sub-nets on its rows of it, and averages gradients (supernet/gradient_averager.h) before each
// optimizer step; BN batch statistics stay per rank, as in Once-for-All. The result equals one
// process run with world_size x micro_batches micro-batches. Rank 0 alone evaluates, writes the
// checkpoints and the log.
// LibTorch header: include only from supernet/ sources and tests.
//
//   Trainer trainer(job, train_images, test_images, callbacks);
//   TrainResult r = trainer.run();
#pragma once

#include <torch/torch.h>

#include <memory>

#include "data/image_set.h"
#include "nas/random.h"
#include "supernet/api.h"
#include "supernet/batch_loader.h"
#include "supernet/ofa_network.h"

namespace tinynas::supernet {

class WorkerGroup;
class GradientAverager;

class Trainer {
 public:
  // Throws std::invalid_argument for bad options, or when out_dir holds a checkpoint and the job
  // does not resume (or resumes a run of another network).
  Trainer(const TrainJob& job, data::ImageSet train, data::ImageSet test, TrainCallbacks callbacks);
  ~Trainer();
  TrainResult run();

  const OFANetwork& network() const { return net_; }

  // The sub-net trained in `phase` for one draw (the other dimensions at their maximum).
  static nas::Arch sample(const OFANetwork& net, const PhaseOptions& phase, int resolution,
                          nas::Rng& rng);

 private:
  void start_phase(size_t phase, bool fresh);
  double learning_rate(const PhaseOptions& phase, int epoch, int64_t step) const;
  double train_step(const PhaseOptions& phase, const Batch& batch, int64_t global_step);
  void join_workers();
  bool writes() const;  // this process writes the checkpoint and the log (rank 0)
  void end_epoch(EpochInfo& info);
  void save() const;  // the checkpoint of the present state
  void write_log() const;

  TrainJob job_;
  data::ImageSet train_, test_;
  data::ImageSet calibration_, epoch_test_;
  TrainCallbacks callbacks_;
  torch::Device device_;
  Normalization norm_;
  OFANetwork net_{nullptr};
  OFANetwork teacher_{nullptr};
  OFANetwork teacher_source_{nullptr};  // job.start_from's network until the teacher is made
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::unique_ptr<BatchLoader> loader_;
  // {"phase", "epoch", "global_step", "global_epoch", "history"} and the position inside the
  // epoch: {"step" (batches done), "epoch_loss_sum", "epoch_seconds"}, all 0 at an epoch's end.
  nlohmann::json state_;
  RunDescription run_;  // the job's options as given, recorded in every checkpoint
  std::string checkpoint_path_, log_path_;
  std::unique_ptr<WorkerGroup> group_;  // data-parallel runs only
  std::unique_ptr<GradientAverager> averager_;
};

}  // namespace tinynas::supernet
