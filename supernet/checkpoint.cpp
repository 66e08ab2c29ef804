#include "supernet/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "nas/search_space.h"
#include "supernet/memory_format.h"
#include "util/json_reader.h"

namespace tinynas::supernet {
namespace {

constexpr const char* kFormatPrefix = "tinynas-supernet-checkpoint-";

// The version in the archive's "format" entry; throws when the file is no checkpoint of ours or
// one of a newer format than this code reads.
int format_version(torch::serialize::InputArchive& root, const std::string& path) {
  c10::IValue v;
  const std::string prefix = kFormatPrefix;
  if (!root.try_read("format", v) || !v.isString() ||
      v.toStringRef().compare(0, prefix.size(), prefix) != 0)
    throw std::invalid_argument("'" + path + "' is not a tinynas supernet checkpoint");
  const std::string suffix = v.toStringRef().substr(prefix.size());
  int version = 0;
  try {
    size_t used = 0;
    version = std::stoi(suffix, &used);
    if (used != suffix.size()) version = 0;
  } catch (const std::exception&) {
  }
  if (version < 1)
    throw std::invalid_argument("'" + path + "' is not a tinynas supernet checkpoint (format \"" +
                                v.toStringRef() + "\")");
  if (version > kCheckpointFormatVersion)
    throw std::invalid_argument("supernet checkpoint '" + path + "' has format version " +
                                std::to_string(version) + ", newer than this tinynas reads (1 to " +
                                std::to_string(kCheckpointFormatVersion) +
                                "): use the tinynas that wrote it, or a newer one");
  return version;
}

nlohmann::json phase_to_json(const PhaseOptions& p) {
  return {{"name", p.name},
          {"elastic", p.elastic},
          {"epochs", p.epochs},
          {"lr", p.lr},
          {"warmup_epochs", p.warmup_epochs},
          {"subnets_per_step", p.subnets_per_step},
          {"sampling", p.sampling},
          {"distill", p.distill}};
}

PhaseOptions phase_from_json(const nlohmann::json& j, const std::string& context) {
  util::ObjectReader r(j, context);
  PhaseOptions p;
  p.name = r.get<std::string>("name");
  p.elastic = r.optional("elastic", p.elastic);
  p.epochs = r.optional("epochs", p.epochs);
  p.lr = r.optional("lr", p.lr);
  p.warmup_epochs = r.optional("warmup_epochs", p.warmup_epochs);
  p.subnets_per_step = r.optional("subnets_per_step", p.subnets_per_step);
  p.sampling = r.optional("sampling", p.sampling);
  p.distill = r.optional("distill", p.distill);
  return p;
}

// An optional section: an empty object when absent.
const nlohmann::json& section(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  return j.contains(key) ? j.at(key) : empty;
}

}  // namespace

nlohmann::json run_to_json(const RunDescription& run) {
  const data::DatasetSpec& d = run.data;
  const TrainOptions& t = run.train;
  const EvalOptions& e = run.eval;
  nlohmann::json phases = nlohmann::json::array();
  for (const PhaseOptions& p : t.phases) phases.push_back(phase_to_json(p));
  return {{"seed", run.seed},
          {"data",
           {{"kind", d.kind},
            {"path", d.path},
            {"channels", d.channels},
            {"synthetic",
             {{"train", d.synthetic_train},
              {"test", d.synthetic_test},
              {"size", d.synthetic_size},
              {"classes", d.synthetic_classes}}}}},
          {"train",
           {{"phases", phases},
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
            {"augment", {{"pad", t.augment.pad}, {"flip", t.augment.flip}}}}},
          {"eval",
           {{"calibration_images", e.calibration_images},
            {"calibration_batch", e.calibration_batch},
            {"batch_size", e.batch_size},
            {"test_subset", e.test_subset},
            {"epoch_test_subset", e.epoch_test_subset}}}};
}

RunDescription run_from_json(const nlohmann::json& j, const std::string& context) {
  RunDescription run;
  util::ObjectReader r(j, context);
  run.seed = r.optional<uint64_t>("seed", run.seed);

  util::ObjectReader d(section(j, "data"), context + " data");
  run.data.kind = d.optional("kind", run.data.kind);
  run.data.path = d.optional("path", run.data.path);
  run.data.channels = d.optional("channels", run.data.channels);
  util::ObjectReader y(section(section(j, "data"), "synthetic"), context + " data synthetic");
  run.data.synthetic_train = y.optional("train", run.data.synthetic_train);
  run.data.synthetic_test = y.optional("test", run.data.synthetic_test);
  run.data.synthetic_size = y.optional("size", run.data.synthetic_size);
  run.data.synthetic_classes = y.optional("classes", run.data.synthetic_classes);

  TrainOptions& t = run.train;
  util::ObjectReader tr(section(j, "train"), context + " train");
  if (tr.has("phases")) {
    t.phases.clear();
    const nlohmann::json& phases = tr.at("phases");
    for (size_t i = 0; i < phases.size(); ++i)
      t.phases.push_back(
          phase_from_json(phases.at(i), context + " train phases[" + std::to_string(i) + "]"));
  }
  t.batch_size = tr.optional("batch_size", t.batch_size);
  t.resolutions = tr.optional("resolutions", t.resolutions);
  t.momentum = tr.optional("momentum", t.momentum);
  t.weight_decay = tr.optional("weight_decay", t.weight_decay);
  t.label_smoothing = tr.optional("label_smoothing", t.label_smoothing);
  t.distill_weight = tr.optional("distill_weight", t.distill_weight);
  t.train_subset = tr.optional("train_subset", t.train_subset);
  t.workers = tr.optional("workers", t.workers);
  t.device = tr.optional("device", t.device);
  t.eval_each_epoch = tr.optional("eval_each_epoch", t.eval_each_epoch);
  util::ObjectReader a(section(section(j, "train"), "augment"), context + " train augment");
  t.augment.pad = a.optional("pad", t.augment.pad);
  t.augment.flip = a.optional("flip", t.augment.flip);

  EvalOptions& e = run.eval;
  util::ObjectReader ev(section(j, "eval"), context + " eval");
  e.calibration_images = ev.optional("calibration_images", e.calibration_images);
  e.calibration_batch = ev.optional("calibration_batch", e.calibration_batch);
  e.batch_size = ev.optional("batch_size", e.batch_size);
  e.test_subset = ev.optional("test_subset", e.test_subset);
  e.epoch_test_subset = ev.optional("epoch_test_subset", e.epoch_test_subset);
  return run;
}

nlohmann::json network_json(const OFANetwork& net, const Normalization& norm) {
  const SupernetOptions& o = net->options();
  return {{"space", nas::space_to_json(net->space())},
          {"width_mult", o.width_mult},
          {"dropout", o.dropout},
          {"bn_momentum", o.bn_momentum},
          {"bn_eps", o.bn_eps},
          {"num_classes", net->num_classes()},
          {"norm", {{"mean", norm.mean}, {"std", norm.std}}}};
}

OFANetwork network_from_json(const nlohmann::json& j, const std::string& context) {
  util::ObjectReader r(j, context);
  const nas::SearchSpace space = nas::space_from_json(r.at("space"), context + " space");
  SupernetOptions o;
  o.width_mult = r.get<double>("width_mult");
  o.dropout = r.get<double>("dropout");
  o.bn_momentum = r.get<double>("bn_momentum");
  o.bn_eps = r.get<double>("bn_eps");
  const int classes = r.get<int>("num_classes");
  r.at("norm");
  r.finish();
  return OFANetwork(space, o, classes);
}

Normalization norm_from_json(const nlohmann::json& network) {
  Normalization n;
  n.mean = network.at("norm").at("mean").get<std::vector<float>>();
  n.std = network.at("norm").at("std").get<std::vector<float>>();
  return n;
}

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const OFANetwork& net,
                     const OFANetwork& teacher, const torch::optim::Optimizer* optimizer) {
  torch::serialize::OutputArchive root;
  root.write("format", c10::IValue(kFormatPrefix + std::to_string(kCheckpointFormatVersion)));
  root.write("network", c10::IValue(meta.network.dump()));
  root.write("run", c10::IValue(run_to_json(meta.run).dump()));
  root.write("state", c10::IValue(meta.state.dump()));
  root.write("settings", c10::IValue(meta.settings.dump()));
  torch::serialize::OutputArchive model;
  net->save(model);
  root.write("model", model);
  if (teacher) {
    torch::serialize::OutputArchive t;
    teacher->save(t);
    root.write("teacher", t);
  }
  if (optimizer) {
    torch::serialize::OutputArchive o;
    optimizer->save(o);
    root.write("optimizer", o);
  }
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    root.write("rng", gen.get_state());
  }
  std::ostringstream bytes;
  root.save_to(bytes);
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  util::write_file_atomically(path, bytes.str());
}

Checkpoint load_checkpoint(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw std::invalid_argument("supernet checkpoint '" + path + "' does not exist");
  Checkpoint c;
  try {
    torch::serialize::InputArchive root;
    root.load_from(path);
    c.meta.format_version = format_version(root, path);
    const auto text = [&](const char* key) {
      c10::IValue value;
      root.read(key, value);
      return nlohmann::json::parse(value.toStringRef());
    };
    c.meta.network = text("network");
    c.meta.settings = text("settings");
    c.meta.state = text("state");
    if (c.meta.format_version == 1) {
      // The run was described only by the CLI's settings, with the key names of that time.
      if (c.meta.settings.is_object())
        c.meta.run = run_from_json(c.meta.settings, path + " settings (format 1)");
    } else {
      c.meta.run = run_from_json(text("run"), path + " run");
    }
    c.net = network_from_json(c.meta.network, path + " network");
    torch::serialize::InputArchive model;
    root.read("model", model);
    c.net->load(model);
    to_channels_last(*c.net);  // files written before the layout change hold NCHW weights
    torch::serialize::InputArchive teacher;
    if (root.try_read("teacher", teacher)) {
      c.teacher = network_from_json(c.meta.network, path + " network");
      c.teacher->load(teacher);
      to_channels_last(*c.teacher);
    }
    torch::serialize::InputArchive optimizer;
    if (root.try_read("optimizer", optimizer)) c.optimizer = std::move(optimizer);
    root.read("rng", c.rng_state);
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    // c10::Error's text is several lines of C++ trace; its first line says what happened.
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    throw std::invalid_argument("supernet checkpoint '" + path + "' is corrupt or truncated (" +
                                what + ")");
  }
  return c;
}

bool checkpoint_matches_resume(const std::string& path, bool resume) {
  const bool exists = std::filesystem::exists(path);
  if (exists && !resume)
    throw std::invalid_argument("'" + path +
                                "' exists: pass --resume to continue that run, or choose "
                                "another output folder");
  if (resume && !exists)
    throw std::invalid_argument("--resume: there is no checkpoint at '" + path + "'");
  return exists;
}

}  // namespace tinynas::supernet
