// tinynas finetune's work: the sub-net measured as inherited, trained alone (the trainer with
// TrainJob::subnet), measured again and extracted.
#include <filesystem>
#include <stdexcept>

#include "supernet/api.h"
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

// Top-1 of the sub-net in a checkpoint on the validation images and on the test split.
std::pair<SubnetEvaluation, SubnetEvaluation> measure(const std::string& checkpoint,
                                                      const FinetuneJob& job) {
  EvalRequest test = job.evaluation;
  test.split = "test";
  SubnetEvaluation on_validation;  // none (0 images) when the supernet trained on every image
  if (job.evaluation.train_subset > 0) {
    EvalRequest validation = job.evaluation;
    validation.split = "validation";
    validation.eval.test_subset = job.validation_images;
    on_validation = evaluate_subnet(checkpoint, *job.train.subnet, validation);
  }
  return {on_validation, evaluate_subnet(checkpoint, *job.train.subnet, test)};
}

}  // namespace

FinetuneResult finetune_subnet(const FinetuneJob& job, const TrainCallbacks& callbacks) {
  if (!job.train.subnet) throw std::invalid_argument("finetune: no sub-net to fine-tune");
  if (job.train.start_from.empty()) throw std::invalid_argument("finetune: no supernet given");
  const auto note = [&](const std::string& text) {
    if (callbacks.on_note) callbacks.on_note(text);
  };
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
  if (!inherited) {
    note("measuring the sub-net as the supernet hands it over");
    std::tie(r.inherited_validation, r.inherited_test) = measure(job.train.start_from, job);
    util::write_file_atomically(
        inherited_path, nlohmann::json{{"validation", evaluation_json(r.inherited_validation)},
                                       {"test", evaluation_json(r.inherited_test)}}
                                .dump(2) +
                            "\n");
  }
  note("inherited top-1: " + std::to_string(r.inherited_validation.top1) + " % validation, " +
       std::to_string(r.inherited_test.top1) + " % test");

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
