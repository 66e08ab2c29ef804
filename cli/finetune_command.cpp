// tinynas finetune --supernet CKPT ARCH: the search's winner trained further on its own, starting
// from the weights it inherits from the supernet (or, --init scratch, from a random
// initialisation for comparison), distilled from the supernet's largest sub-net when asked
// (finetune.distill, off by default: docs/run.md says why); then BN re-calibrated, measured on the
// held-out and test images, and extracted as float weights for tinynas export. Checkpoints like
// tinynas train; --resume continues a killed run. tinynas finetune --init scratch ARCH.json --data
// DATA (no supernet): any arch of any space, e.g. a hand-designed baseline such as
// configs/archs/resnet8.json, trained from a random initialisation with the experiment's recipe,
// without distillation.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/interrupt_exit.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/run_context.h"
#include "cli/supernet_args.h"
#include "cli/train_progress.h"
#include "supernet/api.h"
#include "util/interrupt.h"
#include "util/json_reader.h"

namespace tinynas::cli {
namespace {

std::string top1_text(const supernet::SubnetEvaluation& e) {
  if (e.test_images == 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f %%", e.top1);
  return b;
}

nlohmann::json evaluation_json(const supernet::SubnetEvaluation& e) {
  if (e.test_images == 0) return nullptr;
  return {{"top1", e.top1}, {"images", e.test_images}};
}

// The flags that override the settings' finetune section, each checked by its rule.
void apply_flags(const cxxopts::ParseResult& parsed, Settings& s) {
  supernet::FinetuneOptions& f = s.finetune;
  if (parsed.count("epochs")) f.epochs = parsed["epochs"].as<int>();
  if (parsed.count("lr")) f.lr = parsed["lr"].as<double>();
  if (parsed.count("warmup-epochs")) f.warmup_epochs = parsed["warmup-epochs"].as<double>();
  if (parsed.count("weight-decay")) f.weight_decay = parsed["weight-decay"].as<double>();
  if (parsed.count("init")) f.init = parsed["init"].as<std::string>();
  if (parsed.count("distill")) f.distill = true;
  if (parsed.count("no-distill")) f.distill = false;
  if (parsed.count("out")) f.out = parsed["out"].as<std::string>();
  if (parsed.count("threads")) s.threads = parsed["threads"].as<int>();
  if (parsed.count("checkpoint-minutes"))
    s.train.checkpoint_minutes = parsed["checkpoint-minutes"].as<double>();
  for (const std::string key :
       {"finetune.epochs", "finetune.lr", "finetune.warmup_epochs", "finetune.weight_decay",
        "finetune.init", "train.checkpoint_minutes"})
    if (const std::string problem = setting_problem(s, key); !problem.empty())
      throw std::invalid_argument("'" + key + "' " + problem);
}

}  // namespace

int finetune_command(int argc, char** argv) {
  cxxopts::Options options("tinynas finetune",
                           "Train one sub-net of a supernet further on its own, then extract its "
                           "float weights.");
  options.positional_help("ARCH.json|largest|smallest|random:SEED");
  options.add_options()("supernet", "checkpoint written by tinynas train",
                        cxxopts::value<std::string>())("arch", "the sub-net",
                                                       cxxopts::value<std::string>())(
      "resolution", "input resolution for the keywords (and overriding the file's)",
      cxxopts::value<int>())(
      "config", "experiment JSON (default: the settings the supernet was trained with)",
      cxxopts::value<std::string>())("data", "data set path, overriding the settings",
                                     cxxopts::value<std::string>())(
      "epochs", "epochs of fine-tuning (finetune.epochs)", cxxopts::value<int>())(
      "lr", "peak learning rate (finetune.lr)", cxxopts::value<double>())(
      "warmup-epochs", "linear warm-up epochs (finetune.warmup_epochs)", cxxopts::value<double>())(
      "weight-decay", "weight decay (finetune.weight_decay)", cxxopts::value<double>())(
      "init", "supernet (inherited weights) or scratch (random initialisation)",
      cxxopts::value<std::string>())(
      "distill", "distillation from the supernet's largest sub-net (finetune.distill)")(
      "no-distill", "no distillation (the default)")(
      "validation-images",
      "held-out training images the result is measured on (default: search.validation_images)",
      cxxopts::value<int64_t>())(
      "out", "output folder (default: finetune.out, else finetune/ beside the supernet)",
      cxxopts::value<std::string>())("resume", "continue the run in the output folder")(
      "checkpoint-minutes", "minutes between checkpoints inside an epoch (0: epoch ends only)",
      cxxopts::value<double>())("threads", "torch threads (0 = all cores)", cxxopts::value<int>())(
      "space",
      "without --supernet: the arch's search space, a name or a .json path (default: "
      "the arch's \"space\")",
      cxxopts::value<std::string>())("config-dir", "folder holding spaces/ and boards/",
                                     cxxopts::value<std::string>())("quiet", "no progress line")(
      "h,help", "show this help");
  options.parse_positional({"arch"});
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("arch"))
    throw std::invalid_argument(
        "tinynas finetune needs an ARCH (file, largest, smallest, random:SEED)");
  // With a supernet: its settings, its space and width, its normalisation and teacher. Without:
  // the experiment file's settings (or the defaults) and the arch file's own space.
  const bool has_supernet = parsed.count("supernet") > 0;
  const std::string checkpoint = has_supernet ? parsed["supernet"].as<std::string>() : "";
  Settings s;
  supernet::CheckpointInfo info;
  nas::Arch arch;
  if (has_supernet) {
    info = supernet::describe_checkpoint(checkpoint);
    s = checkpoint_settings(info, parsed.count("config") ? parsed["config"].as<std::string>() : "");
    apply_flags(parsed, s);
    std::optional<int> resolution;
    if (parsed.count("resolution")) resolution = parsed["resolution"].as<int>();
    arch = arch_argument(parsed["arch"].as<std::string>(), info, s, resolution);
  } else {
    if (parsed.count("config")) apply_experiment_file(parsed["config"].as<std::string>(), s);
    apply_flags(parsed, s);
    if (s.finetune.init != "scratch")
      throw std::invalid_argument(
          "tinynas finetune needs --supernet CKPT to inherit weights from (or --init scratch to "
          "train ARCH.json from a random initialisation without one)");
    const nas::ArchFile file = nas::load_arch_file(
        parsed["arch"].as<std::string>(),
        parsed.count("space") ? parsed["space"].as<std::string>() : "", config_dir_option(parsed));
    arch = file.arch;
    if (parsed.count("resolution")) arch.resolution = parsed["resolution"].as<int>();
    nas::validate(arch, file.space);
    info.space = file.space;
    info.width_mult = arch.width_mult;
    info.supernet = s.supernet;
    info.supernet.width_mult = arch.width_mult;
    s.finetune.distill = false;  // no supernet, no teacher
    if (!parsed.count("data") && s.data.path.empty() && s.data.kind != "synthetic")
      throw std::invalid_argument(
          "tinynas finetune without --supernet needs --data DATA (or a config with data.path)");
  }
  const bool resume = parsed.count("resume") > 0;
  if (s.finetune.out.empty() && has_supernet)
    s.finetune.out = (std::filesystem::path(checkpoint).parent_path() / "finetune").string();
  if (resume && s.finetune.out.empty())
    throw std::invalid_argument("--resume needs the run's folder: --out DIR");

  supernet::FinetuneJob job;
  supernet::TrainJob& t = job.train;
  t.space = info.space;
  t.supernet = info.supernet;
  t.data = s.data;
  if (parsed.count("data")) t.data.path = parsed["data"].as<std::string>();
  t.eval = s.eval;
  t.seed = s.seed;
  t.threads = s.threads;
  t.train = s.train;  // batch size, momentum, smoothing, augmentation, the images trained on
  t.train.weight_decay = s.finetune.weight_decay;
  supernet::PhaseOptions phase;
  phase.name = "finetune";
  phase.epochs = s.finetune.epochs;
  phase.lr = s.finetune.lr;
  phase.warmup_epochs = s.finetune.warmup_epochs;
  phase.distill = s.finetune.distill;
  t.train.phases = {phase};
  t.subnet = arch;
  t.start_from = checkpoint;
  t.inherit_weights = s.finetune.init == "supernet";
  t.checkpoint_name = "finetune.pt";
  if (resume && !std::filesystem::exists(s.finetune.out))
    throw std::invalid_argument("--resume: there is no run folder '" + s.finetune.out + "'");
  t.out_dir = resume ? s.finetune.out : prepare_output_dir(s.finetune.out);
  // The decoded data set is kept beside the supernet's run, or in this run's folder.
  const std::string data_anchor = has_supernet ? checkpoint : t.out_dir + "/" + t.checkpoint_name;
  t.cache_dir = cache_dir_for(data_anchor);
  t.resume = resume;
  t.settings = settings_to_json(s);
  job.evaluation = eval_request_for(s, data_anchor);
  job.evaluation.data = t.data;
  // Held-out images exist only when the supernet trained on a subset.
  job.validation_images = parsed.count("validation-images")
                              ? parsed["validation-images"].as<int64_t>()
                              : s.search.validation_images;
  if (job.validation_images < 0) throw std::invalid_argument("--validation-images must be >= 0");

  const bool quiet = parsed.count("quiet") > 0;
  spdlog::info("fine-tuning {} from {} ({}), {} epochs at lr {}, {}; output {}", arch.summary(),
               has_supernet ? checkpoint : "no supernet",
               s.finetune.init == "supernet" ? "inherited weights" : "from scratch",
               s.finetune.epochs, s.finetune.lr,
               s.finetune.distill ? "distilled from the largest sub-net" : "no distillation",
               t.out_dir);
  set_saved_state("the last checkpoint in " + t.out_dir +
                  " (saved at every epoch's end) is kept; the same command with --resume "
                  "continues from it");
  TrainProgressLine line(!quiet);
  supernet::TrainCallbacks callbacks;
  callbacks.on_note = [&](const std::string& text) { spdlog::info("{}", text); };
  callbacks.on_step = [&](const supernet::StepInfo& st) {
    util::throw_if_interrupted();  // between steps: the last checkpoint stays the one to resume
    line.step(st);
  };
  callbacks.on_epoch = [&](const supernet::EpochInfo& e) {
    line.clear();
    spdlog::info(
        "epoch {}: loss {:.4f}, lr {:.4g}, top-1 {:.2f} % ({} test images), {:.1f} img/s, "
        "{:.0f} s; checkpoint saved",
        e.epoch + 1, e.loss, e.lr, e.top1_subnet, s.eval.epoch_test_subset, e.images_per_s,
        e.seconds);
  };
  const supernet::FinetuneResult r = supernet::finetune_subnet(job, callbacks);
  line.clear();

  const nlohmann::json result = {{"arch", nas::arch_to_json(arch)},
                                 {"supernet", has_supernet ? nlohmann::json(checkpoint) : nullptr},
                                 {"init", s.finetune.init},
                                 {"distill", s.finetune.distill},
                                 {"epochs", s.finetune.epochs},
                                 {"lr", s.finetune.lr},
                                 {"weight_decay", s.finetune.weight_decay},
                                 {"inherited",
                                  {{"validation", evaluation_json(r.inherited_validation)},
                                   {"test", evaluation_json(r.inherited_test)}}},
                                 {"finetuned",
                                  {{"validation", evaluation_json(r.final_validation)},
                                   {"test", evaluation_json(r.final_test)}}},
                                 {"training_seconds", r.training.seconds},
                                 {"images_per_s", r.training.images_per_s},
                                 {"weights", r.weights_dir}};
  util::write_file_atomically(t.out_dir + "/finetune.json", result.dump(2) + "\n");
  std::printf("%s\n", arch.summary().c_str());
  std::printf("%-26s %12s %12s\n", "", "validation", "test");
  std::printf("%-26s %12s %12s\n", "inherited from supernet",
              top1_text(r.inherited_validation).c_str(), top1_text(r.inherited_test).c_str());
  std::printf("%-26s %12s %12s\n",
              s.finetune.init == "supernet" ? "after fine-tuning" : "trained from scratch",
              top1_text(r.final_validation).c_str(), top1_text(r.final_test).c_str());
  if (r.training.steps > 0)
    std::printf("trained %lld steps in %s (%.1f img/s)\n", static_cast<long long>(r.training.steps),
                format_eta(r.training.seconds).c_str(), r.training.images_per_s);
  std::printf("weights: %s (tinynas export ... --weights %s)\nresult: %s/finetune.json\n",
              r.weights_dir.c_str(), r.weights_dir.c_str(), t.out_dir.c_str());
  return 0;
}

}  // namespace tinynas::cli
