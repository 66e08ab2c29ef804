#include "nas/mlp.h"

#include <cmath>
#include <stdexcept>

#include "nas/random.h"

namespace tinynas::nas {
namespace {

// Standard normal from two unit reals (Box-Muller): portable, unlike std::normal_distribution.
float normal(Rng& rng) {
  const double u1 = 1.0 - rng.unit();  // (0, 1]
  const double u2 = rng.unit();
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
}

struct AdamState {
  Eigen::MatrixXf m, v;
};

void adam_step(Eigen::MatrixXf& param, const Eigen::MatrixXf& grad, AdamState& s, double lr,
               int64_t t) {
  constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-8f;
  s.m = kBeta1 * s.m + (1 - kBeta1) * grad;
  s.v = kBeta2 * s.v + (1 - kBeta2) * grad.cwiseProduct(grad);
  const float c1 = static_cast<float>(1 - std::pow(kBeta1, t));
  const float c2 = static_cast<float>(1 - std::pow(kBeta2, t));
  param.array() -= static_cast<float>(lr) * (s.m.array() / c1) / ((s.v.array() / c2).sqrt() + kEps);
}

}  // namespace

Mlp::Mlp(const std::vector<int>& sizes, uint64_t seed) {
  if (sizes.size() < 2 || sizes.back() != 1)
    throw std::invalid_argument("an MLP needs an input size and one output");
  Rng rng(seed);
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    if (sizes[l] <= 0) throw std::invalid_argument("MLP layer sizes must be positive");
    Eigen::MatrixXf w(sizes[l], sizes[l + 1]);
    // He initialisation; the output layer starts near zero so the untrained network predicts the
    // targets' offset everywhere instead of a large random function that few samples cannot pin
    // down.
    const bool output = l + 2 == sizes.size();
    const float scale = std::sqrt(2.0f / static_cast<float>(sizes[l])) * (output ? 0.01f : 1.0f);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = scale * normal(rng);
    weights_.push_back(std::move(w));
    biases_.push_back(Eigen::RowVectorXf::Zero(sizes[l + 1]));
  }
}

std::vector<int> Mlp::sizes() const {
  std::vector<int> s;
  if (weights_.empty()) return s;
  s.push_back(static_cast<int>(weights_[0].rows()));
  for (const auto& w : weights_) s.push_back(static_cast<int>(w.cols()));
  return s;
}

Eigen::VectorXf Mlp::predict(const Eigen::MatrixXf& x) const {
  if (x.cols() != input_size())
    throw std::invalid_argument("MLP input has " + std::to_string(x.cols()) + " features, " +
                                std::to_string(input_size()) + " expected");
  Eigen::MatrixXf h = x;
  for (size_t l = 0; l < weights_.size(); ++l) {
    h = (h * weights_[l]).rowwise() + biases_[l];
    if (l + 1 < weights_.size()) h = h.cwiseMax(0.0f);
  }
  return h.col(0);
}

std::vector<double> Mlp::train(const Eigen::MatrixXf& x, const Eigen::VectorXf& y,
                               const MlpTrainOptions& options) {
  if (x.rows() != y.size() || x.rows() == 0)
    throw std::invalid_argument("MLP training needs as many targets as samples, and some");
  if (x.cols() != input_size())
    throw std::invalid_argument("MLP training input has the wrong number of features");
  const size_t layers = weights_.size();
  std::vector<AdamState> w_state(layers), b_state(layers);
  for (size_t l = 0; l < layers; ++l) {
    w_state[l] = {Eigen::MatrixXf::Zero(weights_[l].rows(), weights_[l].cols()),
                  Eigen::MatrixXf::Zero(weights_[l].rows(), weights_[l].cols())};
    b_state[l] = {Eigen::MatrixXf::Zero(1, biases_[l].cols()),
                  Eigen::MatrixXf::Zero(1, biases_[l].cols())};
  }
  const int n = static_cast<int>(x.rows());
  const int batch = std::max(1, std::min(options.batch_size, n));
  std::vector<int> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  Rng rng(options.seed);
  std::vector<double> losses;
  int64_t t = 0;
  std::vector<Eigen::MatrixXf> acts(layers + 1);
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    losses.push_back((predict(x) - y).squaredNorm() / n);
    for (int i = n - 1; i > 0; --i)
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(rng.index(i + 1))]);
    for (int start = 0; start < n; start += batch) {
      const int m = std::min(batch, n - start);
      acts[0].resize(m, x.cols());
      Eigen::VectorXf target(m);
      for (int r = 0; r < m; ++r) {
        const int row = order[static_cast<size_t>(start + r)];
        acts[0].row(r) = x.row(row);
        target(r) = y(row);
      }
      for (size_t l = 0; l < layers; ++l) {
        acts[l + 1] = (acts[l] * weights_[l]).rowwise() + biases_[l];
        if (l + 1 < layers) acts[l + 1] = acts[l + 1].cwiseMax(0.0f);
      }
      // d(mean squared error)/d(output), then back through the layers.
      Eigen::MatrixXf delta = (2.0f / static_cast<float>(m)) * (acts[layers].col(0) - target);
      ++t;
      for (size_t l = layers; l-- > 0;) {
        Eigen::MatrixXf grad_w = acts[l].transpose() * delta;
        grad_w += static_cast<float>(2 * options.weight_decay) * weights_[l];
        const Eigen::MatrixXf grad_b = delta.colwise().sum();
        if (l > 0)
          delta = (delta * weights_[l].transpose())
                      .cwiseProduct((acts[l].array() > 0.0f).cast<float>().matrix());
        adam_step(weights_[l], grad_w, w_state[l], options.learning_rate, t);
        Eigen::MatrixXf b = biases_[l];
        adam_step(b, grad_b, b_state[l], options.learning_rate, t);
        biases_[l] = b;
      }
    }
  }
  return losses;
}

nlohmann::json Mlp::to_json() const {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t l = 0; l < weights_.size(); ++l) {
    const auto& w = weights_[l];
    // Row-major [in][out] values, as a flat list.
    std::vector<float> values;
    values.reserve(static_cast<size_t>(w.size()));
    for (Eigen::Index i = 0; i < w.rows(); ++i)
      for (Eigen::Index j = 0; j < w.cols(); ++j) values.push_back(w(i, j));
    std::vector<float> bias(biases_[l].data(), biases_[l].data() + biases_[l].size());
    layers.push_back({{"in", w.rows()}, {"out", w.cols()}, {"weight", values}, {"bias", bias}});
  }
  return {{"activation", "relu"}, {"layers", layers}};
}

Mlp Mlp::from_json(const nlohmann::json& json, const std::string& context) {
  const auto fail = [&](const std::string& what) {
    throw std::invalid_argument(context + ": " + what);
  };
  if (!json.is_object() || !json.contains("layers") || !json.at("layers").is_array() ||
      json.at("layers").empty())
    fail("the MLP must have a non-empty \"layers\" list");
  Mlp net;
  int previous_out = -1;
  try {
    for (const auto& layer : json.at("layers")) {
      const int in = layer.at("in").get<int>(), out = layer.at("out").get<int>();
      const auto values = layer.at("weight").get<std::vector<float>>();
      const auto bias = layer.at("bias").get<std::vector<float>>();
      if (in <= 0 || out <= 0 || values.size() != static_cast<size_t>(in) * out ||
          bias.size() != static_cast<size_t>(out) || (previous_out >= 0 && previous_out != in))
        fail("MLP layer " + std::to_string(net.weights_.size()) + " has inconsistent sizes");
      Eigen::MatrixXf w(in, out);
      for (int i = 0; i < in; ++i)
        for (int j = 0; j < out; ++j) w(i, j) = values[static_cast<size_t>(i) * out + j];
      net.weights_.push_back(std::move(w));
      net.biases_.push_back(Eigen::Map<const Eigen::RowVectorXf>(bias.data(), out));
      previous_out = out;
    }
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("malformed MLP layer: ") + e.what());
  }
  if (previous_out != 1) fail("the MLP's last layer must have one output");
  return net;
}

}  // namespace tinynas::nas
