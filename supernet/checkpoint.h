// The supernet checkpoint file: network description (space, width, classes, normalisation), the
// run description (data, training and evaluation options, seed), the trainer's position and
// history, weights, the teacher, the optimizer and the RNG state, in one LibTorch archive written
// atomically (temporary file, then rename), so a killed run always leaves the previous
// checkpoint intact. The description is the checkpoint's own, written and read here under a
// format version; the CLI's settings of the run are stored beside it for information only, so
// renaming a CLI key never breaks a checkpoint.
// LibTorch header: include only from supernet/ sources and tests.
//
//   save_checkpoint(path, meta, net, teacher, &optimizer);
//   Checkpoint c = load_checkpoint(path);   // std::invalid_argument if missing or corrupt
//   c.net->set_active(arch);
//
// Format versions (the archive's "format" entry is "tinynas-supernet-checkpoint-<version>"):
//   1  network, the CLI's settings JSON (the run description was read from its "seed", "data",
//      "train" and "eval" keys as that CLI named them), state.
//   2  network, run (run_to_json), state, and the CLI's settings beside them. Since mid-epoch
//      checkpoints the state also holds the position inside the epoch ("step",
//      "epoch_loss_sum", "epoch_seconds"); a state without them is at an epoch's end.
#pragma once

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "supernet/batch_loader.h"
#include "supernet/ofa_network.h"

namespace tinynas::supernet {

constexpr int kCheckpointFormatVersion = 2;  // the version written; 1 and 2 are read

struct CheckpointMeta {
  nlohmann::json network;   // see network_json()
  nlohmann::json settings;  // the CLI's settings of the run: for information, never read here
  nlohmann::json state;     // trainer position: phase, epoch, step, global_step, global_epoch,
                            // epoch_loss_sum, epoch_seconds, history
  RunDescription run = {};  // what trained the weights (format 1: from the settings)
  int format_version = kCheckpointFormatVersion;  // of the file it was loaded from
};

// {"seed", "data": {..., "synthetic": {...}}, "train": {"phases": [...], ..., "augment": {...}},
//  "eval": {...}}: the layout format 1's settings had for these keys, so one reader reads both;
// the names belong to the checkpoint format from now on, whatever the CLI calls its keys.
nlohmann::json run_to_json(const RunDescription& run);
// Missing keys keep the defaults of the structs, other keys are ignored (format 1 passes the
// whole settings object); wrong types throw std::invalid_argument naming the key.
RunDescription run_from_json(const nlohmann::json& run, const std::string& context);

// {"space": {...}, "width_mult", "dropout", "bn_momentum", "bn_eps", "num_classes",
//  "norm": {"mean": [...], "std": [...]}}
nlohmann::json network_json(const OFANetwork& net, const Normalization& norm);
OFANetwork network_from_json(const nlohmann::json& network, const std::string& context);
Normalization norm_from_json(const nlohmann::json& network);

struct Checkpoint {
  CheckpointMeta meta;
  OFANetwork net{nullptr};
  OFANetwork teacher{nullptr};  // null before distillation started
  std::optional<torch::serialize::InputArchive> optimizer;
  torch::Tensor rng_state;
};

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const OFANetwork& net,
                     const OFANetwork& teacher, const torch::optim::Optimizer* optimizer);
// Throws std::invalid_argument naming the path when it is missing, truncated, corrupt or not a
// tinynas supernet checkpoint.
Checkpoint load_checkpoint(const std::string& path);

// Whether a run's checkpoint exists, when that is what the run expects: a resumed run needs it, a
// new one must not overwrite it. Throws std::invalid_argument saying which, otherwise.
bool checkpoint_matches_resume(const std::string& path, bool resume);

}  // namespace tinynas::supernet
