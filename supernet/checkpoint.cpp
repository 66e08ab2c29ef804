#include "supernet/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "nas/search_space.h"
#include "util/json_reader.h"

namespace tinynas::supernet {
namespace {

constexpr const char* kFormat = "tinynas-supernet-checkpoint-1";

}  // namespace

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
  root.write("format", c10::IValue(std::string(kFormat)));
  root.write("network", c10::IValue(meta.network.dump()));
  root.write("settings", c10::IValue(meta.settings.dump()));
  root.write("state", c10::IValue(meta.state.dump()));
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
    c10::IValue v;
    if (!root.try_read("format", v) || !v.isString() || v.toStringRef() != kFormat)
      throw std::invalid_argument("'" + path + "' is not a tinynas supernet checkpoint");
    const auto text = [&](const char* key) {
      c10::IValue value;
      root.read(key, value);
      return nlohmann::json::parse(value.toStringRef());
    };
    c.meta.network = text("network");
    c.meta.settings = text("settings");
    c.meta.state = text("state");
    c.net = network_from_json(c.meta.network, path + " network");
    torch::serialize::InputArchive model;
    root.read("model", model);
    c.net->load(model);
    torch::serialize::InputArchive teacher;
    if (root.try_read("teacher", teacher)) {
      c.teacher = network_from_json(c.meta.network, path + " network");
      c.teacher->load(teacher);
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

}  // namespace tinynas::supernet
