#include "engine/quant_model_io.h"

#include <stdexcept>

#include "engine/input_preprocessing.h"
#include "memory_model/float_weights.h"
#include "memory_model/op_def.h"
#include "util/json_reader.h"

namespace tinynas::engine {

using memory::Activation;
using memory::Graph;
using memory::LayerRole;
using memory::Op;
using memory::OpType;
using memory::Shape;

namespace {

constexpr const char* kFormat = "tinynas-quant-model";
constexpr int kVersion = 1;

nlohmann::json shape_json(const Shape& s) {
  return {s.h, s.w, s.c};
}

Shape shape_from(util::ObjectReader& r, const std::string& key) {
  const nlohmann::json& j = r.at(key);
  if (!j.is_array() || j.size() != 3) r.fail(key, "must be [h, w, c]");
  return Shape{j[0].get<int>(), j[1].get<int>(), j[2].get<int>()};
}

template <typename T>
std::vector<T> int_array(util::ObjectReader& r, const std::string& key) {
  const nlohmann::json& j = r.at(key);
  if (!j.is_array()) r.fail(key, "must be an array of integers");
  std::vector<T> v;
  v.reserve(j.size());
  for (const nlohmann::json& e : j) {
    if (!e.is_number_integer()) r.fail(key, "must be an array of integers");
    v.push_back(static_cast<T>(e.get<int64_t>()));
  }
  return v;
}

}  // namespace

nlohmann::json graph_to_json(const Graph& graph) {
  nlohmann::json ops = nlohmann::json::array();
  for (const Op& op : graph.ops()) {
    nlohmann::json j = {{"name", op.name()},
                        {"type", to_string(op.type)},
                        {"role", to_string(op.role)},
                        {"block", op.block},
                        {"input", op.input},
                        {"input2", op.input2},
                        {"output", op.output},
                        {"kernel", op.kernel},
                        {"stride", op.stride},
                        {"relu6", op.activation == Activation::kRelu6},
                        {"out_shape", shape_json(graph.tensor(op.output).shape)}};
    // Padding is written only where it is not the convs' kernel / 2, so files of networks
    // without such ops read the same in older versions.
    if (op.pad != op.kernel / 2) j["pad"] = op.pad;
    ops.push_back(std::move(j));
  }
  return {{"input", graph.input()},
          {"input_shape", shape_json(graph.tensor(graph.input()).shape)},
          {"output", graph.output()},
          {"ops", ops}};
}

Graph graph_from_json(const nlohmann::json& json, const std::string& context) {
  util::ObjectReader r(json, context + " graph");
  Graph g;
  if (r.get<int>("input") != 0) r.fail("input", "must be 0 (the first tensor)");
  g.add_input(shape_from(r, "input_shape"));
  const int output = r.get<int>("output");
  const nlohmann::json& ops = r.at("ops");
  if (!ops.is_array()) r.fail("ops", "must be an array");
  r.finish();
  for (size_t i = 0; i < ops.size(); ++i) {
    util::ObjectReader o(ops[i], context + " graph ops[" + std::to_string(i) + "]");
    (void)o.get<std::string>("name");
    const std::string type_name = o.get<std::string>("type");
    const std::string role_name = o.get<std::string>("role");
    OpType type{};
    LayerRole role{};
    const bool type_ok = memory::op_type_from_name(type_name, &type);
    const bool role_ok = memory::layer_role_from_name(role_name, &role);
    if (!type_ok) o.fail("type", "unknown op type \"" + type_name + "\"");
    if (!role_ok) o.fail("role", "unknown role \"" + role_name + "\"");
    Op op;
    op.type = type;
    op.role = role;
    op.block = o.get<int>("block");
    op.input = o.get<int>("input");
    op.input2 = o.get<int>("input2");
    const int out_id = o.get<int>("output");
    op.kernel = o.get<int>("kernel");
    op.stride = o.get<int>("stride");
    op.pad = o.optional<int>("pad", op.kernel / 2);
    op.activation = o.get<bool>("relu6") ? Activation::kRelu6 : Activation::kNone;
    const Shape out_shape = shape_from(o, "out_shape");
    o.finish();
    const int n_tensors = static_cast<int>(g.tensors().size());
    if (op.input < 0 || op.input >= n_tensors)
      o.fail("input", "refers to a tensor not yet produced");
    if (memory::op_def(type).operands == 2 && (op.input2 < 0 || op.input2 >= n_tensors))
      o.fail("input2", "refers to a tensor not yet produced");
    if (op.kernel < 1 || op.stride < 1) o.fail("kernel", "kernel and stride must be positive");
    int y = -1;
    try {
      y = g.add(op, out_shape.c);
    } catch (const std::invalid_argument& e) {
      o.fail("type", e.what());
    }
    if (y != out_id) o.fail("output", "must be tensor " + std::to_string(y));
    if (!(g.tensor(y).shape == out_shape))
      o.fail("out_shape", "does not follow from the input shape, kernel and stride");
  }
  if (output < 0 || output >= static_cast<int>(g.tensors().size()))
    throw std::invalid_argument(context + ": graph output " + std::to_string(output) +
                                " is not a tensor");
  g.set_output(output);
  return g;
}

nlohmann::json quant_model_to_json(const QuantModel& m) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const TensorQuant& t : m.tensors)
    tensors.push_back({{"scale", t.scale}, {"zero_point", t.zero_point}});
  nlohmann::json layers = nlohmann::json::array();
  for (const QuantLayer& q : m.layers) {
    const AddParams& a = q.add;
    layers.push_back({{"weights", q.weights},
                      {"bias", q.bias},
                      {"multiplier", q.multiplier},
                      {"shift", q.shift},
                      {"weight_scale", q.weight_scale},
                      {"input_offset", q.input_offset},
                      {"output_offset", q.output_offset},
                      {"act_min", q.act_min},
                      {"act_max", q.act_max},
                      {"add",
                       {a.left_shift, a.input1_offset, a.input2_offset, a.output_offset,
                        a.input1_multiplier, a.input1_shift, a.input2_multiplier, a.input2_shift,
                        a.output_multiplier, a.output_shift}}});
  }
  nlohmann::json json = {{"format", kFormat},
                         {"version", kVersion},
                         {"graph", graph_to_json(m.graph)},
                         {"tensors", tensors},
                         {"layers", layers}};
  if (m.input_normalization)
    json["input_normalization"] = {{"mean", m.input_normalization->mean},
                                   {"std", m.input_normalization->std}};
  return json;
}

QuantModel quant_model_from_json(const nlohmann::json& json, const std::string& context) {
  util::ObjectReader r(json, context);
  if (r.get<std::string>("format") != kFormat)
    r.fail("format", std::string("must be \"") + kFormat + "\"");
  if (r.get<int>("version") != kVersion) r.fail("version", "is not supported");
  QuantModel m;
  m.graph = graph_from_json(r.at("graph"), context);
  const nlohmann::json& tensors = r.at("tensors");
  const nlohmann::json& layers = r.at("layers");
  if (r.has("input_normalization")) {
    util::ObjectReader nr(r.at("input_normalization"), context + " input_normalization");
    memory::InputNormalization n;
    n.mean = nr.get<std::vector<float>>("mean");
    n.std = nr.get<std::vector<float>>("std");
    nr.finish();
    try {
      check_normalization(n, m.graph.tensor(m.graph.input()).shape.c);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(nr.context() + ": " + e.what());
    }
    m.input_normalization = std::move(n);
  }
  r.finish();
  if (!tensors.is_array() || tensors.size() != m.graph.tensors().size())
    throw std::invalid_argument(context + ": tensors must list one entry per graph tensor");
  if (!layers.is_array() || layers.size() != m.graph.ops().size())
    throw std::invalid_argument(context + ": layers must list one entry per graph op");
  for (size_t t = 0; t < tensors.size(); ++t) {
    util::ObjectReader tr(tensors[t], context + " tensors[" + std::to_string(t) + "]");
    TensorQuant q;
    q.scale = tr.get<float>("scale");
    q.zero_point = tr.get<int32_t>("zero_point");
    tr.finish();
    if (!(q.scale > 0) || q.zero_point < -128 || q.zero_point > 127)
      tr.fail("scale", "scale must be positive and the zero point in [-128, 127]");
    m.tensors.push_back(q);
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    const Op& op = m.graph.op(static_cast<int>(i));
    util::ObjectReader lr(layers[i],
                          context + " layers[" + std::to_string(i) + "] (" + op.name() + ")");
    QuantLayer q;
    q.weights = int_array<int8_t>(lr, "weights");
    q.bias = int_array<int32_t>(lr, "bias");
    q.multiplier = int_array<int32_t>(lr, "multiplier");
    q.shift = int_array<int32_t>(lr, "shift");
    q.weight_scale = lr.at("weight_scale").get<std::vector<float>>();
    q.input_offset = lr.get<int32_t>("input_offset");
    q.output_offset = lr.get<int32_t>("output_offset");
    q.act_min = lr.get<int32_t>("act_min");
    q.act_max = lr.get<int32_t>("act_max");
    const std::vector<int32_t> add = int_array<int32_t>(lr, "add");
    lr.finish();
    if (add.size() != 10) lr.fail("add", "must hold 10 integers");
    q.add =
        AddParams{add[0], add[1], add[2], add[3], add[4], add[5], add[6], add[7], add[8], add[9]};
    if (memory::has_weights(op)) {
      const std::vector<int> shape = memory::expected_weight_shape(m.graph, op);
      size_t n = 1;
      for (int d : shape) n *= static_cast<size_t>(d);
      const auto channels = static_cast<size_t>(shape[0]);
      if (q.weights.size() != n) lr.fail("weights", "has the wrong size for this op");
      if (q.bias.size() != channels || q.multiplier.size() != channels ||
          q.shift.size() != channels)
        lr.fail("bias", "bias, multiplier and shift need one value per output channel");
      for (int32_t s : q.shift)
        if (s < -31 || s > 31) lr.fail("shift", "shifts must lie in [-31, 31]");
    }
    m.layers.push_back(std::move(q));
  }
  return m;
}

void save_quant_model(const std::string& path, const QuantModel& model) {
  util::write_file_atomically(path, quant_model_to_json(model).dump() + "\n");
}

QuantModel load_quant_model(const std::string& path) {
  return quant_model_from_json(util::read_json_file(path), path);
}

}  // namespace tinynas::engine
