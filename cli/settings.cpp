#include "cli/settings.h"

#include "util/json_reader.h"

namespace tinynas::cli {

using util::ObjectReader;

namespace {

void apply_space_optimizer(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("space_optimizer"), parent.context() + " space_optimizer");
  s.space_optimizer.samples_per_space =
      r.optional<int>("samples", s.space_optimizer.samples_per_space);
  s.plot_top_spaces = r.optional<int>("plot_top_spaces", s.plot_top_spaces);
  r.finish();
  if (s.space_optimizer.samples_per_space < 1) r.fail("samples", "must be at least 1");
  if (s.plot_top_spaces < 1) r.fail("plot_top_spaces", "must be at least 1");
}

void apply_evolution(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("evolution"), parent.context() + " evolution");
  nas::EvolutionOptions& e = s.evolution;
  e.population = r.optional<int>("population", e.population);
  e.generations = r.optional<int>("generations", e.generations);
  e.parent_ratio = r.optional<double>("parent_ratio", e.parent_ratio);
  e.mutation_ratio = r.optional<double>("mutation_ratio", e.mutation_ratio);
  e.rates.block = r.optional<double>("block_mutation_prob", e.rates.block);
  e.rates.depth = r.optional<double>("depth_mutation_prob", e.rates.depth);
  e.rates.resolution = r.optional<double>("resolution_mutation_prob", e.rates.resolution);
  e.max_tries = r.optional<int>("max_tries", e.max_tries);
  r.finish();
  if (e.population < 2) r.fail("population", "must be at least 2");
  if (e.generations < 0) r.fail("generations", "must be >= 0");
  if (!(e.parent_ratio > 0 && e.parent_ratio <= 1)) r.fail("parent_ratio", "must be in (0, 1]");
  if (!(e.mutation_ratio >= 0 && e.mutation_ratio <= 1))
    r.fail("mutation_ratio", "must be in [0, 1]");
  for (const auto& [key, p] : {std::pair{"block_mutation_prob", e.rates.block},
                               std::pair{"depth_mutation_prob", e.rates.depth},
                               std::pair{"resolution_mutation_prob", e.rates.resolution}})
    if (!(p >= 0 && p <= 1)) r.fail(key, "must be a probability in [0, 1]");
  if (e.max_tries < 1) r.fail("max_tries", "must be at least 1");
}

void apply_data(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("data"), parent.context() + " data");
  data::DatasetSpec& d = s.data;
  d.kind = r.optional<std::string>("kind", d.kind);
  d.path = r.optional<std::string>("path", d.path);
  d.channels = r.optional<int>("channels", d.channels);
  if (r.has("synthetic")) {
    ObjectReader y(r.at("synthetic"), r.context() + " synthetic");
    d.synthetic_train = y.optional<int64_t>("train", d.synthetic_train);
    d.synthetic_test = y.optional<int64_t>("test", d.synthetic_test);
    d.synthetic_size = y.optional<int>("size", d.synthetic_size);
    d.synthetic_classes = y.optional<int>("classes", d.synthetic_classes);
    y.finish();
    if (d.synthetic_train < 1 || d.synthetic_test < 1 || d.synthetic_size < 1 ||
        d.synthetic_classes < 2)
      y.fail("train", "train, test and size must be >= 1 and classes >= 2");
  }
  r.finish();
  if (d.kind != "image_folder" && d.kind != "mnist" && d.kind != "synthetic")
    r.fail("kind", "must be \"image_folder\", \"mnist\" or \"synthetic\", got \"" + d.kind + "\"");
  if (d.channels != 1 && d.channels != 3) r.fail("channels", "must be 1 or 3");
}

void apply_supernet(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("supernet"), parent.context() + " supernet");
  supernet::SupernetOptions& o = s.supernet;
  o.width_mult = r.optional<double>("width_mult", o.width_mult);
  o.dropout = r.optional<double>("dropout", o.dropout);
  o.bn_momentum = r.optional<double>("bn_momentum", o.bn_momentum);
  o.bn_eps = r.optional<double>("bn_eps", o.bn_eps);
  r.finish();
  if (!(o.width_mult > 0)) r.fail("width_mult", "must be positive");
  if (!(o.dropout >= 0 && o.dropout < 1)) r.fail("dropout", "must be in [0, 1)");
  if (!(o.bn_momentum > 0 && o.bn_momentum <= 1)) r.fail("bn_momentum", "must be in (0, 1]");
  if (!(o.bn_eps > 0)) r.fail("bn_eps", "must be positive");
}

supernet::PhaseOptions phase_from_json(const nlohmann::json& j, const std::string& context) {
  ObjectReader r(j, context);
  supernet::PhaseOptions p;
  p.name = r.get<std::string>("name");
  p.elastic = r.optional<std::vector<std::string>>("elastic", p.elastic);
  p.epochs = r.optional<int>("epochs", p.epochs);
  p.lr = r.optional<double>("lr", p.lr);
  p.warmup_epochs = r.optional<double>("warmup_epochs", p.warmup_epochs);
  p.subnets_per_step = r.optional<int>("subnets_per_step", p.subnets_per_step);
  p.sampling = r.optional<std::string>("sampling", p.sampling);
  p.distill = r.optional<bool>("distill", p.distill);
  r.finish();
  if (p.epochs < 0) r.fail("epochs", "must be >= 0");
  if (!(p.lr > 0)) r.fail("lr", "must be positive");
  if (p.warmup_epochs < 0) r.fail("warmup_epochs", "must be >= 0");
  if (p.subnets_per_step < 1) r.fail("subnets_per_step", "must be at least 1");
  if (p.sampling != "random" && p.sampling != "sandwich")
    r.fail("sampling", "must be \"random\" or \"sandwich\", got \"" + p.sampling + "\"");
  if (p.sampling == "sandwich" && p.subnets_per_step < 2)
    r.fail("subnets_per_step", "must be at least 2 with the sandwich rule");
  for (const std::string& d : p.elastic)
    if (d != "kernel" && d != "depth" && d != "expand")
      r.fail("elastic", "entries must be \"kernel\", \"depth\" or \"expand\", got \"" + d + "\"");
  return p;
}

void apply_train(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("train"), parent.context() + " train");
  supernet::TrainOptions& t = s.train;
  if (r.has("phases")) {
    const nlohmann::json& phases = r.at("phases");
    if (!phases.is_array() || phases.empty()) r.fail("phases", "must be a non-empty array");
    t.phases.clear();
    for (size_t i = 0; i < phases.size(); ++i)
      t.phases.push_back(
          phase_from_json(phases[i], r.context() + " phases[" + std::to_string(i) + "]"));
  }
  t.batch_size = r.optional<int>("batch_size", t.batch_size);
  t.resolutions = r.optional<std::vector<int>>("resolutions", t.resolutions);
  t.momentum = r.optional<double>("momentum", t.momentum);
  t.weight_decay = r.optional<double>("weight_decay", t.weight_decay);
  t.label_smoothing = r.optional<double>("label_smoothing", t.label_smoothing);
  t.distill_weight = r.optional<double>("distill_weight", t.distill_weight);
  t.train_subset = r.optional<int64_t>("train_subset", t.train_subset);
  t.workers = r.optional<int>("workers", t.workers);
  t.device = r.optional<std::string>("device", t.device);
  t.eval_each_epoch = r.optional<bool>("eval_each_epoch", t.eval_each_epoch);
  if (r.has("augment")) {
    ObjectReader a(r.at("augment"), r.context() + " augment");
    t.augment.pad = a.optional<int>("pad", t.augment.pad);
    t.augment.flip = a.optional<bool>("flip", t.augment.flip);
    a.finish();
    if (t.augment.pad < 0) a.fail("pad", "must be >= 0");
  }
  r.finish();
  if (t.batch_size < 1) r.fail("batch_size", "must be at least 1");
  for (int res : t.resolutions)
    if (res < 8) r.fail("resolutions", "entries must be at least 8");
  if (!(t.momentum >= 0 && t.momentum < 1)) r.fail("momentum", "must be in [0, 1)");
  if (t.weight_decay < 0) r.fail("weight_decay", "must be >= 0");
  if (!(t.label_smoothing >= 0 && t.label_smoothing < 1))
    r.fail("label_smoothing", "must be in [0, 1)");
  if (t.distill_weight < 0) r.fail("distill_weight", "must be >= 0");
  if (t.train_subset < 0) r.fail("train_subset", "must be >= 0 (0 = all)");
  if (t.workers < 0) r.fail("workers", "must be >= 0");
  if (t.device != "cpu" && t.device != "cuda")
    r.fail("device", "must be \"cpu\" or \"cuda\", got \"" + t.device + "\"");
}

void apply_eval(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("eval"), parent.context() + " eval");
  supernet::EvalOptions& e = s.eval;
  e.calibration_images = r.optional<int64_t>("calibration_images", e.calibration_images);
  e.calibration_batch = r.optional<int>("calibration_batch", e.calibration_batch);
  e.batch_size = r.optional<int>("batch_size", e.batch_size);
  e.test_subset = r.optional<int64_t>("test_subset", e.test_subset);
  e.epoch_test_subset = r.optional<int64_t>("epoch_test_subset", e.epoch_test_subset);
  r.finish();
  if (e.calibration_images < 1) r.fail("calibration_images", "must be at least 1");
  if (e.calibration_batch < 1) r.fail("calibration_batch", "must be at least 1");
  if (e.batch_size < 1) r.fail("batch_size", "must be at least 1");
  if (e.test_subset < 0) r.fail("test_subset", "must be >= 0 (0 = all)");
  if (e.epoch_test_subset < 0) r.fail("epoch_test_subset", "must be >= 0 (0 = all)");
}

void apply_predictor(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("predictor"), parent.context() + " predictor");
  PredictorBuildSettings& p = s.predictor;
  p.samples = r.optional<int>("samples", p.samples);
  p.validation_images = r.optional<int64_t>("validation_images", p.validation_images);
  p.calibration_images = r.optional<int64_t>("calibration_images", p.calibration_images);
  p.hidden = r.optional<std::vector<int>>("hidden", p.hidden);
  p.epochs = r.optional<int>("epochs", p.epochs);
  p.holdout_fraction = r.optional<double>("holdout_fraction", p.holdout_fraction);
  p.out = r.optional<std::string>("out", p.out);
  r.finish();
  if (p.samples < 5) r.fail("samples", "must be at least 5");
  if (p.validation_images < 1) r.fail("validation_images", "must be at least 1");
  if (p.calibration_images < 1) r.fail("calibration_images", "must be at least 1");
  for (int h : p.hidden)
    if (h < 1) r.fail("hidden", "layer sizes must be positive");
  if (p.epochs < 1) r.fail("epochs", "must be at least 1");
  if (!(p.holdout_fraction >= 0 && p.holdout_fraction < 1))
    r.fail("holdout_fraction", "must be in [0, 1)");
}

void apply_search(ObjectReader& parent, Settings& s) {
  ObjectReader r(parent.at("search"), parent.context() + " search");
  AccuracySearchSettings& a = s.search;
  a.supernet = r.optional<std::string>("supernet", a.supernet);
  a.predictor = r.optional<std::string>("predictor", a.predictor);
  a.top_k = r.optional<int>("top_k", a.top_k);
  a.validation_images = r.optional<int64_t>("validation_images", a.validation_images);
  a.random_baseline = r.optional<bool>("random_baseline", a.random_baseline);
  a.out = r.optional<std::string>("out", a.out);
  r.finish();
  if (a.top_k < 1) r.fail("top_k", "must be at least 1");
  if (a.validation_images < 1) r.fail("validation_images", "must be at least 1");
}

}  // namespace

void apply_experiment_json(const nlohmann::json& json, const std::string& context, Settings& s) {
  ObjectReader r(json, context);
  r.optional<std::string>("description", "");
  s.space = r.optional<std::string>("space", s.space);
  s.board = r.optional<std::string>("board", s.board);
  if (r.has("sram")) s.sram_bytes = r.size("sram");
  if (r.has("flash")) s.flash_bytes = r.size("flash");
  const int64_t seed = r.optional<int64_t>("seed", static_cast<int64_t>(s.seed));
  if (seed < 0) r.fail("seed", "must be >= 0");
  s.seed = static_cast<uint64_t>(seed);
  s.threads = r.optional<int>("threads", s.threads);
  if (s.threads < 0) r.fail("threads", "must be >= 0 (0 = all cores)");
  s.out = r.optional<std::string>("out", s.out);
  if (r.has("space_optimizer")) apply_space_optimizer(r, s);
  if (r.has("evolution")) apply_evolution(r, s);
  if (r.has("data")) apply_data(r, s);
  if (r.has("supernet")) apply_supernet(r, s);
  if (r.has("train")) apply_train(r, s);
  if (r.has("eval")) apply_eval(r, s);
  if (r.has("predictor")) apply_predictor(r, s);
  if (r.has("search")) apply_search(r, s);
  r.finish();
}

void apply_experiment_file(const std::string& path, Settings& settings) {
  apply_experiment_json(util::read_json_file(path), "config " + path, settings);
}

nlohmann::json settings_to_json(const Settings& s) {
  nlohmann::json j = {
      {"space", s.space},
      {"board", s.board},
      {"seed", s.seed},
      {"threads", s.threads},
      {"space_optimizer",
       {{"samples", s.space_optimizer.samples_per_space}, {"plot_top_spaces", s.plot_top_spaces}}},
      {"evolution",
       {{"population", s.evolution.population},
        {"generations", s.evolution.generations},
        {"parent_ratio", s.evolution.parent_ratio},
        {"mutation_ratio", s.evolution.mutation_ratio},
        {"block_mutation_prob", s.evolution.rates.block},
        {"depth_mutation_prob", s.evolution.rates.depth},
        {"resolution_mutation_prob", s.evolution.rates.resolution},
        {"max_tries", s.evolution.max_tries}}},
  };
  j["data"] = {{"kind", s.data.kind},
               {"path", s.data.path},
               {"channels", s.data.channels},
               {"synthetic",
                {{"train", s.data.synthetic_train},
                 {"test", s.data.synthetic_test},
                 {"size", s.data.synthetic_size},
                 {"classes", s.data.synthetic_classes}}}};
  j["supernet"] = {{"width_mult", s.supernet.width_mult},
                   {"dropout", s.supernet.dropout},
                   {"bn_momentum", s.supernet.bn_momentum},
                   {"bn_eps", s.supernet.bn_eps}};
  nlohmann::json phases = nlohmann::json::array();
  for (const supernet::PhaseOptions& p : s.train.phases)
    phases.push_back({{"name", p.name},
                      {"elastic", p.elastic},
                      {"epochs", p.epochs},
                      {"lr", p.lr},
                      {"warmup_epochs", p.warmup_epochs},
                      {"subnets_per_step", p.subnets_per_step},
                      {"sampling", p.sampling},
                      {"distill", p.distill}});
  const supernet::TrainOptions& t = s.train;
  j["train"] = {{"phases", phases},
                {"batch_size", t.batch_size},
                {"resolutions", t.resolutions},
                {"momentum", t.momentum},
                {"weight_decay", t.weight_decay},
                {"label_smoothing", t.label_smoothing},
                {"distill_weight", t.distill_weight},
                {"train_subset", t.train_subset},
                {"workers", t.workers},
                {"device", t.device},
                {"eval_each_epoch", t.eval_each_epoch},
                {"augment", {{"pad", t.augment.pad}, {"flip", t.augment.flip}}}};
  j["eval"] = {{"calibration_images", s.eval.calibration_images},
               {"calibration_batch", s.eval.calibration_batch},
               {"batch_size", s.eval.batch_size},
               {"test_subset", s.eval.test_subset},
               {"epoch_test_subset", s.eval.epoch_test_subset}};
  j["predictor"] = {{"samples", s.predictor.samples},
                    {"validation_images", s.predictor.validation_images},
                    {"calibration_images", s.predictor.calibration_images},
                    {"hidden", s.predictor.hidden},
                    {"epochs", s.predictor.epochs},
                    {"holdout_fraction", s.predictor.holdout_fraction},
                    {"out", s.predictor.out}};
  j["search"] = {{"supernet", s.search.supernet},
                 {"predictor", s.search.predictor},
                 {"top_k", s.search.top_k},
                 {"validation_images", s.search.validation_images},
                 {"random_baseline", s.search.random_baseline},
                 {"out", s.search.out}};
  if (s.sram_bytes) j["sram"] = *s.sram_bytes;
  if (s.flash_bytes) j["flash"] = *s.flash_bytes;
  return j;
}

}  // namespace tinynas::cli
