#include "nas/accuracy_predictor.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "nas/random.h"
#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::nas {
namespace {

constexpr const char* kFormat = "tinynas-accuracy-predictor";
constexpr int kVersion = 1;

double rmse(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
  return a.size() == 0 ? 0.0 : std::sqrt((a - b).squaredNorm() / static_cast<double>(a.size()));
}

}  // namespace

AccuracyPredictor::AccuracyPredictor(SearchSpace space, double width_mult,
                                     std::vector<int> resolutions, double base_accuracy,
                                     double accuracy_scale, Mlp mlp)
    : space_(std::move(space)),
      width_mult_(width_mult),
      encoder_(space_, std::move(resolutions)),
      base_accuracy_(base_accuracy),
      accuracy_scale_(accuracy_scale),
      mlp_(std::move(mlp)) {
  if (!(accuracy_scale_ > 0))
    throw std::invalid_argument("the predictor's accuracy_scale must be positive");
  if (mlp_.input_size() != encoder_.size())
    throw std::invalid_argument("the predictor's MLP takes " + std::to_string(mlp_.input_size()) +
                                " features, the arch encoding has " +
                                std::to_string(encoder_.size()));
}

void AccuracyPredictor::check_arch(const Arch& arch) const {
  if (arch.space != space_.name)
    throw std::invalid_argument("arch of space '" + arch.space + "', the predictor's is '" +
                                space_.name + "'");
  if (!same_width(arch.width_mult, width_mult_))
    throw std::invalid_argument("arch of width " + std::to_string(arch.width_mult) +
                                ", the predictor's supernet has width " +
                                std::to_string(width_mult_));
}

double AccuracyPredictor::predict(const Arch& arch) const {
  return predict(std::vector<Arch>{arch}).front();
}

std::vector<double> AccuracyPredictor::predict(const std::vector<Arch>& archs) const {
  // One row at a time: a float matrix product rounds a row differently depending on how many
  // rows share it, and a sub-net's score must not depend on the batch it was scored in.
  std::vector<double> out(archs.size());
  Eigen::MatrixXf x(1, encoder_.size());
  for (size_t i = 0; i < archs.size(); ++i) {
    check_arch(archs[i]);
    const std::vector<float> row = encoder_.encode(archs[i]);
    x.row(0) = Eigen::Map<const Eigen::RowVectorXf>(row.data(), encoder_.size());
    out[i] = base_accuracy_ + accuracy_scale_ * mlp_.predict(x)(0);
  }
  return out;
}

nlohmann::json AccuracyPredictor::to_json() const {
  return {{"format", kFormat},
          {"version", kVersion},
          {"space", space_to_json(space_)},
          {"width_mult", width_mult_},
          {"resolutions", encoder_.resolutions()},
          {"base_accuracy", base_accuracy_},
          {"accuracy_scale", accuracy_scale_},
          {"info", info},
          {"mlp", mlp_.to_json()}};
}

AccuracyPredictor AccuracyPredictor::from_json(const nlohmann::json& json,
                                               const std::string& context) {
  util::ObjectReader r(json, context);
  if (r.get<std::string>("format") != kFormat)
    r.fail("format", std::string("must be \"") + kFormat + "\"");
  if (r.get<int>("version") != kVersion)
    r.fail("version",
           "is not supported (this build reads version " + std::to_string(kVersion) + ")");
  SearchSpace space = space_from_json(r.at("space"), context + " space");
  const double width = r.get<double>("width_mult");
  const auto resolutions = r.get<std::vector<int>>("resolutions");
  const double base = r.get<double>("base_accuracy");
  const double scale = r.get<double>("accuracy_scale");
  nlohmann::json info = r.has("info") ? r.at("info") : nlohmann::json::object();
  Mlp mlp = Mlp::from_json(r.at("mlp"), context + " mlp");
  r.finish();
  try {
    AccuracyPredictor p(std::move(space), width, resolutions, base, scale, std::move(mlp));
    p.info = std::move(info);
    return p;
  } catch (const std::invalid_argument& e) {  // the parts do not fit together: name the file
    throw std::invalid_argument(context + ": " + e.what());
  }
}

void AccuracyPredictor::save(const std::string& path) const {
  util::write_file_atomically(path, to_json().dump() + "\n");
}

AccuracyPredictor AccuracyPredictor::load(const std::string& path) {
  return from_json(util::read_json_file(path), path);
}

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("kendall_tau: series differ in length");
  const size_t n = a.size();
  if (n < 2) return 0;
  int64_t score = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      score += (da * db > 0) - (da * db < 0);
    }
  return static_cast<double>(score) / (static_cast<double>(n) * (n - 1) / 2);
}

AccuracyPredictor fit_accuracy_predictor(const SearchSpace& space, double width_mult,
                                         const std::vector<int>& resolutions,
                                         const std::vector<AccuracySample>& samples,
                                         const PredictorOptions& options, PredictorReport* report) {
  if (samples.size() < 5)
    throw std::invalid_argument("the accuracy predictor needs at least 5 measured sub-nets, got " +
                                std::to_string(samples.size()));
  if (!(options.holdout_fraction >= 0 && options.holdout_fraction < 1))
    throw std::invalid_argument("holdout_fraction must be in [0, 1)");
  const ArchEncoder encoder(space, resolutions);

  // Seeded hold-out choice, independent of the order the samples were measured in.
  std::vector<size_t> order(samples.size());
  std::iota(order.begin(), order.end(), 0);
  Rng rng(options.seed + 7);
  for (size_t i = order.size() - 1; i > 0; --i)
    std::swap(order[i], order[static_cast<size_t>(rng.index(static_cast<int>(i + 1)))]);
  const size_t holdout = static_cast<size_t>(
      std::floor(options.holdout_fraction * static_cast<double>(samples.size())));
  const size_t train = samples.size() - holdout;

  const auto matrix = [&](size_t begin, size_t end, Eigen::MatrixXf& x, Eigen::VectorXf& y) {
    x.resize(static_cast<Eigen::Index>(end - begin), encoder.size());
    y.resize(static_cast<Eigen::Index>(end - begin));
    for (size_t i = begin; i < end; ++i) {
      const AccuracySample& s = samples[order[i]];
      if (!same_width(s.arch.width_mult, width_mult))
        throw std::invalid_argument("a measured sub-net has width " +
                                    std::to_string(s.arch.width_mult) + ", the supernet " +
                                    std::to_string(width_mult));
      const std::vector<float> row = encoder.encode(s.arch);
      x.row(static_cast<Eigen::Index>(i - begin)) =
          Eigen::Map<const Eigen::RowVectorXf>(row.data(), encoder.size());
      y(static_cast<Eigen::Index>(i - begin)) = static_cast<float>(s.top1);
    }
  };
  Eigen::MatrixXf x_train, x_hold;
  Eigen::VectorXf y_train, y_hold;
  matrix(0, train, x_train, y_train);
  matrix(train, samples.size(), x_hold, y_hold);

  // Standardised targets: the MLP learns differences between sub-nets, whatever their scale.
  const double base = y_train.mean();
  const double spread = std::sqrt((y_train.array() - static_cast<float>(base)).square().mean());
  const double scale = spread > 1e-6 ? spread : 1.0;
  std::vector<int> sizes = {encoder.size()};
  sizes.insert(sizes.end(), options.hidden.begin(), options.hidden.end());
  sizes.push_back(1);
  Mlp mlp(sizes, options.seed);
  MlpTrainOptions train_options = options.train;
  train_options.seed = options.seed + 1;
  const Eigen::VectorXf standardised =
      (y_train.array() - static_cast<float>(base)) / static_cast<float>(scale);
  std::vector<double> losses = mlp.train(x_train, standardised, train_options);

  AccuracyPredictor predictor(space, width_mult, resolutions, base, scale, std::move(mlp));
  if (report) {
    PredictorReport& r = *report;
    r = PredictorReport{};
    r.train_samples = static_cast<int64_t>(train);
    r.holdout_samples = static_cast<int64_t>(holdout);
    r.base_accuracy = base;
    r.accuracy_scale = scale;
    r.epoch_mse = std::move(losses);
    // Through the saved predictor itself, so the reported error is the error of what is saved.
    const auto predicted = [&](size_t begin, size_t end) {
      std::vector<Arch> archs;
      for (size_t i = begin; i < end; ++i) archs.push_back(samples[order[i]].arch);
      const std::vector<double> percent = predictor.predict(archs);
      Eigen::VectorXf p(static_cast<Eigen::Index>(percent.size()));
      for (size_t i = 0; i < percent.size(); ++i)
        p(static_cast<Eigen::Index>(i)) = static_cast<float>(percent[i]);
      return p;
    };
    r.rmse_train = rmse(predicted(0, train), y_train);
    if (holdout > 0) {
      const Eigen::VectorXf p = predicted(train, samples.size());
      r.rmse_holdout = rmse(p, y_hold);
      r.rmse_holdout_of_mean =
          rmse(Eigen::VectorXf::Constant(y_hold.size(), static_cast<float>(base)), y_hold);
      for (Eigen::Index i = 0; i < p.size(); ++i) {
        r.holdout_measured.push_back(y_hold(i));
        r.holdout_predicted.push_back(p(i));
      }
      r.kendall_tau_holdout = kendall_tau(r.holdout_measured, r.holdout_predicted);
    }
  }
  return predictor;
}

}  // namespace tinynas::nas
