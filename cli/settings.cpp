#include "cli/settings.h"

#include <sstream>
#include <stdexcept>

#include "cli/settings_table.h"
#include "util/json_reader.h"

namespace tinynas::cli {

using util::ObjectReader;

namespace {

// ---- Rules: each says what is expected, for the error message that names the key. ----

template <typename T>
Rule<T> at_least(T minimum) {
  return [minimum](const T& v) {
    return v >= minimum ? std::string() : "must be at least " + std::to_string(minimum);
  };
}

template <typename T>
Rule<T> non_negative(const std::string& note = "") {
  return [note](const T& v) { return v >= 0 ? std::string() : "must be >= 0" + note; };
}

Rule<double> positive() {
  return [](double v) { return v > 0 ? std::string() : "must be positive"; };
}

// An interval of numbers, spelled as the message shows it: "(0, 1]", "[0, 1)".
Rule<double> within(double low, double high, bool low_open, bool high_open,
                    const std::string& what = "") {
  return [=](double v) {
    const bool fits = (low_open ? v > low : v >= low) && (high_open ? v < high : v <= high);
    if (fits) return std::string();
    const auto number = [](double x) {
      std::ostringstream text;
      text << x;
      return text.str();
    };
    return "must be " + what + "in " + (low_open ? "(" : "[") + number(low) + ", " + number(high) +
           (high_open ? ")" : "]");
  };
}

Rule<double> probability() {
  return within(0, 1, false, false, "a probability ");
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("\"" + names[i] + "\"");
  return out;
}

Rule<std::string> one_of(std::vector<std::string> names) {
  return [names](const std::string& v) {
    if (std::find(names.begin(), names.end(), v) != names.end()) return std::string();
    return "must be " + quoted_list(names) + ", got \"" + v + "\"";
  };
}

// The supernet library owns the rules of its training options (the trainer applies the same).
Rule<supernet::TrainOptions> train_rule(const std::string& key) {
  return [key](const supernet::TrainOptions& t) {
    for (const supernet::OptionProblem& p : supernet::train_option_problems(t))
      if (p.key == key) return p.message;
    return std::string();
  };
}

template <typename Access>
Field<Settings> train_field(const std::string& key, Access access, const std::string& help) {
  Field<Settings> f = field<Settings>("train." + key, access, help);
  const Rule<supernet::TrainOptions> rule = train_rule(key);
  f.check = [rule](const Settings& s) { return rule(s.train); };
  return f;
}

Rule<supernet::FinetuneOptions> finetune_rule(const std::string& key) {
  return [key](const supernet::FinetuneOptions& o) {
    for (const supernet::OptionProblem& p : supernet::finetune_option_problems(o))
      if (p.key == key) return p.message;
    return std::string();
  };
}

template <typename Access>
Field<Settings> finetune_field(const std::string& key, Access access, const std::string& help) {
  Field<Settings> f = field<Settings>("finetune." + key, access, help);
  const Rule<supernet::FinetuneOptions> rule = finetune_rule(key);
  f.check = [rule](const Settings& s) { return rule(s.finetune); };
  return f;
}

// ---- One phase of progressive shrinking (an entry of train.phases). ----

const FieldTable<supernet::PhaseOptions>& phase_table() {
  using P = supernet::PhaseOptions;
  static const FieldTable<P> table = [] {
    FieldTable<P> t = {
        field<P>(
            "name", [](auto& p) -> auto& { return p.name; }, "shown in logs and the CSV"),
        field<P>(
            "elastic", [](auto& p) -> auto& { return p.elastic; },
            "dimensions sampled in this phase: \"kernel\", \"depth\", \"expand\" (the "
            "others stay at their maximum; empty: the full network)"),
        field<P>(
            "epochs", [](auto& p) -> auto& { return p.epochs; }, "epochs of this phase"),
        field<P>(
            "lr", [](auto& p) -> auto& { return p.lr; },
            "peak learning rate of the phase's cosine schedule"),
        field<P>(
            "warmup_epochs", [](auto& p) -> auto& { return p.warmup_epochs; },
            "linear warm-up from lr / 10 over this many epochs"),
        field<P>(
            "subnets_per_step", [](auto& p) -> auto& { return p.subnets_per_step; },
            "sub-nets whose gradients accumulate before each step"),
        field<P>(
            "sampling", [](auto& p) -> auto& { return p.sampling; },
            "\"random\" (OFA) or \"sandwich\" (largest + smallest + random)"),
        field<P>(
            "distill", [](auto& p) -> auto& { return p.distill; },
            "distillation from the full-network teacher (random) or from the largest "
            "sub-net in place (sandwich)"),
    };
    t[0].required = true;
    return t;
  }();
  return table;
}

Field<Settings> phases_field() {
  Field<Settings> f;
  f.key = "train.phases";
  f.type = "array of phase objects (keys: train.phases[].*)";
  f.help = "progressive shrinking, in order";
  f.default_note = "default: full -> kernel -> depth -> expand, as `tinynas config defaults` shows";
  f.read = [](ObjectReader& r, const std::string& name, Settings& s) {
    const nlohmann::json& phases = r.at(name);
    if (!phases.is_array() || phases.empty()) r.fail(name, "must be a non-empty array");
    s.train.phases.clear();
    for (size_t i = 0; i < phases.size(); ++i) {
      const std::string context = r.context() + " " + name + "[" + std::to_string(i) + "]";
      supernet::PhaseOptions p;
      read_fields(phase_table(), phases[i], context, p);
      if (const std::optional<supernet::OptionProblem> problem = supernet::phase_problem(p))
        ObjectReader(phases[i], context).fail(problem->key, problem->message);
      s.train.phases.push_back(p);
    }
  };
  f.write = [](const Settings& s) -> std::optional<nlohmann::json> {
    nlohmann::json phases = nlohmann::json::array();
    for (const supernet::PhaseOptions& p : s.train.phases)
      phases.push_back(write_fields(phase_table(), p));
    return phases;
  };
  f.check = [](const Settings& s) {
    if (s.train.phases.empty()) return std::string("must be a non-empty array");
    for (size_t i = 0; i < s.train.phases.size(); ++i)
      if (const auto problem = supernet::phase_problem(s.train.phases[i]))
        return "entry " + std::to_string(i) + " ('" + s.train.phases[i].name + "'): '" +
               problem->key + "' " + problem->message;
    return std::string();
  };
  return f;
}

// ---- Fields whose JSON form is not the member's own. ----

// Written nowhere, read and ignored: a line for the reader of the file.
Field<Settings> description_field() {
  Field<Settings> f;
  f.key = "description";
  f.type = "string";
  f.help = "what the experiment is for (ignored by tinynas)";
  f.default_note = "optional";
  f.read = [](ObjectReader& r, const std::string& name, Settings&) { r.get<std::string>(name); };
  f.write = [](const Settings&) -> std::optional<nlohmann::json> { return std::nullopt; };
  return f;
}

// An override of the board's size: written only when set.
Field<Settings> size_field(const std::string& key, std::optional<int64_t> Settings::*member,
                           const std::string& help) {
  Field<Settings> f;
  f.key = key;
  f.type = "size (bytes, or a string such as \"320K\")";
  f.help = help;
  f.default_note = "default: the board's";
  f.read = [member](ObjectReader& r, const std::string& name, Settings& s) {
    s.*member = r.size(name);
  };
  f.write = [member](const Settings& s) -> std::optional<nlohmann::json> {
    if (!(s.*member)) return std::nullopt;
    return nlohmann::json(*(s.*member));
  };
  return f;
}

// Unsigned in the struct; a negative number in the file is an error, not a wrap-around.
Field<Settings> seed_field() {
  Field<Settings> f;
  f.key = "seed";
  f.type = "integer";
  f.help = "random seed: runs are deterministic for a seed";
  f.read = [](ObjectReader& r, const std::string& name, Settings& s) {
    const int64_t seed = r.get<int64_t>(name);
    if (seed < 0) r.fail(name, "must be >= 0");
    s.seed = static_cast<uint64_t>(seed);
  };
  f.write = [](const Settings& s) -> std::optional<nlohmann::json> {
    return nlohmann::json(s.seed);
  };
  return f;
}

// ---- The settings table: every key of an experiment file, in the order of the reference. ----

const FieldTable<Settings>& settings_table() {
  using S = Settings;
  static const FieldTable<S> table = {
      description_field(),
      field<S>(
          "space", [](auto& s) -> auto& { return s.space; },
          "search space: a name under configs/spaces/ or a .json path"),
      field<S>(
          "board", [](auto& s) -> auto& { return s.board; },
          "target board: a name under configs/boards/ or a .json path"),
      size_field("sram", &S::sram_bytes, "SRAM size, overriding the board's"),
      size_field("flash", &S::flash_bytes, "Flash size, overriding the board's"),
      field<S>(
          "latency", [](auto& s) -> auto& { return s.latency; },
          "latency limit per inference: ms at the board's clock (250ms) or cycles (12M); empty: "
          "none"),
      field<S>(
          "latency_model", [](auto& s) -> auto& { return s.latency_model; },
          "latency model file (tinynas latency build); empty: configs/latency/<QEMU target of "
          "the board's core>.json"),
      field<S>(
          "latency_margin", [](auto& s) -> auto& { return s.latency_margin; },
          "fraction by which a predicted latency must stay under the limit, for the model's "
          "error (its worst on held-out networks: 3.8 %)",
          within(0, 1, false, true)),
      seed_field(),
      field<S>(
          "threads", [](auto& s) -> auto& { return s.threads; }, "worker threads (0: all cores)",
          non_negative<int>(" (0 = all cores)")),
      field<S>(
          "out", [](auto& s) -> auto& { return s.out; }, "output folder (empty: runs/<timestamp>)"),

      field<S>(
          "space_optimizer.samples",
          [](auto& s) -> auto& { return s.space_optimizer.samples_per_space; },
          "sub-nets sampled per (resolution, width) sub-space", at_least(1)),
      field<S>(
          "space_optimizer.plot_top_spaces", [](auto& s) -> auto& { return s.plot_top_spaces; },
          "sub-spaces drawn in the FLOPs CDF plot", at_least(1)),
      field<S>(
          "space_trim.min_share", [](auto& s) -> auto& { return s.space_trim.min_share; },
          "tinynas run: a depth, kernel or expansion of a stage stays in the supernet's space when "
          "at least this share of the sub-nets that fit use it (0: the whole space)",
          within(0, 1, false, false)),
      field<S>(
          "space_trim.samples", [](auto& s) -> auto& { return s.space_trim.samples; },
          "tinynas run: sub-nets drawn per training resolution to see which options fit",
          at_least(1)),

      field<S>(
          "evolution.population", [](auto& s) -> auto& { return s.evolution.population; },
          "candidates per generation", at_least(2)),
      field<S>(
          "evolution.generations", [](auto& s) -> auto& { return s.evolution.generations; },
          "generations", non_negative<int>()),
      field<S>(
          "evolution.parent_ratio", [](auto& s) -> auto& { return s.evolution.parent_ratio; },
          "share of the population kept as parents", within(0, 1, true, false)),
      field<S>(
          "evolution.mutation_ratio", [](auto& s) -> auto& { return s.evolution.mutation_ratio; },
          "share of a generation's children made by mutation (the rest by crossover)",
          within(0, 1, false, false)),
      field<S>(
          "evolution.block_mutation_prob", [](auto& s) -> auto& { return s.evolution.rates.block; },
          "probability that a mutation changes a block's kernel and expand ratio", probability()),
      field<S>(
          "evolution.depth_mutation_prob", [](auto& s) -> auto& { return s.evolution.rates.depth; },
          "probability that a mutation changes a stage's depth", probability()),
      field<S>(
          "evolution.resolution_mutation_prob",
          [](auto& s) -> auto& { return s.evolution.rates.resolution; },
          "probability that a mutation changes the input resolution", probability()),
      field<S>(
          "evolution.max_tries", [](auto& s) -> auto& { return s.evolution.max_tries; },
          "tries per child to fit the constraints before it is dropped", at_least(1)),

      field<S>(
          "data.kind", [](auto& s) -> auto& { return s.data.kind; },
          "data set format: \"image_folder\", \"mnist\" or \"synthetic\"",
          one_of({"image_folder", "mnist", "synthetic"})),
      field<S>(
          "data.path", [](auto& s) -> auto& { return s.data.path; },
          "folder or archive (image_folder), folder (mnist)"),
      field<S>(
          "data.channels", [](auto& s) -> auto& { return s.data.channels; },
          "decode to 1 (grey) or 3 (RGB) channels",
          Rule<int>([](int c) { return c == 1 || c == 3 ? "" : "must be 1 or 3"; })),
      field<S>(
          "data.synthetic.train", [](auto& s) -> auto& { return s.data.synthetic_train; },
          "synthetic data: training images", at_least<int64_t>(1)),
      field<S>(
          "data.synthetic.test", [](auto& s) -> auto& { return s.data.synthetic_test; },
          "synthetic data: test images", at_least<int64_t>(1)),
      field<S>(
          "data.synthetic.size", [](auto& s) -> auto& { return s.data.synthetic_size; },
          "synthetic data: image width and height", at_least(1)),
      field<S>(
          "data.synthetic.classes", [](auto& s) -> auto& { return s.data.synthetic_classes; },
          "synthetic data: classes", at_least(2)),

      field<S>(
          "supernet.width_mult", [](auto& s) -> auto& { return s.supernet.width_mult; },
          "width multiplier of the supernet", positive()),
      field<S>(
          "supernet.dropout", [](auto& s) -> auto& { return s.supernet.dropout; },
          "dropout before the classifier (training only)", within(0, 1, false, true)),
      field<S>(
          "supernet.bn_momentum", [](auto& s) -> auto& { return s.supernet.bn_momentum; },
          "batch-norm running-statistics momentum", within(0, 1, true, false)),
      field<S>(
          "supernet.bn_eps", [](auto& s) -> auto& { return s.supernet.bn_eps; },
          "batch-norm epsilon", positive()),

      phases_field(),
      train_field(
          "batch_size", [](auto& s) -> auto& { return s.train.batch_size; }, "images per step"),
      train_field(
          "resolutions", [](auto& s) -> auto& { return s.train.resolutions; },
          "input resolutions, one drawn per step (empty: the data's image size)"),
      train_field(
          "momentum", [](auto& s) -> auto& { return s.train.momentum; }, "SGD (Nesterov) momentum"),
      train_field(
          "weight_decay", [](auto& s) -> auto& { return s.train.weight_decay; },
          "weight decay (not on batch norm, biases or kernel transformation matrices)"),
      train_field(
          "label_smoothing", [](auto& s) -> auto& { return s.train.label_smoothing; },
          "label smoothing of the cross-entropy loss"),
      train_field(
          "distill_weight", [](auto& s) -> auto& { return s.train.distill_weight; },
          "weight of the distillation loss"),
      train_field(
          "train_subset", [](auto& s) -> auto& { return s.train.train_subset; },
          "train on a seeded subset of this many training images (0: all)"),
      train_field(
          "workers", [](auto& s) -> auto& { return s.train.workers; }, "data-loading threads"),
      train_field(
          "device", [](auto& s) -> auto& { return s.train.device; },
          "\"cpu\" or \"cuda\" (needs a LibTorch built with CUDA)"),
      train_field(
          "eval_each_epoch", [](auto& s) -> auto& { return s.train.eval_each_epoch; },
          "log the top-1 of the largest and smallest sub-nets after every epoch"),
      train_field(
          "checkpoint_minutes", [](auto& s) -> auto& { return s.train.checkpoint_minutes; },
          "minutes of wall clock between checkpoints inside an epoch, about what a killed run can "
          "lose (fractions allowed; 0: only at epoch ends); --resume continues from "
          "the step saved"),
      train_field(
          "augment.pad", [](auto& s) -> auto& { return s.train.augment.pad; },
          "random crop after zero padding by this many pixels"),
      train_field(
          "augment.flip", [](auto& s) -> auto& { return s.train.augment.flip; },
          "random horizontal flip"),

      field<S>(
          "eval.calibration_images", [](auto& s) -> auto& { return s.eval.calibration_images; },
          "training images that re-calibrate batch norm per sub-net", at_least<int64_t>(1)),
      field<S>(
          "eval.calibration_batch", [](auto& s) -> auto& { return s.eval.calibration_batch; },
          "batch size of the re-calibration", at_least(1)),
      field<S>(
          "eval.batch_size", [](auto& s) -> auto& { return s.eval.batch_size; },
          "batch size of the evaluation", at_least(1)),
      field<S>(
          "eval.test_subset", [](auto& s) -> auto& { return s.eval.test_subset; },
          "evaluate on a seeded subset of this many test images (0: all)",
          non_negative<int64_t>(" (0 = all)")),
      field<S>(
          "eval.epoch_test_subset", [](auto& s) -> auto& { return s.eval.epoch_test_subset; },
          "test images per sub-net in the per-epoch log (0: all)",
          non_negative<int64_t>(" (0 = all)")),

      field<S>(
          "predictor.samples", [](auto& s) -> auto& { return s.predictor.samples; },
          "random sub-nets measured to fit the predictor", at_least(5)),
      field<S>(
          "predictor.validation_images",
          [](auto& s) -> auto& { return s.predictor.validation_images; },
          "held-out training images each sub-net is measured on", at_least<int64_t>(1)),
      field<S>(
          "predictor.calibration_images",
          [](auto& s) -> auto& { return s.predictor.calibration_images; },
          "batch-norm re-calibration images per sub-net", at_least<int64_t>(1)),
      field<S>(
          "predictor.hidden", [](auto& s) -> auto& { return s.predictor.hidden; },
          "hidden layer sizes of the predictor's MLP",
          Rule<std::vector<int>>([](const std::vector<int>& sizes) {
            for (int h : sizes)
              if (h < 1) return "layer sizes must be positive";
            return "";
          })),
      field<S>(
          "predictor.epochs", [](auto& s) -> auto& { return s.predictor.epochs; },
          "training epochs of the MLP", at_least(1)),
      field<S>(
          "predictor.holdout_fraction",
          [](auto& s) -> auto& { return s.predictor.holdout_fraction; },
          "measured sub-nets kept out of training to report the error", within(0, 1, false, true)),
      field<S>(
          "predictor.out", [](auto& s) -> auto& { return s.predictor.out; },
          "predictor file (empty: predictor.json beside the checkpoint)"),

      finetune_field(
          "epochs", [](auto& s) -> auto& { return s.finetune.epochs; },
          "epochs of fine-tuning the search's winner (tinynas finetune)"),
      finetune_field(
          "lr", [](auto& s) -> auto& { return s.finetune.lr; },
          "peak learning rate (cosine to 0 after the warm-up)"),
      finetune_field(
          "warmup_epochs", [](auto& s) -> auto& { return s.finetune.warmup_epochs; },
          "linear warm-up from lr / 10 over this many epochs"),
      finetune_field(
          "weight_decay", [](auto& s) -> auto& { return s.finetune.weight_decay; },
          "weight decay (not on batch norm or biases)"),
      finetune_field(
          "distill", [](auto& s) -> auto& { return s.finetune.distill; },
          "distillation from the supernet's largest sub-net (weight: train.distill_weight); off: a "
          "teacher weaker than the student drags it down"),
      finetune_field(
          "init", [](auto& s) -> auto& { return s.finetune.init; },
          "\"supernet\" (the weights the sub-net inherits) or \"scratch\" (random: what the "
          "supernet is worth, by comparison)"),
      finetune_field(
          "out", [](auto& s) -> auto& { return s.finetune.out; },
          "output folder (empty: finetune/ beside the supernet checkpoint)"),

      field<S>(
          "search.supernet", [](auto& s) -> auto& { return s.search.supernet; },
          "trained supernet checkpoint: re-measures the final candidates (and is the "
          "fitness without a predictor)"),
      field<S>(
          "search.predictor", [](auto& s) -> auto& { return s.search.predictor; },
          "accuracy predictor JSON: the fitness during evolution"),
      field<S>(
          "search.top_k", [](auto& s) -> auto& { return s.search.top_k; },
          "final candidates re-measured with the supernet", at_least(1)),
      field<S>(
          "search.validation_images", [](auto& s) -> auto& { return s.search.validation_images; },
          "held-out training images the top-k are measured on", at_least<int64_t>(1)),
      field<S>(
          "search.random_baseline", [](auto& s) -> auto& { return s.search.random_baseline; },
          "judge as many random fitting sub-nets the same way"),
      field<S>(
          "search.fitness", [](auto& s) -> auto& { return s.search.fitness; },
          "the evolution's fitness without a predictor or supernet: \"flops\" (MACs), or the "
          "training-free proxies \"zen\" (Zen-score) or \"naswot\"",
          one_of({"flops", "zen", "naswot"})),
      field<S>(
          "search.out", [](auto& s) -> auto& { return s.search.out; },
          "output folder of the accuracy search (overrides \"out\")"),
  };
  return table;
}

}  // namespace

void apply_experiment_json(const nlohmann::json& json, const std::string& context, Settings& s) {
  read_fields(settings_table(), json, context, s);
}

void apply_experiment_file(const std::string& path, Settings& settings) {
  apply_experiment_json(util::read_json_file(path), "config " + path, settings);
}

nlohmann::json settings_to_json(const Settings& s) {
  return write_fields(settings_table(), s);
}

nlohmann::json default_settings_json() {
  return settings_to_json(Settings{});
}

std::string setting_problem(const Settings& settings, const std::string& key) {
  for (const Field<Settings>& f : settings_table())
    if (f.key == key) return f.check ? f.check(settings) : "";
  throw std::logic_error("no setting '" + key + "'");
}

void validate_settings(const Settings& settings) {
  if (const std::string problem = first_problem(settings_table(), settings); !problem.empty())
    throw std::invalid_argument("settings: " + problem);
}

std::string settings_reference() {
  return "Experiment settings (a JSON file given with --config; every key is optional, unknown "
         "keys are errors; dots are nested objects):\n\n" +
         describe_fields(settings_table(), Settings{}) + "\nEach entry of train.phases:\n\n" +
         describe_fields(phase_table(), supernet::PhaseOptions{}, "train.phases[].");
}

}  // namespace tinynas::cli
