// Once-for-All's accuracy predictor: an MLP (3 hidden layers of 400 ReLU units) on the arch
// encoding (nas/arch_encoding.h) that predicts a sub-net's top-1 from measured examples, so
// evolution can score tens of thousands of candidates in seconds. It belongs to one supernet
// (one space, one width, the resolutions it was trained on) and is saved as one JSON file.
//
//   PredictorReport report;
//   AccuracyPredictor p = fit_accuracy_predictor(space, 0.35, {24, 28, 32}, samples, {}, &report);
//   p.save("runs/x/predictor.json");
//   PredictorFitness fitness(AccuracyPredictor::load("runs/x/predictor.json"));
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/arch.h"
#include "nas/arch_encoding.h"
#include "nas/fitness.h"
#include "nas/mlp.h"
#include "nas/search_space.h"

namespace tinynas::nas {

// One measured sub-net: top-1 in percent after BN re-calibration.
struct AccuracySample {
  Arch arch;
  double top1 = 0;
};

struct PredictorOptions {
  std::vector<int> hidden = {400, 400, 400};
  MlpTrainOptions train;          // Adam lr 1e-3, weight decay 1e-4
  double holdout_fraction = 0.2;  // samples kept out of training to measure the error
  uint64_t seed = 0;              // initial weights and the hold-out choice
};

struct PredictorReport {
  int64_t train_samples = 0, holdout_samples = 0;
  double base_accuracy = 0;   // percent: mean of the training targets, the network's offset
  double accuracy_scale = 0;  // percent: their standard deviation, the network's unit
  double rmse_train = 0, rmse_holdout = 0;  // percentage points
  double rmse_holdout_of_mean = 0;  // the error of always predicting base_accuracy, to compare
  double kendall_tau_holdout = 0;   // rank agreement of predicted and measured on the hold-out
  std::vector<double> holdout_measured, holdout_predicted;
  std::vector<double> epoch_mse;
};

class AccuracyPredictor {
 public:
  // The MLP predicts (top1 - base_accuracy) / accuracy_scale, both in percent.
  AccuracyPredictor(SearchSpace space, double width_mult, std::vector<int> resolutions,
                    double base_accuracy, double accuracy_scale, Mlp mlp);

  // Top-1 in percent. Throws std::invalid_argument for an arch the predictor cannot encode
  // (another space, width or resolution).
  double predict(const Arch& arch) const;
  std::vector<double> predict(const std::vector<Arch>& archs) const;

  const SearchSpace& space() const { return space_; }
  double width_mult() const { return width_mult_; }
  const std::vector<int>& resolutions() const { return encoder_.resolutions(); }

  // Free-form facts saved with the predictor (where its samples came from, its report).
  nlohmann::json info = nlohmann::json::object();

  nlohmann::json to_json() const;
  static AccuracyPredictor from_json(const nlohmann::json& json, const std::string& context);
  void save(const std::string& path) const;  // atomically
  // Throws std::invalid_argument naming the file when it is missing or not a predictor.
  static AccuracyPredictor load(const std::string& path);

 private:
  void check_arch(const Arch& arch) const;

  SearchSpace space_;
  double width_mult_;
  ArchEncoder encoder_;
  double base_accuracy_, accuracy_scale_;
  Mlp mlp_;
};

// Trains on a seeded (1 - holdout_fraction) share of samples and measures on the rest. Throws
// std::invalid_argument with fewer than 5 samples or a sample outside the space.
AccuracyPredictor fit_accuracy_predictor(const SearchSpace& space, double width_mult,
                                         const std::vector<int>& resolutions,
                                         const std::vector<AccuracySample>& samples,
                                         const PredictorOptions& options, PredictorReport* report);

// Kendall's tau-a of two equally long series (1: same order, -1: reversed).
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

// The search's fitness from a predictor: predicted top-1 in percent (fitness_kind "predictor").
class PredictorFitness final : public FitnessEvaluator {
 public:
  explicit PredictorFitness(AccuracyPredictor predictor) : predictor_(std::move(predictor)) {}
  std::string kind() const override { return "predictor"; }
  double fitness(const Arch& arch, const ArchCost&) override { return predictor_.predict(arch); }
  std::vector<double> fitness_batch(const std::vector<Arch>& archs,
                                    const std::vector<ArchCost>&) override {
    return predictor_.predict(archs);
  }
  const AccuracyPredictor& predictor() const { return predictor_; }

 private:
  AccuracyPredictor predictor_;
};

}  // namespace tinynas::nas
