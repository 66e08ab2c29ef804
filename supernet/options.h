// The supernet's settings as the experiment JSON spells them ("supernet", "train", "eval"
// sections; the "data" section is data::DatasetSpec). Plain structs without LibTorch, so the CLI's
// settings can hold them in a build without torch.
//
//   TrainOptions t;  t.phases = default_phases();  t.batch_size = 128;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
};

// BN re-calibration and top-1 measurement (reference.md: 2000 images, batches of 200).
struct EvalOptions {
  int64_t calibration_images = 2000;
  int calibration_batch = 200;
  int batch_size = 500;
  int64_t test_subset = 0;           // evaluate on this many test images (0: all)
  int64_t epoch_test_subset = 2000;  // images per sub-net in the per-epoch log
};

}  // namespace tinynas::supernet
