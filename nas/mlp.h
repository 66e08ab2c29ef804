// A small fully connected regression network (ReLU hidden layers, one linear output) trained
// with Adam on mean squared error: the accuracy predictor's model. Eigen, float, CPU; a few
// hundred samples train in well under a second. Deterministic for a seed.
//
//   Mlp net({in, 400, 400, 400, 1}, seed);
//   net.train(x, y, MlpTrainOptions{});      // x: samples x in, y: samples
//   Eigen::VectorXf p = net.predict(x);
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinynas::nas {

struct MlpTrainOptions {
  int epochs = 500;
  int batch_size = 32;
  double learning_rate = 1e-3;  // Adam
  double weight_decay = 1e-4;   // L2 on the weight matrices (not the biases)
  uint64_t seed = 0;            // mini-batch order
};

class Mlp {
 public:
  Mlp() = default;
  // sizes: input, hidden..., output (output must be 1). He-initialised weights (the output layer
  // scaled down to near zero), zero biases.
  Mlp(const std::vector<int>& sizes, uint64_t seed);

  // Rows of x are samples. Returns the mean squared error of each epoch (before its updates).
  std::vector<double> train(const Eigen::MatrixXf& x, const Eigen::VectorXf& y,
                            const MlpTrainOptions& options);
  Eigen::VectorXf predict(const Eigen::MatrixXf& x) const;

  int input_size() const { return weights_.empty() ? 0 : static_cast<int>(weights_[0].rows()); }
  std::vector<int> sizes() const;

  nlohmann::json to_json() const;
  // Throws std::invalid_argument naming context when the JSON is not an MLP of consistent shape.
  static Mlp from_json(const nlohmann::json& json, const std::string& context);

 private:
  // Layer l maps a row vector h (1 x in) to h * weights_[l] + biases_[l] (1 x out).
  std::vector<Eigen::MatrixXf> weights_;
  std::vector<Eigen::RowVectorXf> biases_;
};

}  // namespace tinynas::nas
