// The search's view of a trained supernet: SupernetEvaluator (cached per arch, agrees with
// evaluate_subnet, validation split = the training images the run left out), and extraction
// with BN re-calibration and the input normalisation.
#include <gtest/gtest.h>

#include "memory_model/float_weights.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "supernet/api.h"
#include "supernet/supernet_evaluator.h"
#include "test_support.h"

namespace tinynas::supernet {
namespace {

using testing::synthetic_spec;
using testing::synthetic_supernet_job;
using testing::TempDir;
using testing::tiny_space;

// One short training run shared by the tests of this file.
const std::string& trained_checkpoint() {
  static TempDir dir;
  static const std::string path = train_supernet(synthetic_supernet_job(dir.str()), {}).checkpoint;
  return path;
}

EvalRequest request(const std::string& split) {
  EvalRequest r;
  r.data = synthetic_spec();
  r.eval.calibration_images = 32;
  r.eval.calibration_batch = 16;
  r.eval.batch_size = 16;
  r.seed = 5;
  r.train_subset = 64;
  r.threads = 1;
  r.split = split;
  return r;
}

nas::Arch random_arch(uint64_t seed) {
  nas::Rng rng(seed);
  nas::Arch arch = nas::sample_arch(tiny_space(), 12, 1.0, rng);
  arch.num_classes = 4;
  return arch;
}

TEST(SupernetEvaluatorTest, AgreesWithEvaluateSubnetAndCachesPerArch) {
  SupernetEvaluator eval(trained_checkpoint(), request("test"));
  EXPECT_EQ(eval.kind(), "supernet");
  EXPECT_EQ(eval.images(), 40);
  const nas::Arch a = random_arch(1), b = random_arch(2);
  const double top1 = eval.accuracy(a);
  EXPECT_DOUBLE_EQ(top1, evaluate_subnet(trained_checkpoint(), a, request("test")).top1);
  EXPECT_DOUBLE_EQ(eval.accuracy(a), top1);
  EXPECT_EQ(eval.evaluations(), 1);
  eval.accuracy(b);
  EXPECT_EQ(eval.evaluations(), 2);
  EXPECT_DOUBLE_EQ(eval.fitness(a, nas::ArchCost{}), top1);
}

TEST(SupernetEvaluatorTest, ValidationSplitIsTheTrainingImagesTheRunLeftOut) {
  SupernetEvaluator eval(trained_checkpoint(), request("validation"));
  EXPECT_EQ(eval.images(), 96 - 64);
  const double top1 = eval.accuracy(random_arch(3));
  EXPECT_GE(top1, 0);
  EXPECT_LE(top1, 100);
  EvalRequest all = request("validation");
  all.train_subset = 0;  // trained on everything: nothing to validate on
  EXPECT_THROW(SupernetEvaluator(trained_checkpoint(), all), std::invalid_argument);
  EXPECT_THROW(SupernetEvaluator(trained_checkpoint(), request("train")), std::invalid_argument);
}

TEST(SupernetEvaluatorTest, ArchOutsideTheSupernetIsABadInput) {
  SupernetEvaluator eval(trained_checkpoint(), request("test"));
  nas::Arch arch = random_arch(4);
  arch.stages[0].blocks[0].kernel = 9;
  EXPECT_THROW(eval.accuracy(arch), std::invalid_argument);
}

TEST(ExtractSubnetTest, RecalibratesBnAndStoresTheInputNormalization) {
  TempDir out_plain, out_recal;
  const nas::Arch arch = random_arch(6);
  const EvalRequest r = request("test");
  const ExtractResult plain = extract_subnet(trained_checkpoint(), arch, out_plain.str(), nullptr);
  const ExtractResult recal = extract_subnet(trained_checkpoint(), arch, out_recal.str(), &r);
  EXPECT_FALSE(plain.recalibrated);
  EXPECT_TRUE(recal.recalibrated);
  EXPECT_EQ(recal.calibration_images, 32);
  EXPECT_LT(recal.max_abs_diff, 1e-4);
  const memory::FloatWeights a = memory::load_float_weights(out_plain.str());
  const memory::FloatWeights b = memory::load_float_weights(out_recal.str());
  ASSERT_TRUE(b.input.has_value());
  EXPECT_EQ(b.input->mean.size(), 3u);
  ASSERT_TRUE(a.layers[0].bn && b.layers[0].bn);
  EXPECT_NE(a.layers[0].bn->mean, b.layers[0].bn->mean);  // the sub-net's own statistics
  EXPECT_EQ(a.layers[0].weight.data, b.layers[0].weight.data);
}

}  // namespace
}  // namespace tinynas::supernet
