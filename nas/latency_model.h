// Latency of a generated model predicted from its graph, layer by layer: one linear model per op
// kind ("conv2d 1x1/1", "depthwise_conv2d 5x5/2", "add") in a few shape features, fitted by least
// squares on per-layer counts measured on QEMU (pipeline/latency_build.h measures them). The
// engine's kernels are loops over pixels, channels and taps, so a layer's count is close to
// linear in MACs, output and input elements, pixels and channels; the constant is the call.
//
//   LatencyModel m = LatencyModel::fit(samples, "qemu-m4", "instructions");
//   double n = m.predict(graph);                 // instructions of one inference
//   save_latency_model(m, "latency.json");       // with the samples it was fitted on
//   LatencyModel again = load_latency_model("latency.json");
//
// A kind the samples never measured falls back to the model of its op type (all kernels and
// strides of "depthwise_conv2d" together), then to one model of every layer, and predict() says
// nothing about it: held-out errors (pipeline/latency_build.h) are the model's quality figure.
#pragma once

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "memory_model/graph.h"

namespace tinynas::nas {

// The shape features of a layer, in this order; the model adds a constant.
inline constexpr int kLatencyFeatures = 6;
const std::array<const char*, kLatencyFeatures>& latency_feature_names();

struct LayerLatencyFeatures {
  std::string kind;     // "conv2d 3x3/2"
  std::string op_type;  // "conv2d"
  std::array<double, kLatencyFeatures> x{};
};

// "conv2d 1x1/1" for windowed ops (convolutions, depthwise, max pooling), the op type's name for
// the others; the same names `tinynas verify --profile` sums by.
std::string latency_kind(const memory::Op& op);

// One entry per op, in the graph's (and the generated code's) order.
std::vector<LayerLatencyFeatures> latency_features(const memory::Graph& graph);

// One measured network: its layers' features and counts, and the whole inference as measured.
struct LatencySample {
  std::string name;   // "mcunet-17"
  std::string space;  // "mcunet"
  std::string arch;   // Arch::summary()
  std::vector<LayerLatencyFeatures> layers;
  std::vector<double> measured;  // per layer, profiling markers taken out
  double total = 0;              // the whole inference without markers
};

// {"name", "space", "arch", "total", "layers": [[kind, features..., measured], ...]}; measured
// only in samples with per-layer counts. from_json throws std::invalid_argument naming `where`.
nlohmann::json latency_sample_to_json(const LatencySample& sample);
LatencySample latency_sample_from_json(const nlohmann::json& j, const std::string& where);

// A model scaled to a real board: the geometric mean of measured / predicted over a few networks
// run on it (`tinynas bench`, DWT cycles), applied to every prediction. The QEMU-fitted model
// says how latency varies between networks; the board's runs say how its cycles relate to it
// (Flash wait states, caches, the timing tables' errors).
struct LatencyCalibrationPoint {
  std::string name;  // the model folder
  double predicted = 0;
  double measured = 0;
};

struct LatencyCalibration {
  std::string board;  // empty: uncalibrated
  double scale = 1;
  std::vector<LatencyCalibrationPoint> networks;
};

// Throws std::invalid_argument when there are no points or a count is not positive.
LatencyCalibration fit_latency_calibration(std::string board,
                                           std::vector<LatencyCalibrationPoint> points);

class LatencyModel {
 public:
  // Throws std::invalid_argument when there are no samples or a sample's layers and counts differ
  // in number.
  static LatencyModel fit(std::vector<LatencySample> samples, std::string target,
                          std::string measure);

  // The measure ("instructions") of one inference.
  double predict(const memory::Graph& graph) const;
  double predict(const std::vector<LayerLatencyFeatures>& layers) const;
  double predict_layer(const LayerLatencyFeatures& layer) const;

  const std::string& target() const { return target_; }    // "qemu-m4": where it was measured
  const std::string& measure() const { return measure_; }  // "instructions"
  const std::vector<LatencySample>& samples() const { return samples_; }
  // Every prediction is multiplied by the calibration's scale (predictions made before
  // calibrating are in calibration.networks).
  void calibrate(LatencyCalibration calibration) { calibration_ = std::move(calibration); }
  const LatencyCalibration& calibration() const { return calibration_; }

  // Measured kinds with their layer counts, for reports.
  std::map<std::string, int> kinds() const;

  nlohmann::json to_json() const;
  // Throws std::invalid_argument naming `what` and the field that is wrong.
  static LatencyModel from_json(const nlohmann::json& j, const std::string& what);

 private:
  struct LinearFit {
    std::array<double, kLatencyFeatures + 1> weights{};  // features, then the constant
    int layers = 0;
  };
  // One measured layer in a fit, with its weight.
  struct FitRow {
    const LayerLatencyFeatures* layer;
    double measured;
    double weight;
  };
  static LinearFit fit_rows(const std::vector<FitRow>& rows);
  static double apply(const LinearFit& fit, const LayerLatencyFeatures& layer);

  std::string target_;
  std::string measure_;
  std::map<std::string, LinearFit> by_kind_;
  std::map<std::string, LinearFit> by_op_type_;
  LinearFit any_layer_;
  double invoke_overhead_ = 0;  // what an inference adds to its layers (the call, the timer)
  LatencyCalibration calibration_;
  std::vector<LatencySample> samples_;
};

// Atomic write (util::write_file_atomically). Throws std::runtime_error when it cannot.
void save_latency_model(const LatencyModel& model, const std::string& path);
// Throws std::invalid_argument naming the file: missing, not JSON, or not a latency model.
LatencyModel load_latency_model(const std::string& path);

}  // namespace tinynas::nas
