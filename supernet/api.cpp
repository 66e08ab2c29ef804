#include "supernet/api.h"

#include <filesystem>
#include <thread>

#include "memory_model/float_weights.h"
#include "nas/lowering.h"
#include "supernet/checkpoint.h"
#include "supernet/evaluation.h"
#include "supernet/extract.h"
#include "supernet/static_network.h"
#include "supernet/trainer.h"

namespace tinynas::supernet {
namespace {

void set_threads(int threads) {
  torch::set_num_threads(threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

TrainResult train_supernet(const TrainJob& job, const TrainCallbacks& callbacks) {
  // Only rank 0 writes into the run folder (the others may share it, or not have it at all).
  const std::string cache = job.distributed.rank != 0 ? ""
                            : job.cache_dir.empty()   ? job.out_dir + "/cache"
                                                      : job.cache_dir;
  const auto note = [&](const std::string& text) {
    if (callbacks.on_note) callbacks.on_note(text);
  };
  data::ImageSet train = data::load_split(job.data, "train", cache);
  note("training split: " + std::to_string(train.size()) + " images " +
       std::to_string(train.width) + "x" + std::to_string(train.height) + "x" +
       std::to_string(train.channels) + ", " + std::to_string(train.num_classes()) + " classes");
  data::ImageSet test = data::load_split(job.data, "test", cache);
  note("test split: " + std::to_string(test.size()) + " images");
  Trainer trainer(job, std::move(train), std::move(test), callbacks);
  return trainer.run();
}

data::ImageSet calibration_images(const EvalRequest& request, const data::ImageSet& train) {
  // From the images the run trained on, as the trainer's own per-epoch evaluation does.
  return data::subset(data::subset(train, request.train_subset, request.seed),
                      request.eval.calibration_images, request.seed + 1);
}

data::ImageSet evaluation_images(const EvalRequest& request, const data::ImageSet& train) {
  if (request.split == "test")
    return data::subset(data::load_split(request.data, "test", request.cache_dir),
                        request.eval.test_subset, request.seed + 2);
  if (request.split != "validation")
    throw std::invalid_argument("unknown evaluation split '" + request.split +
                                "' (test or validation)");
  data::ImageSet held_out = data::holdout(train, request.train_subset, request.seed);
  if (held_out.size() == 0)
    throw std::invalid_argument(
        "no validation images: the run trained on all " + std::to_string(train.size()) +
        " training images (set train.train_subset below that to keep some out, or use the test "
        "split)");
  return data::subset(held_out, request.eval.test_subset, request.seed + 3);
}

CheckpointInfo describe_checkpoint(const std::string& path) {
  const Checkpoint c = load_checkpoint(path);
  CheckpointInfo info;
  info.network = c.meta.network;
  info.settings = c.meta.settings;
  info.state = c.meta.state;
  info.run = c.meta.run;
  info.format_version = c.meta.format_version;
  info.space = c.net->space();
  info.supernet = c.net->options();
  info.width_mult = c.net->options().width_mult;
  info.num_classes = c.net->num_classes();
  return info;
}

SubnetEvaluation evaluate_subnet(const std::string& checkpoint, const nas::Arch& arch,
                                 const EvalRequest& request) {
  set_threads(request.threads);
  Checkpoint c = load_checkpoint(checkpoint);
  c.net->set_active(arch);  // rejects archs outside the supernet before any data is read
  const torch::Device device(request.device == "cuda" ? torch::kCUDA : torch::kCPU);
  c.net->to(device);
  const Normalization norm = norm_from_json(c.meta.network);
  const data::ImageSet train = data::load_split(request.data, "train", request.cache_dir);
  const data::ImageSet calibration = calibration_images(request, train);
  const data::ImageSet test = evaluation_images(request, train);
  SubnetEvaluation out;
  const auto t0 = std::chrono::steady_clock::now();
  recalibrate_bn(c.net, calibration, norm, c.meta.run.train.augment, request.eval.calibration_batch,
                 device);
  out.calibration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.calibration_images = calibration.size();
  const Accuracy a = measure_top1(c.net, test, norm, request.eval.batch_size, device);
  out.top1 = a.top1;
  out.split = request.split;
  out.test_images = a.images;
  out.eval_s = a.seconds;
  return out;
}

ExtractResult extract_subnet(const std::string& checkpoint, const nas::Arch& arch,
                             const std::string& out_dir, const EvalRequest* recalibration) {
  Checkpoint c = load_checkpoint(checkpoint);
  c.net->set_active(arch);  // rejects archs outside the supernet before any data is read
  const Normalization norm = norm_from_json(c.meta.network);
  ExtractResult r;
  if (recalibration) {
    set_threads(recalibration->threads);
    const data::ImageSet train =
        data::load_split(recalibration->data, "train", recalibration->cache_dir);
    const data::ImageSet calibration = calibration_images(*recalibration, train);
    recalibrate_bn(c.net, calibration, norm, c.meta.run.train.augment,
                   recalibration->eval.calibration_batch, torch::Device(torch::kCPU));
    r.recalibrated = true;
    r.calibration_images = calibration.size();
  }
  memory::FloatWeights weights = extract_weights(c.net, arch);
  weights.input = memory::InputNormalization{norm.mean, norm.std};
  memory::save_float_weights(out_dir, weights);
  r.layers = static_cast<int>(weights.layers.size());
  for (const auto& l : weights.layers) {
    r.parameters += static_cast<int64_t>(l.weight.data.size());
    if (l.bias) r.parameters += static_cast<int64_t>(l.bias->data.size());
  }
  // Self-check: the written weights, reloaded and run as a plain network, give the supernet's
  // output for the same arch.
  torch::NoGradGuard no_grad;
  StaticNetwork plain(nas::lower(arch, c.net->space()), memory::load_float_weights(out_dir));
  c.net->eval();
  torch::manual_seed(0);
  const torch::Tensor x =
      torch::randn({4, c.net->space().input_channels, arch.resolution, arch.resolution});
  r.max_abs_diff = (plain->forward(x) - c.net->forward(x)).abs().max().item<double>();
  return r;
}

}  // namespace tinynas::supernet
