// The supernet's options (the experiment JSON's "supernet", "train" and "eval" sections; "data"
// is data::DatasetSpec) and the rules of the training options, in one place: the experiment
// reader and the trainer both apply them. Plain structs without LibTorch, so the CLI's settings
// can hold them in a build without torch.
//
//   TrainOptions t;  t.phases = default_phases();  t.batch_size = 128;
//   if (auto problem = phase_problem(t.phases[0])) ... problem->key, problem->message
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace tinynas::supernet {

// The network: the search space comes from the experiment's "space"; one width multiplier.
struct SupernetOptions {
  double width_mult = 0.35;
  double dropout = 0.1;  // before the classifier, training only
  double bn_momentum = 0.1;
  double bn_eps = 1e-5;
};

// One stage of progressive shrinking. elastic lists the dimensions sampled in this phase
// ("kernel", "depth", "expand"); the others stay at their maximum. An empty list trains the full
// network (the teacher of later phases).
struct PhaseOptions {
  std::string name = "full";
  std::vector<std::string> elastic;
  int epochs = 1;
  double lr = 0.05;                 // peak learning rate (per phase cosine schedule)
  double warmup_epochs = 0;         // linear warm-up from lr / 10
  int subnets_per_step = 1;         // gradients of this many sub-nets accumulate before each step
  std::string sampling = "random";  // "random" (OFA) or "sandwich" (largest + smallest + random)
  bool distill = false;  // knowledge distillation: from the full-network teacher (random) or
                         // from the largest sub-net in place (sandwich)
};

// OFA's progressive shrinking: full network, then elastic kernel, depth and expansion, each
// later phase with distillation from the full network and more sub-nets per step.
inline std::vector<PhaseOptions> default_phases() {
  std::vector<PhaseOptions> p(4);
  p[0] = {"full", {}, 4, 0.05, 1, 1, "random", false};
  p[1] = {"kernel", {"kernel"}, 2, 0.02, 0, 1, "random", true};
  p[2] = {"depth", {"kernel", "depth"}, 2, 0.01, 0, 2, "random", true};
  p[3] = {"expand", {"kernel", "depth", "expand"}, 2, 0.01, 0, 4, "random", true};
  return p;
}

struct AugmentOptions {
  int pad = 4;       // random crop after zero padding by this many pixels
  bool flip = true;  // random horizontal flip

  static AugmentOptions none() { return {0, false}; }
};

struct TrainOptions {
  std::vector<PhaseOptions> phases = default_phases();
  int batch_size = 128;
  std::vector<int> resolutions;  // one drawn per step; empty: the data's image size
  double momentum = 0.9;         // SGD, Nesterov
  double weight_decay = 3e-5;    // not on BN, biases or kernel transformation matrices
  double label_smoothing = 0.1;
  double distill_weight = 1.0;
  int64_t train_subset = 0;  // use this many training images (0: all)
  int workers = 1;           // data-loading threads (batches are prepared ahead of the step)
  AugmentOptions augment;
  std::string device = "cpu";   // "cpu" or "cuda" (needs a LibTorch built with CUDA)
  bool eval_each_epoch = true;  // top-1 of the largest and smallest sub-nets in the CSV log
  // Wall-clock minutes between checkpoints inside an epoch (an epoch of a real data set takes
  // many minutes on a CPU); 0: only at epoch ends. How often is not part of what is trained.
  double checkpoint_minutes = 5;
};

// BN re-calibration and top-1 measurement (Once-for-All's: 2000 images, batches of 200).
struct EvalOptions {
  int64_t calibration_images = 2000;
  int calibration_batch = 200;
  int batch_size = 500;
  int64_t test_subset = 0;           // evaluate on this many test images (0: all)
  int64_t epoch_test_subset = 2000;  // images per sub-net in the per-epoch log
};

// Fine-tuning one sub-net after the search (tinynas finetune): the sub-net alone, trained further
// on the supernet run's training images, starting from the weights it inherits from the supernet
// ("supernet") or from a random initialisation ("scratch", the comparison that shows what the
// supernet is worth), optionally distilled from the supernet's largest sub-net. Off by default:
// in a budgeted run that teacher is weaker than the sub-net becomes, and distilling from it cost
// the 45-minute CIFAR-10 run's winner 2.9 points (docs/results/cifar10.md). Batch size,
// momentum, label smoothing, augmentation and the distillation weight are train.*'s.
struct FinetuneOptions {
  int epochs = 6;
  double lr = 0.05;  // peak, cosine to 0 after a linear warm-up from lr / 10
  double warmup_epochs = 0.5;
  double weight_decay = 5e-4;  // not on BN or biases
  bool distill = false;
  std::string init = "supernet";  // "supernet" or "scratch"
  std::string out;                // output folder (empty: finetune/ beside the supernet)
};

// What a supernet was trained with: the options a checkpoint records, so the run can be resumed
// and its sub-nets evaluated on the images it did (or did not) train on.
struct RunDescription {
  data::DatasetSpec data;
  TrainOptions train;
  EvalOptions eval;
  uint64_t seed = 0;
};

// A broken rule: the key as the options' JSON names it ("lr", "augment.pad") and what is expected.
struct OptionProblem {
  std::string key;
  std::string message;
};

// The rules of one phase of progressive shrinking.
inline std::optional<OptionProblem> phase_problem(const PhaseOptions& p) {
  if (p.epochs < 0) return OptionProblem{"epochs", "must be >= 0"};
  if (!(p.lr > 0)) return OptionProblem{"lr", "must be positive"};
  if (p.warmup_epochs < 0) return OptionProblem{"warmup_epochs", "must be >= 0"};
  if (p.subnets_per_step < 1) return OptionProblem{"subnets_per_step", "must be at least 1"};
  if (p.sampling != "random" && p.sampling != "sandwich")
    return OptionProblem{"sampling",
                         "must be \"random\" or \"sandwich\", got \"" + p.sampling + "\""};
  if (p.sampling == "sandwich" && p.subnets_per_step < 2)
    return OptionProblem{
        "subnets_per_step",
        "must be at least 2 with the sandwich rule (largest and smallest sub-net)"};
  for (const std::string& d : p.elastic)
    if (d != "kernel" && d != "depth" && d != "expand")
      return OptionProblem{
          "elastic", "entries must be \"kernel\", \"depth\" or \"expand\", got \"" + d + "\""};
  return std::nullopt;
}

// The rules of the other training options (each phase: phase_problem), every broken one.
inline std::vector<OptionProblem> train_option_problems(const TrainOptions& t) {
  std::vector<OptionProblem> out;
  if (t.phases.empty()) out.push_back({"phases", "must be a non-empty array"});
  if (t.batch_size < 1) out.push_back({"batch_size", "must be at least 1"});
  for (int r : t.resolutions)
    if (r < 8) {
      out.push_back({"resolutions", "entries must be at least 8, got " + std::to_string(r)});
      break;
    }
  if (!(t.momentum >= 0 && t.momentum < 1)) out.push_back({"momentum", "must be in [0, 1)"});
  if (!(t.weight_decay >= 0)) out.push_back({"weight_decay", "must be >= 0"});
  if (!(t.label_smoothing >= 0 && t.label_smoothing < 1))
    out.push_back({"label_smoothing", "must be in [0, 1)"});
  if (!(t.distill_weight >= 0)) out.push_back({"distill_weight", "must be >= 0"});
  if (t.train_subset < 0) out.push_back({"train_subset", "must be >= 0 (0 = all)"});
  if (t.workers < 0) out.push_back({"workers", "must be >= 0"});
  if (t.augment.pad < 0) out.push_back({"augment.pad", "must be >= 0"});
  if (!(t.checkpoint_minutes >= 0))
    out.push_back({"checkpoint_minutes", "must be >= 0 (0 = only at epoch ends)"});
  if (t.device != "cpu" && t.device != "cuda")
    out.push_back({"device", "must be \"cpu\" or \"cuda\", got \"" + t.device + "\""});
  return out;
}

// The rules of the fine-tuning options, every broken one (keys as the JSON names them).
inline std::vector<OptionProblem> finetune_option_problems(const FinetuneOptions& f) {
  std::vector<OptionProblem> out;
  if (f.epochs < 1) out.push_back({"epochs", "must be at least 1"});
  if (!(f.lr > 0)) out.push_back({"lr", "must be positive"});
  if (!(f.warmup_epochs >= 0)) out.push_back({"warmup_epochs", "must be >= 0"});
  if (!(f.weight_decay >= 0)) out.push_back({"weight_decay", "must be >= 0"});
  if (f.init != "supernet" && f.init != "scratch")
    out.push_back({"init", "must be \"supernet\" or \"scratch\", got \"" + f.init + "\""});
  return out;
}

}  // namespace tinynas::supernet
