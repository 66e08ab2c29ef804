// The supernet checkpoint file: network description (space, width, classes, normalisation), the
// run's settings as JSON, the trainer's position and history, weights, the teacher, the optimizer
// and the RNG state, in one LibTorch archive written atomically (temporary file, then rename), so
// a killed run always leaves the previous epoch's checkpoint intact.
// LibTorch header: include only from supernet/ sources and tests.
//
//   save_checkpoint(path, meta, net, teacher, &optimizer);
//   Checkpoint c = load_checkpoint(path);   // std::invalid_argument if missing or corrupt
//   c.net->set_active(arch);
#pragma once

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "supernet/batch_loader.h"
#include "supernet/ofa_network.h"

namespace tinynas::supernet {

struct CheckpointMeta {
  nlohmann::json network;   // see network_json()
  nlohmann::json settings;  // the experiment settings of the run (opaque here; the CLI's schema)
  nlohmann::json state;     // trainer position: phase, epoch, global_step, history
};

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

}  // namespace tinynas::supernet
