#include "nas/latency_model.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "memory_model/cost.h"
#include "memory_model/op_def.h"
#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::nas {

namespace {

constexpr int kWeights = kLatencyFeatures + 1;
// A kind (or op type) gets a model of its own from this many measured layers; with fewer it uses
// the next coarser one.
constexpr int kMinLayersPerFit = 3 * kWeights;

constexpr size_t f_size() {
  return static_cast<size_t>(kLatencyFeatures);
}

size_t at(int i) {
  return static_cast<size_t>(i);
}

}  // namespace

const std::array<const char*, kLatencyFeatures>& latency_feature_names() {
  static const std::array<const char*, kLatencyFeatures> names = {
      "macs", "out_elements", "in_elements", "out_pixels", "out_channels", "in_channels"};
  return names;
}

std::string latency_kind(const memory::Op& op) {
  const memory::OpDef& def = memory::op_def(op.type);
  if (!def.windowed) return def.name;
  return std::string(def.name) + " " + std::to_string(op.kernel) + "x" + std::to_string(op.kernel) +
         "/" + std::to_string(op.stride);
}

std::vector<LayerLatencyFeatures> latency_features(const memory::Graph& graph) {
  std::vector<LayerLatencyFeatures> out;
  out.reserve(graph.ops().size());
  for (const memory::Op& op : graph.ops()) {
    const memory::Shape& in = graph.tensor(op.input).shape;
    const memory::Shape& o = graph.tensor(op.output).shape;
    double in_elements = static_cast<double>(in.elements());
    if (op.input2 >= 0)
      in_elements += static_cast<double>(graph.tensor(op.input2).shape.elements());
    LayerLatencyFeatures f;
    f.kind = latency_kind(op);
    f.op_type = memory::op_def(op.type).name;
    f.x = {static_cast<double>(memory::op_cost(graph, op).macs),
           static_cast<double>(o.elements()),
           in_elements,
           static_cast<double>(o.h) * o.w,
           static_cast<double>(o.c),
           static_cast<double>(in.c)};
    out.push_back(std::move(f));
  }
  return out;
}

// Weighted ridge least squares on RMS-scaled columns; the tiny ridge keeps collinear features
// solvable (a kind whose input channels always equal its output channels, say).
LatencyModel::LinearFit LatencyModel::fit_rows(const std::vector<FitRow>& rows) {
  LinearFit fit;
  fit.layers = static_cast<int>(rows.size());
  if (rows.empty()) return fit;
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  Eigen::MatrixXd x(n, kWeights);
  Eigen::VectorXd y(n);
  for (Eigen::Index r = 0; r < n; ++r) {
    const FitRow& row = rows[static_cast<size_t>(r)];
    const double w = std::sqrt(row.weight);
    for (int i = 0; i < kLatencyFeatures; ++i) x(r, i) = w * row.layer->x[at(i)];
    x(r, kLatencyFeatures) = w;
    y(r) = w * row.measured;
  }
  Eigen::VectorXd scale(kWeights);
  for (int i = 0; i < kWeights; ++i) {
    const double rms = x.col(i).norm() / std::sqrt(static_cast<double>(n));
    scale(i) = rms > 0 ? rms : 1.0;
    x.col(i) /= scale(i);
  }
  Eigen::MatrixXd normal = x.transpose() * x;
  normal.diagonal().array() += 1e-9 * static_cast<double>(n);
  const Eigen::VectorXd solution = normal.ldlt().solve(x.transpose() * y);
  for (int i = 0; i < kWeights; ++i) fit.weights[at(i)] = solution(i) / scale(i);
  return fit;
}

double LatencyModel::apply(const LinearFit& fit, const LayerLatencyFeatures& layer) {
  double y = fit.weights[at(kLatencyFeatures)];
  for (int i = 0; i < kLatencyFeatures; ++i) y += fit.weights[at(i)] * layer.x[at(i)];
  return y;
}

// Each layer is weighted by 1 / its network's total squared, so the fit minimises the networks'
// relative errors: a small network's layers are not drowned by a large network's.
LatencyModel LatencyModel::fit(std::vector<LatencySample> samples, std::string target,
                               std::string measure) {
  if (samples.empty()) throw std::invalid_argument("a latency model needs measured networks");
  LatencyModel m;
  m.target_ = std::move(target);
  m.measure_ = std::move(measure);
  std::map<std::string, std::vector<FitRow>> by_kind, by_op_type;
  std::vector<FitRow> all;
  double overhead = 0;
  for (const LatencySample& s : samples) {
    if (s.layers.size() != s.measured.size())
      throw std::invalid_argument("latency sample " + s.name + " has " +
                                  std::to_string(s.layers.size()) + " layers but " +
                                  std::to_string(s.measured.size()) + " measured counts");
    if (!(s.total > 0))
      throw std::invalid_argument("latency sample " + s.name + " has no measured total");
    const double weight = 1.0 / (s.total * s.total);
    double layer_sum = 0;
    for (size_t i = 0; i < s.layers.size(); ++i) {
      const FitRow row{&s.layers[i], s.measured[i], weight};
      by_kind[s.layers[i].kind].push_back(row);
      by_op_type[s.layers[i].op_type].push_back(row);
      all.push_back(row);
      layer_sum += s.measured[i];
    }
    overhead += s.total - layer_sum;
  }
  m.invoke_overhead_ = overhead / static_cast<double>(samples.size());
  m.any_layer_ = fit_rows(all);
  for (const auto& [type, rows] : by_op_type)
    if (static_cast<int>(rows.size()) >= kMinLayersPerFit) m.by_op_type_[type] = fit_rows(rows);
  for (const auto& [kind, rows] : by_kind)
    if (static_cast<int>(rows.size()) >= kMinLayersPerFit) m.by_kind_[kind] = fit_rows(rows);
  // The rows point into the samples: move them in only now.
  m.samples_ = std::move(samples);
  return m;
}

double LatencyModel::predict_layer(const LayerLatencyFeatures& layer) const {
  const double scale = calibration_.scale;
  if (auto k = by_kind_.find(layer.kind); k != by_kind_.end())
    return scale * apply(k->second, layer);
  if (auto t = by_op_type_.find(layer.op_type); t != by_op_type_.end())
    return scale * apply(t->second, layer);
  return scale * apply(any_layer_, layer);
}

double LatencyModel::predict(const std::vector<LayerLatencyFeatures>& layers) const {
  double total = calibration_.scale * invoke_overhead_;
  for (const LayerLatencyFeatures& layer : layers) total += predict_layer(layer);
  return total;
}

LatencyCalibration fit_latency_calibration(std::string board,
                                           std::vector<LatencyCalibrationPoint> points) {
  if (points.empty())
    throw std::invalid_argument("calibrating a latency model needs measured networks");
  double log_sum = 0;
  for (const LatencyCalibrationPoint& p : points) {
    if (!(p.predicted > 0) || !(p.measured > 0) || !std::isfinite(p.predicted) ||
        !std::isfinite(p.measured))
      throw std::invalid_argument("calibration network " + p.name +
                                  ": predicted and measured latency must be positive");
    log_sum += std::log(p.measured / p.predicted);
  }
  LatencyCalibration c;
  c.board = std::move(board);
  c.scale = std::exp(log_sum / static_cast<double>(points.size()));
  c.networks = std::move(points);
  return c;
}

double LatencyModel::predict(const memory::Graph& graph) const {
  return predict(latency_features(graph));
}

std::map<std::string, int> LatencyModel::kinds() const {
  std::map<std::string, int> out;
  for (const LatencySample& s : samples_)
    for (const LayerLatencyFeatures& layer : s.layers) ++out[layer.kind];
  return out;
}

namespace {

// A stored layer: [kind, features..., measured] (measured only for profiled samples); the op type
// is the kind's first word.
nlohmann::json layer_row(const LayerLatencyFeatures& f, const double* measured) {
  nlohmann::json row = nlohmann::json::array({f.kind});
  for (double v : f.x) row.push_back(v);
  if (measured) row.push_back(*measured);
  return row;
}

}  // namespace

nlohmann::json latency_sample_to_json(const LatencySample& s) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < s.layers.size(); ++i)
    layers.push_back(layer_row(s.layers[i], i < s.measured.size() ? &s.measured[i] : nullptr));
  return {{"name", s.name},
          {"space", s.space},
          {"arch", s.arch},
          {"total", s.total},
          {"layers", std::move(layers)}};
}

LatencySample latency_sample_from_json(const nlohmann::json& j, const std::string& where) {
  util::ObjectReader r(j, where);
  LatencySample s;
  s.name = r.get<std::string>("name");
  s.space = r.get<std::string>("space");
  s.arch = r.get<std::string>("arch");
  s.total = r.get<double>("total");
  const nlohmann::json& layers = r.at("layers");
  r.finish();
  if (!layers.is_array()) throw std::invalid_argument(where + ": layers must be an array");
  for (size_t l = 0; l < layers.size(); ++l) {
    const nlohmann::json& row = layers[l];
    const bool with_measure = row.is_array() && row.size() == 2 + f_size();
    if (!row.is_array() || (row.size() != 1 + f_size() && !with_measure) || !row[0].is_string() ||
        !std::all_of(row.begin() + 1, row.end(), [](const auto& v) { return v.is_number(); }))
      throw std::invalid_argument(where + ".layers[" + std::to_string(l) + "]: expected [kind, " +
                                  std::to_string(f_size()) + " features, measured]");
    LayerLatencyFeatures f;
    f.kind = row[0].get<std::string>();
    f.op_type = f.kind.substr(0, f.kind.find(' '));
    for (size_t i = 0; i < f_size(); ++i) f.x[i] = row[1 + i].get<double>();
    if (with_measure) s.measured.push_back(row[1 + f_size()].get<double>());
    s.layers.push_back(std::move(f));
  }
  if (!s.measured.empty() && s.measured.size() != s.layers.size())
    throw std::invalid_argument(where + ": some layers have a measured count and some not");
  return s;
}

// Only the samples are stored with the coefficients for people to read: a model read back is
// fitted again from its samples, so the file cannot hold coefficients its data does not give.
nlohmann::json LatencyModel::to_json() const {
  nlohmann::json fits = nlohmann::json::object();
  const auto fit_json = [](const LinearFit& f) {
    return nlohmann::json{{"weights", f.weights}, {"layers", f.layers}};
  };
  for (const auto& [kind, f] : by_kind_) fits["kind"][kind] = fit_json(f);
  for (const auto& [type, f] : by_op_type_) fits["op_type"][type] = fit_json(f);
  fits["any_layer"] = fit_json(any_layer_);
  nlohmann::json samples = nlohmann::json::array();
  for (const LatencySample& s : samples_) samples.push_back(latency_sample_to_json(s));
  nlohmann::json out = {{"format", "tinynas-latency-model"},
                        {"version", 1},
                        {"target", target_},
                        {"measure", measure_},
                        {"features", latency_feature_names()},
                        {"invoke_overhead", invoke_overhead_},
                        {"fits", std::move(fits)},
                        {"samples", std::move(samples)}};
  if (!calibration_.board.empty()) {
    nlohmann::json networks = nlohmann::json::array();
    for (const LatencyCalibrationPoint& p : calibration_.networks)
      networks.push_back({{"name", p.name}, {"predicted", p.predicted}, {"measured", p.measured}});
    out["calibration"] = {{"board", calibration_.board},
                          {"scale", calibration_.scale},
                          {"networks", std::move(networks)}};
  }
  return out;
}

LatencyModel LatencyModel::from_json(const nlohmann::json& j, const std::string& what) {
  util::ObjectReader r(j, what);
  if (r.get<std::string>("format") != "tinynas-latency-model")
    throw std::invalid_argument(what + ": format is not \"tinynas-latency-model\"");
  if (r.get<int>("version") != 1)
    throw std::invalid_argument(what + ": version " + r.at("version").dump() +
                                " is not supported (1 is)");
  const std::string target = r.get<std::string>("target");
  const std::string measure = r.get<std::string>("measure");
  const nlohmann::json& names = r.at("features");
  if (names != nlohmann::json(latency_feature_names()))
    throw std::invalid_argument(what + ": features " + names.dump() + " are not this version's " +
                                nlohmann::json(latency_feature_names()).dump());
  r.allow("invoke_overhead");
  r.allow("fits");
  std::optional<LatencyCalibration> calibration;
  if (r.has("calibration")) {
    // Refitted from its networks, like the model from its samples.
    util::ObjectReader cr(r.at("calibration"), what + ": calibration");
    const std::string board = cr.get<std::string>("board");
    cr.allow("scale");
    const nlohmann::json& networks = cr.at("networks");
    cr.finish();
    if (!networks.is_array()) cr.fail("networks", "must be an array");
    std::vector<LatencyCalibrationPoint> points;
    for (size_t i = 0; i < networks.size(); ++i) {
      util::ObjectReader nr(networks[i],
                            what + ": calibration.networks[" + std::to_string(i) + "]");
      points.push_back(
          {nr.get<std::string>("name"), nr.get<double>("predicted"), nr.get<double>("measured")});
      nr.finish();
    }
    try {
      calibration = fit_latency_calibration(board, std::move(points));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(what + ": " + e.what());
    }
  }
  const nlohmann::json& samples_json = r.at("samples");
  r.finish();
  if (!samples_json.is_array() || samples_json.empty())
    throw std::invalid_argument(what + ": samples must be a non-empty array");
  std::vector<LatencySample> samples;
  for (size_t i = 0; i < samples_json.size(); ++i) {
    samples.push_back(
        latency_sample_from_json(samples_json[i], what + ": samples[" + std::to_string(i) + "]"));
    if (samples.back().measured.empty())
      throw std::invalid_argument(what + ": samples[" + std::to_string(i) +
                                  "] has no per-layer counts to fit");
  }
  LatencyModel model = fit(std::move(samples), target, measure);
  if (calibration) model.calibrate(std::move(*calibration));
  return model;
}

// One sample per line: the file stays small and a diff shows which networks changed.
void save_latency_model(const LatencyModel& model, const std::string& path) {
  nlohmann::json j = model.to_json();
  nlohmann::json samples = std::move(j["samples"]);
  j.erase("samples");
  std::string text = j.dump(1);
  text.pop_back();  // the closing brace
  text += ",\n \"samples\": [\n";
  for (size_t i = 0; i < samples.size(); ++i)
    text += "  " + samples[i].dump() + (i + 1 < samples.size() ? ",\n" : "\n");
  text += " ]\n}\n";
  util::write_file_atomically(path, text);
}

LatencyModel load_latency_model(const std::string& path) {
  return LatencyModel::from_json(util::read_json_file(path), "latency model " + path);
}

}  // namespace tinynas::nas
