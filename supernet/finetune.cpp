// tinynas finetune's work: the sub-net measured as inherited, trained alone (the trainer with
// TrainJob::subnet), measured again and extracted.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "supernet/api.h"
#include "supernet/checkpoint.h"
#include "supernet/evaluation.h"
#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::supernet {
namespace {

nlohmann::json evaluation_json(const SubnetEvaluation& e) {
  return {{"top1", e.top1},
          {"split", e.split},
          {"images", e.test_images},
          {"calibration_images", e.calibration_images}};
}

SubnetEvaluation evaluation_from_json(const nlohmann::json& j) {
  SubnetEvaluation e;
  e.top1 = j.at("top1").get<double>();
  e.split = j.at("split").get<std::string>();
  e.test_images = j.at("images").get<int64_t>();
  e.calibration_images = j.at("calibration_images").get<int64_t>();
  return e;
}

// Top-1 of the sub-net in a checkpoint on the validation images and on the test split, after
// one BN re-calibration (evaluate_subnet would load and re-calibrate once per split).
std::pair<SubnetEvaluation, SubnetEvaluation> measure(const std::string& checkpoint,
                                                      const FinetuneJob& job) {
  const EvalRequest& request = job.evaluation;
  torch::set_num_threads(request.threads > 0 ? request.threads
                                             : std::max(1u, std::thread::hardware_concurrency()));
  Checkpoint c = load_checkpoint(checkpoint);
  c.net->set_active(*job.train.subnet);
  const torch::Device device(request.device == "cuda" ? torch::kCUDA : torch::kCPU);
  c.net->to(device);
  const Normalization norm = norm_from_json(c.meta.network);
  const data::ImageSet train = data::load_split(request.data, "train", request.cache_dir);
  const data::ImageSet calibration = calibration_images(request, train);
  recalibrate_bn(c.net, calibration, norm, c.meta.run.train.augment, request.eval.calibration_batch,
                 device);
  const auto top1 = [&](const std::string& split, int64_t images) {
    EvalRequest r = request;
    r.split = split;
    r.eval.test_subset = images;
    const Accuracy a =
        measure_top1(c.net, evaluation_images(r, train), norm, request.eval.batch_size, device);
    SubnetEvaluation e;
    e.top1 = a.top1;
    e.split = split;
    e.test_images = a.images;
    e.calibration_images = calibration.size();
    e.eval_s = a.seconds;
    return e;
  };
  // No validation images (0 measured) when the supernet trained on every training image.
  const SubnetEvaluation validation =
      request.train_subset > 0 ? top1("validation", job.validation_images) : SubnetEvaluation{};
  return {validation, top1("test", request.eval.test_subset)};
}

// "-" for a split with no images (no held-out images when the supernet trained on all of them).
std::string percent(const SubnetEvaluation& e) {
  if (e.test_images == 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f %%", e.top1);
  return b;
}

}  // namespace

FinetuneResult finetune_subnet(const FinetuneJob& job, const TrainCallbacks& callbacks) {
  if (!job.train.subnet) throw std::invalid_argument("finetune: no sub-net to fine-tune");
  if (job.train.start_from.empty() && job.train.inherit_weights)
    throw std::invalid_argument("finetune: no supernet to inherit weights from");
  const auto note = [&](const std::string& text) {
    if (callbacks.on_note) callbacks.on_note(text);
  };
  // Before the first measurement: a new run over an old one, or a resume of nothing, is refused
  // at once.
  checkpoint_matches_resume(job.train.out_dir + "/" + job.train.checkpoint_name, job.train.resume);
  FinetuneResult r;
  // What the supernet hands over, measured once: a resumed run reads it back.
  const std::string inherited_path = job.train.out_dir + "/inherited.json";
  std::optional<nlohmann::json> inherited;
  if (job.train.resume && std::filesystem::exists(inherited_path)) {
    try {
      inherited = util::read_json_file(inherited_path);
      r.inherited_validation = evaluation_from_json(inherited->at("validation"));
      r.inherited_test = evaluation_from_json(inherited->at("test"));
    } catch (const std::exception&) {
      inherited.reset();  // unreadable: measured again
    }
  }
  if (!inherited && job.train.start_from.empty()) {
    note("no supernet: training the sub-net from a random initialisation");
  } else if (!inherited) {
    note("measuring the sub-net as the supernet hands it over");
    std::tie(r.inherited_validation, r.inherited_test) = measure(job.train.start_from, job);
    util::write_file_atomically(
        inherited_path, nlohmann::json{{"validation", evaluation_json(r.inherited_validation)},
                                       {"test", evaluation_json(r.inherited_test)}}
                                .dump(2) +
                            "\n");
  }
  if (!job.train.start_from.empty())
    note("inherited top-1: " + percent(r.inherited_validation) + " validation, " +
         percent(r.inherited_test) + " test");

  r.training = train_supernet(job.train, callbacks);
  const std::string checkpoint = job.train.out_dir + "/" + job.train.checkpoint_name;
  std::tie(r.final_validation, r.final_test) = measure(checkpoint, job);
  r.weights_dir = job.train.out_dir + "/subnet";
  r.extracted = extract_subnet(checkpoint, *job.train.subnet, r.weights_dir, &job.evaluation);
  util::write_file_atomically(r.weights_dir + "/arch.json",
                              nas::arch_to_json(*job.train.subnet).dump(2) + "\n");
  return r;
}

}  // namespace tinynas::supernet
