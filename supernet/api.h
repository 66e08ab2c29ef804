// What the CLI calls: train a supernet, evaluate or extract one sub-net of a checkpoint, read a
// checkpoint's description. No LibTorch in this header (the CLI's sources stay fast to compile);
// the work happens in supernet/*.cpp. Libraries never print: progress comes back through
// callbacks, errors as exceptions (std::invalid_argument: bad input).
//
//   TrainJob job = ...;                      // from the experiment settings
//   TrainResult r = train_supernet(job, {on_step, on_epoch});
//   SubnetEvaluation e = evaluate_subnet("runs/x/supernet.pt", arch, request);
//   ExtractResult x = extract_subnet("runs/x/supernet.pt", arch, "subnet/");
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nas/arch.h"
#include "nas/search_space.h"
#include "supernet/distributed_options.h"
#include "supernet/options.h"

namespace tinynas::supernet {

struct TrainJob {
  nas::SearchSpace space;
  SupernetOptions supernet;
  TrainOptions train;
  EvalOptions eval;
  data::DatasetSpec data;
  uint64_t seed = 0;
  int threads = 0;          // torch intra-op threads; 0: all cores
  std::string out_dir;      // supernet.pt, train_log.csv and the data cache go here
  bool resume = false;      // continue from out_dir/supernet.pt
  nlohmann::json settings;  // the CLI's settings, stored beside the checkpoint's own description
  // Each step's batch is split into micro-batches, each with its own forward/backward (and its
  // own BN batch statistics); the gradients accumulate. With data-parallel training each rank
  // splits its share into this many, so a run is defined by world_size x micro_batches shards:
  // one process with 2 micro-batches computes what 2 ranks compute.
  int micro_batches = 1;
  // Data-parallel training over several processes (world_size 1: this process alone). Every rank
  // samples the same sub-nets, takes its rows of each batch and averages gradients; rank 0 alone
  // writes the checkpoint and the log.
  DistributedOptions distributed;
  // Fine-tuning (tinynas finetune): every step trains this one sub-net at its own resolution, and
  // the per-epoch evaluation measures it. Empty: progressive shrinking of the whole supernet.
  std::optional<nas::Arch> subnet;
  // A fresh run's starting point: this supernet checkpoint's weights (inherit_weights) or a random
  // initialisation of the same network; either way its input normalisation, and its full network
  // as the teacher when a phase distills. Empty: random, with the training images' statistics.
  std::string start_from;
  bool inherit_weights = true;
  std::string checkpoint_name = "supernet.pt";  // in out_dir
  std::string cache_dir;                        // decoded data (empty: out_dir/cache)
};

struct StepInfo {
  std::string phase;
  int phase_index = 0, phases = 0;
  int epoch = 0, epochs = 0;  // within the phase, 0-based
  int64_t step = 0, steps_per_epoch = 0;
  int64_t global_step = 0, total_steps = 0;
  double loss = 0;          // mean over the epoch so far
  double images_per_s = 0;  // training images per second (each counted once per step)
  double eta_s = 0;         // whole run
};

struct EpochInfo {
  std::string phase;
  int phase_index = 0;
  int epoch = 0;
  int64_t global_step = 0;
  double loss = 0;
  double lr = 0;                                 // at the end of the epoch
  double top1_largest = -1, top1_smallest = -1;  // -1: not measured
  double top1_subnet = -1;                       // fine-tuning: the sub-net trained
  double seconds = 0, images_per_s = 0;
  double all_reduce_seconds = 0;  // data-parallel: of `seconds`, averaging gradients
};

struct TrainCallbacks {
  std::function<void(const StepInfo&)> on_step;
  std::function<void(const EpochInfo&)> on_epoch;
  std::function<void(const std::string&)> on_note;  // "loaded 50000 training images", ...
  // A checkpoint was saved inside an epoch, after the step described (train.checkpoint_minutes);
  // the one at an epoch's end is reported by on_epoch.
  std::function<void(const StepInfo&)> on_checkpoint;
  // The sub-nets one step trains, in order (the same on every rank of a data-parallel run).
  std::function<void(int64_t global_step, const std::vector<nas::Arch>&)> on_subnets;
};

struct TrainResult {
  std::string checkpoint;
  std::string log_csv;
  int64_t steps = 0;  // done in this call
  double seconds = 0;
  double images_per_s = 0;
  bool already_finished = false;  // --resume of a finished run
  std::vector<EpochInfo> history;
  double all_reduce_seconds = 0;  // data-parallel: time spent averaging gradients in this call
};

// Trains (or, with job.resume, continues) and checkpoints at the end of every epoch and, inside
// an epoch, every job.train.checkpoint_minutes of wall clock.
TrainResult train_supernet(const TrainJob& job, const TrainCallbacks& callbacks);

struct CheckpointInfo {
  nlohmann::json network;   // space, width_mult, num_classes, normalisation
  nlohmann::json settings;  // the CLI's settings of the run, as stored (information only)
  nlohmann::json state;     // trainer position (inside an epoch too) and per-epoch history
  RunDescription run;       // data, training and evaluation options, seed
  int format_version = 0;   // of the checkpoint file
  nas::SearchSpace space;
  SupernetOptions supernet;
  double width_mult = 0;
  int num_classes = 0;
};
CheckpointInfo describe_checkpoint(const std::string& path);

struct EvalRequest {
  data::DatasetSpec data;
  EvalOptions eval;
  uint64_t seed = 0;  // the run's seed: which images it trained on, which re-calibrate BN
  // The images the run trained on: a seeded subset of this many (0: all), as the trainer draws it.
  int64_t train_subset = 0;
  // Where top-1 is measured: "test" (the test split) or "validation" (the training images the run
  // did not train on; for choosing among sub-nets without looking at the test split). At most
  // eval.test_subset of them (0: all).
  std::string split = "test";
  int threads = 0;
  std::string cache_dir;  // decoded data cache (empty: none)
  std::string device = "cpu";
};

// The re-calibration images and the evaluation images of a request (seeded choices).
// Throws std::invalid_argument for an unknown split or an empty validation split.
data::ImageSet calibration_images(const EvalRequest& request, const data::ImageSet& train);
data::ImageSet evaluation_images(const EvalRequest& request, const data::ImageSet& train);

struct SubnetEvaluation {
  double top1 = 0;  // percent
  std::string split;
  int64_t test_images = 0;
  int64_t calibration_images = 0;
  double calibration_s = 0, eval_s = 0;
};
SubnetEvaluation evaluate_subnet(const std::string& checkpoint, const nas::Arch& arch,
                                 const EvalRequest& request);

struct ExtractResult {
  bool recalibrated = false;
  int64_t calibration_images = 0;
  int layers = 0;
  int64_t parameters = 0;
  double max_abs_diff = 0;  // static network vs supernet on a random batch (eval mode)
};
// Writes the sub-net's memory::FloatWeights folder (weights.json + weights.bin, with the input
// normalisation) to out_dir. With a request, BN is first re-calibrated for this sub-net on the
// request's calibration images, so the written statistics are the sub-net's own (as evaluation
// measures it); without, they are whatever the checkpoint holds (the last trained sub-net's).
ExtractResult extract_subnet(const std::string& checkpoint, const nas::Arch& arch,
                             const std::string& out_dir, const EvalRequest* recalibration);

// Fine-tuning one sub-net (tinynas finetune). train fine-tunes the sub-net (train.subnet set;
// train.start_from the supernet, or empty to train it from a random initialisation with
// inherit_weights false); evaluation describes the run's images (data, seed, training subset,
// calibration), and its split and test_subset are set here for each measurement.
struct FinetuneJob {
  TrainJob train;
  EvalRequest evaluation;
  int64_t validation_images = 5000;  // held-out training images (0: all of them)
};

struct FinetuneResult {
  // The sub-net as the supernet hands it over (BN re-calibrated), then after fine-tuning: top-1
  // on the held-out training images and on the test split.
  SubnetEvaluation inherited_validation, inherited_test;
  SubnetEvaluation final_validation, final_test;
  TrainResult training;
  ExtractResult extracted;
  std::string weights_dir;  // the fine-tuned sub-net's float weights (out_dir/subnet)
};

// Measures the inherited sub-net when there is a supernet (kept in out_dir/inherited.json, so a
// resumed run does not measure it again), trains, measures the result and extracts its weights. A
// resumed run (train.resume) continues the training from its last checkpoint.
FinetuneResult finetune_subnet(const FinetuneJob& job, const TrainCallbacks& callbacks);

}  // namespace tinynas::supernet
