// The accuracy predictor: the arch encoding, the MLP's training, fitting a predictor to a known
// accuracy function of the arch, and its file round trip and errors.
#include "nas/accuracy_predictor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nas/random.h"
#include "nas/sampling.h"
#include "test_spaces.h"
#include "tests/support/temp_dir.h"

namespace tinynas::nas {
namespace {

using testing::shipped_space;

const std::vector<int> kResolutions = {24, 28, 32};

TEST(ArchEncoderTest, OneHotResolutionKernelAndExpansionPerSlot) {
  const SearchSpace& space = shipped_space("cifar");
  const ArchEncoder enc(space, kResolutions);
  int slots = 0;
  for (const StageSpec& s : space.stages) slots += s.max_depth();
  const int per_block = static_cast<int>(space.kernels.size() + space.expands.size());
  ASSERT_EQ(enc.size(), 3 + slots * per_block);

  Rng rng(3);
  const Arch arch = sample_arch(space, 28, 0.35, rng);
  const std::vector<float> x = enc.encode(arch);
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_EQ(x[1], 1.0f);
  EXPECT_EQ(x[2], 0.0f);
  size_t slot = 3;
  for (size_t s = 0; s < arch.stages.size(); ++s) {
    for (int b = 0; b < space.stages[s].max_depth(); ++b) {
      float ones = 0;
      for (int i = 0; i < per_block; ++i) ones += x[slot + static_cast<size_t>(i)];
      // Two ones (kernel, expansion) in active slots, none in slots that depth removed.
      EXPECT_EQ(ones, b < arch.stages[s].depth() ? 2.0f : 0.0f) << "stage " << s << " slot " << b;
      if (b < arch.stages[s].depth()) {
        const BlockArch& block = arch.stages[s].blocks[static_cast<size_t>(b)];
        for (size_t k = 0; k < space.kernels.size(); ++k)
          EXPECT_EQ(x[slot + k], space.kernels[k] == block.kernel ? 1.0f : 0.0f);
        for (size_t e = 0; e < space.expands.size(); ++e)
          EXPECT_EQ(x[slot + space.kernels.size() + e],
                    space.expands[e] == block.expand ? 1.0f : 0.0f);
      }
      slot += static_cast<size_t>(per_block);
    }
  }
}

TEST(ArchEncoderTest, RejectsAnUnknownResolutionOrKernel) {
  const SearchSpace& space = shipped_space("cifar");
  const ArchEncoder enc(space, kResolutions);
  Rng rng(1);
  Arch arch = sample_arch(space, 16, 0.35, rng);
  EXPECT_THROW(enc.encode(arch), std::invalid_argument);
  arch.resolution = 32;
  arch.stages[0].blocks[0].kernel = 9;
  EXPECT_THROW(enc.encode(arch), std::invalid_argument);
}

TEST(MlpTest, LearnsALinearFunctionOfBinaryFeatures) {
  Rng rng(5);
  const int n = 400, d = 12;
  Eigen::MatrixXf x(n, d);
  Eigen::VectorXf y(n);
  for (int i = 0; i < n; ++i) {
    float target = 0;
    for (int j = 0; j < d; ++j) {
      x(i, j) = rng.chance(0.5) ? 1.0f : 0.0f;
      target += x(i, j) * 0.1f * static_cast<float>(j % 5 - 2);
    }
    y(i) = target;
  }
  Mlp net({d, 64, 64, 1}, 9);
  MlpTrainOptions options;
  options.epochs = 200;
  const std::vector<double> losses = net.train(x.topRows(300), y.head(300), options);
  ASSERT_EQ(losses.size(), 200u);
  EXPECT_LT(losses.back(), 0.05 * losses.front());
  const Eigen::VectorXf p = net.predict(x.bottomRows(100));
  const double rmse = std::sqrt((p - y.tail(100)).squaredNorm() / 100);
  const double spread = std::sqrt((y.tail(100).array() - y.tail(100).mean()).square().mean());
  EXPECT_LT(rmse, 0.4 * spread);  // predicting the mean scores 1.0
}

TEST(MlpTest, JsonRoundTripKeepsPredictions) {
  Mlp net({5, 7, 1}, 2);
  const Mlp back = Mlp::from_json(net.to_json(), "test");
  const Eigen::MatrixXf x = Eigen::MatrixXf::Random(4, 5);
  EXPECT_EQ(net.predict(x), back.predict(x));
  nlohmann::json broken = net.to_json();
  broken["layers"][1]["in"] = 6;
  EXPECT_THROW(Mlp::from_json(broken, "test"), std::invalid_argument);
}

// A made-up but arch-dependent "accuracy": higher resolution, larger kernels and expansions and
// deeper stages help, with diminishing returns. The predictor must learn its ranking.
double synthetic_top1(const Arch& arch) {
  double score = 40 + 0.5 * arch.resolution;
  for (const StageArch& s : arch.stages) {
    double stage = 0;
    for (const BlockArch& b : s.blocks) stage += 0.3 * b.kernel + 0.5 * b.expand;
    score += 4 * std::log1p(stage);
  }
  return score;
}

std::vector<AccuracySample> synthetic_samples(int n, uint64_t seed) {
  const SearchSpace& space = shipped_space("cifar");
  Rng rng(seed);
  std::vector<AccuracySample> samples;
  for (int i = 0; i < n; ++i) {
    const Arch arch = sample_arch(space, rng.pick(kResolutions), 0.35, rng);
    samples.push_back({arch, synthetic_top1(arch)});
  }
  return samples;
}

TEST(AccuracyPredictorTest, FitsAKnownAccuracyFunctionAndRanksHeldOutSubnets) {
  const SearchSpace& space = shipped_space("cifar");
  PredictorOptions options;
  options.hidden = {64, 64};
  options.train.epochs = 300;
  PredictorReport report;
  const AccuracyPredictor p = fit_accuracy_predictor(space, 0.35, kResolutions,
                                                     synthetic_samples(300, 4), options, &report);
  EXPECT_EQ(report.train_samples, 240);
  EXPECT_EQ(report.holdout_samples, 60);
  EXPECT_LT(report.rmse_holdout, 0.3 * report.rmse_holdout_of_mean);
  EXPECT_GT(report.kendall_tau_holdout, 0.7);
  EXPECT_LT(report.rmse_train, report.rmse_holdout_of_mean);
  ASSERT_EQ(report.holdout_predicted.size(), 60u);
}

TEST(AccuracyPredictorTest, SaveAndLoadGiveTheSamePredictions) {
  const SearchSpace& space = shipped_space("cifar");
  PredictorOptions options;
  options.hidden = {16};
  options.train.epochs = 5;
  const auto samples = synthetic_samples(20, 8);
  AccuracyPredictor p =
      fit_accuracy_predictor(space, 0.35, kResolutions, samples, options, nullptr);
  p.info["source"] = "test";
  tinynas::testing::TempDir dir;
  const std::string path = (dir.path() / "predictor.json").string();
  p.save(path);
  const AccuracyPredictor back = AccuracyPredictor::load(path);
  EXPECT_EQ(back.info["source"], "test");
  for (const auto& s : samples) EXPECT_EQ(p.predict(s.arch), back.predict(s.arch));
  PredictorFitness fitness(back);
  EXPECT_EQ(fitness.kind(), "predictor");
}

TEST(AccuracyPredictorTest, AScoreDoesNotDependOnTheBatchItIsScoredIn) {
  // Evolution scores a generation at once and reports the winner's score; re-scoring the winner
  // alone must give the same number, bit for bit (a batched float product would not).
  const SearchSpace& space = shipped_space("cifar");
  PredictorOptions options;
  options.hidden = {400, 400, 400};
  options.train.epochs = 3;
  const auto samples = synthetic_samples(100, 5);
  const AccuracyPredictor p =
      fit_accuracy_predictor(space, 0.35, kResolutions, samples, options, nullptr);
  std::vector<Arch> archs;
  for (const auto& s : samples) archs.push_back(s.arch);
  const std::vector<double> batch = p.predict(archs);
  const std::vector<double> tail = p.predict(std::vector<Arch>(archs.begin() + 37, archs.end()));
  for (size_t i = 0; i < archs.size(); ++i) {
    EXPECT_EQ(batch[i], p.predict(archs[i])) << "sub-net " << i;
    if (i >= 37) {
      EXPECT_EQ(batch[i], tail[i - 37]) << "sub-net " << i;
    }
  }
}

TEST(AccuracyPredictorTest, RejectsArchsOfAnotherWidthAndBrokenFiles) {
  const SearchSpace& space = shipped_space("cifar");
  PredictorOptions options;
  options.hidden = {8};
  options.train.epochs = 1;
  const auto samples = synthetic_samples(10, 2);
  const AccuracyPredictor p =
      fit_accuracy_predictor(space, 0.35, kResolutions, samples, options, nullptr);
  Arch other = samples[0].arch;
  other.width_mult = 0.5;
  EXPECT_THROW(p.predict(other), std::invalid_argument);
  EXPECT_THROW(
      fit_accuracy_predictor(space, 0.35, kResolutions,
                             std::vector<AccuracySample>(samples.begin(), samples.begin() + 3),
                             options, nullptr),
      std::invalid_argument);
  tinynas::testing::TempDir dir;
  EXPECT_THROW(AccuracyPredictor::load(dir.file("p.json", "{\"format\": \"x\"}")),
               std::invalid_argument);
  EXPECT_THROW(AccuracyPredictor::load((dir.path() / "missing.json").string()),
               std::invalid_argument);
}

TEST(KendallTauTest, OrderedReversedAndMixed) {
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3}, {1, 3, 2}), 1.0 / 3.0);
}

}  // namespace
}  // namespace tinynas::nas
