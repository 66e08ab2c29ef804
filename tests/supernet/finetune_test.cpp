// Fine-tuning one sub-net (TrainJob::subnet, tinynas finetune): only that sub-net trains, its
// teacher is the supernet it came from, a random start is really random, a resumed run must
// fine-tune the same sub-net, and finetune_subnet measures, extracts and resumes.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "data/synthetic.h"
#include "memory_model/float_weights.h"
#include "nas/sampling.h"
#include "supernet/api.h"
#include "supernet/checkpoint.h"
#include "supernet/trainer.h"
#include "test_support.h"

namespace tinynas::supernet {
namespace {

using testing::synthetic_spec;
using testing::synthetic_supernet_job;
using testing::TempDir;
using testing::tiny_space;

// One trained supernet shared by the tests of this file.
const std::string& supernet_checkpoint() {
  static TempDir dir;
  static const std::string path = train_supernet(synthetic_supernet_job(dir.str()), {}).checkpoint;
  return path;
}

// The smallest sub-net at resolution 12: one block per stage, so each stage's second block is
// not part of it.
nas::Arch small_arch() {
  nas::Arch arch = nas::smallest_arch(tiny_space(), 12, 1.0);
  arch.num_classes = 4;
  return arch;
}

TrainJob finetune_job(const std::string& out, const nas::Arch& arch, bool inherit) {
  TrainJob job = synthetic_supernet_job(out);
  job.train.phases = {{"finetune", {}, 2, 0.05, 0, 1, "random", true}};
  job.subnet = arch;
  job.start_from = supernet_checkpoint();
  job.inherit_weights = inherit;
  job.checkpoint_name = "finetune.pt";
  return job;
}

// How a fine-tuning job's sub-net is measured: the training job's data, split and evaluation
// settings, in batches of 16 on one thread.
EvalRequest evaluation_of(const TrainJob& train) {
  EvalRequest r;
  r.data = synthetic_spec();
  r.eval = train.eval;
  r.eval.batch_size = 16;
  r.seed = train.seed;
  r.train_subset = train.train.train_subset;
  r.threads = 1;
  return r;
}

std::map<std::string, torch::Tensor> parameters_by_name(const OFANetwork& net) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : net->named_parameters(true)) out[item.key()] = item.value().detach();
  return out;
}

TEST(FinetuneTest, TrainsOnlyTheSubnetAndKeepsTheSupernetAsTeacher) {
  TempDir tmp;
  const nas::Arch arch = small_arch();
  std::vector<nas::Arch> trained;
  TrainCallbacks callbacks;
  callbacks.on_subnets = [&](int64_t, const std::vector<nas::Arch>& archs) {
    trained.insert(trained.end(), archs.begin(), archs.end());
  };
  const TrainJob job = finetune_job(tmp.str(), arch, /*inherit=*/true);
  const data::ImageSet train = data::synthetic_images(96, 12, 12, 3, 4, 1);
  const data::ImageSet test = data::synthetic_images(40, 12, 12, 3, 4, 2);
  const TrainResult r = Trainer(job, train, test, callbacks).run();
  ASSERT_EQ(r.history.size(), 2u);
  EXPECT_GE(r.history.back().top1_subnet, 0);
  EXPECT_LT(r.history.back().top1_largest, 0);  // not measured when fine-tuning
  ASSERT_EQ(static_cast<int64_t>(trained.size()), r.steps);
  for (const nas::Arch& a : trained) EXPECT_EQ(nas::arch_to_json(a), nas::arch_to_json(arch));

  const Checkpoint start = load_checkpoint(supernet_checkpoint());
  const Checkpoint end = load_checkpoint(tmp.str() + "/finetune.pt");
  const auto before = parameters_by_name(start.net);
  const auto after = parameters_by_name(end.net);
  int changed = 0, unused = 0;
  for (const auto& [name, value] : before) {
    const bool same = torch::equal(value, after.at(name));
    // Each stage's second block (s0_b1, s1_b1) is outside the sub-net: untouched.
    if (name.find("_b1.") != std::string::npos) {
      ++unused;
      EXPECT_TRUE(same) << name << " changed though the sub-net does not use it";
    } else if (!same) {
      ++changed;
    }
  }
  EXPECT_GT(unused, 0);
  EXPECT_GT(changed, 0);
  EXPECT_FALSE(torch::equal(before.at("classifier.weight"), after.at("classifier.weight")));
  // The teacher is the supernet the run started from, not a copy of the student.
  ASSERT_TRUE(end.teacher);
  for (const auto& [name, value] : parameters_by_name(end.teacher))
    EXPECT_TRUE(torch::equal(value, before.at(name))) << name;
}

TEST(FinetuneTest, FromScratchStartsRandomWithTheSupernetAsTeacher) {
  TempDir tmp;
  const TrainJob job = finetune_job(tmp.str(), small_arch(), /*inherit=*/false);
  Trainer trainer(job, data::synthetic_images(96, 12, 12, 3, 4, 1),
                  data::synthetic_images(40, 12, 12, 3, 4, 2), {});
  const auto supernet = parameters_by_name(load_checkpoint(supernet_checkpoint()).net);
  const auto student = parameters_by_name(trainer.network());
  EXPECT_FALSE(torch::equal(supernet.at("classifier.weight"), student.at("classifier.weight")));
  EXPECT_FALSE(torch::equal(supernet.at("stem.weight"), student.at("stem.weight")));
  trainer.run();
  const Checkpoint end = load_checkpoint(tmp.str() + "/finetune.pt");
  for (const auto& [name, value] : parameters_by_name(end.teacher))
    EXPECT_TRUE(torch::equal(value, supernet.at(name))) << name;
}

TEST(FinetuneTest, ResumeMustFineTuneTheSameSubnet) {
  TempDir tmp;
  const data::ImageSet train = data::synthetic_images(96, 12, 12, 3, 4, 1);
  const data::ImageSet test = data::synthetic_images(40, 12, 12, 3, 4, 2);
  Trainer(finetune_job(tmp.str(), small_arch(), true), train, test, {}).run();

  nas::Arch other = small_arch();
  other.stages[0].blocks[0].kernel = 5;
  TrainJob again = finetune_job(tmp.str(), other, true);
  again.resume = true;
  EXPECT_THROW(Trainer(again, train, test, {}), std::invalid_argument);
  TrainJob whole =
      synthetic_supernet_job(tmp.str());  // progressive shrinking on a fine-tuning checkpoint
  whole.checkpoint_name = "finetune.pt";
  whole.resume = true;
  EXPECT_THROW(Trainer(whole, train, test, {}), std::invalid_argument);
  TrainJob same = finetune_job(tmp.str(), small_arch(), true);
  same.resume = true;
  EXPECT_TRUE(Trainer(same, train, test, {}).run().already_finished);
}

TEST(FinetuneTest, SubnetOutsideTheSupernetIsABadInput) {
  TempDir tmp;
  nas::Arch arch = small_arch();
  arch.stages[0].blocks[0].kernel = 9;
  EXPECT_THROW(
      Trainer(finetune_job(tmp.str(), arch, true), data::synthetic_images(96, 12, 12, 3, 4, 1),
              data::synthetic_images(40, 12, 12, 3, 4, 2), {}),
      std::invalid_argument);
}

TEST(FinetuneTest, FinetuneSubnetMeasuresBeforeAndAfterExtractsAndResumes) {
  TempDir tmp;
  FinetuneJob job;
  job.train = finetune_job(tmp.str(), small_arch(), true);
  job.evaluation = evaluation_of(job.train);
  job.validation_images = 0;  // all 32 held-out images
  const FinetuneResult r = finetune_subnet(job, {});
  EXPECT_EQ(r.inherited_validation.test_images, 32);
  EXPECT_EQ(r.inherited_test.test_images, 40);
  EXPECT_EQ(r.final_validation.test_images, 32);
  EXPECT_EQ(r.final_test.test_images, 40);
  // What evaluate_subnet says of the supernet's own sub-net is what was recorded as inherited.
  EvalRequest on_test = job.evaluation;
  EXPECT_DOUBLE_EQ(r.inherited_test.top1,
                   evaluate_subnet(supernet_checkpoint(), small_arch(), on_test).top1);
  EXPECT_LT(r.extracted.max_abs_diff, 1e-3);
  const memory::FloatWeights w = memory::load_float_weights(r.weights_dir);
  EXPECT_EQ(static_cast<int>(w.layers.size()), r.extracted.layers);
  EXPECT_TRUE(std::filesystem::exists(r.weights_dir + "/arch.json"));

  FinetuneJob resumed = job;
  resumed.train.resume = true;
  const FinetuneResult again = finetune_subnet(resumed, {});
  EXPECT_TRUE(again.training.already_finished);
  EXPECT_DOUBLE_EQ(again.inherited_validation.top1, r.inherited_validation.top1);
  EXPECT_DOUBLE_EQ(again.final_test.top1, r.final_test.top1);
}

// No supernet: the sub-net (here of a residual space) trains from a random initialisation with
// the training images' normalisation; nothing is inherited, the result is measured and extracted.
TEST(FinetuneTest, WithoutASupernetTheSubnetTrainsFromScratch) {
  TempDir tmp;
  FinetuneJob job;
  job.train = synthetic_supernet_job(tmp.str());
  job.train.space = testing::tiny_residual_space();
  job.train.train.phases = {{"scratch", {}, 2, 0.05, 0, 1, "random", false}};
  nas::Arch arch = nas::largest_arch(job.train.space, 12, 1.0);
  arch.num_classes = 4;
  job.train.subnet = arch;
  job.train.inherit_weights = false;
  job.train.checkpoint_name = "finetune.pt";
  job.evaluation = evaluation_of(job.train);
  job.evaluation.cache_dir = tmp.str() + "/cache";
  job.validation_images = 0;
  const FinetuneResult r = finetune_subnet(job, {});
  EXPECT_EQ(r.inherited_test.test_images, 0);
  EXPECT_EQ(r.final_validation.test_images, 32);
  EXPECT_EQ(r.final_test.test_images, 40);
  EXPECT_GT(r.training.steps, 0);
  EXPECT_LT(r.extracted.max_abs_diff, 1e-3);
  const memory::FloatWeights w = memory::load_float_weights(r.weights_dir);
  EXPECT_NE(w.find("b1.shortcut"), nullptr);  // stem 16 -> 8 channels: a projected skip
  EXPECT_NE(w.find("b5.conv2"), nullptr);     // the last stage: residual again
  EXPECT_FALSE(std::filesystem::exists(tmp.str() + "/inherited.json"));

  job.train.inherit_weights = true;  // inheriting needs a supernet
  EXPECT_THROW(finetune_subnet(job, {}), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::supernet
