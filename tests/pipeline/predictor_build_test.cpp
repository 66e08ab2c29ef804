// The predictor build called as a function, with a meter whose answers are known: the sub-nets it
// measures, the request it opens the meter with, the files it writes, resuming, and bad inputs.
#include "pipeline/predictor_build.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "nas/search_space.h"
#include "tests/pipeline/test_meters.h"
#include "tests/support/temp_dir.h"
#include "util/file_io.h"

namespace tinynas::pipeline {
namespace {

using testing::FunctionMeter;
using tinynas::testing::TempDir;
namespace fs = std::filesystem;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;

PredictorBuildOptions small_build(const TempDir& dir, int samples, uint64_t seed) {
  PredictorBuildOptions o;
  o.checkpoint = (dir.path() / "run" / "supernet.pt").string();
  o.run.space = nas::load_space("cifar", kConfigs);
  o.run.width_mult = 0.35;
  o.run.train_resolutions = {24, 32};
  o.run.request.seed = 11;
  o.run.request.train_subset = 4000;
  o.settings.samples = samples;
  o.settings.validation_images = 250;
  o.settings.calibration_images = 120;
  o.settings.hidden = {16};
  o.settings.epochs = 30;
  o.settings.out = (dir.path() / "out" / "p.json").string();
  o.seed = seed;
  o.threads = 3;
  return o;
}

// Opens FunctionMeters on the made-up accuracy; remembers the last request and counts measurements.
struct Meters {
  int opened = 0;
  int measured = 0;  // by every meter opened
  supernet::EvalRequest request;
  std::string checkpoint;
  MeterFactory factory() {
    return [this](const std::string& ckpt, const supernet::EvalRequest& r) {
      ++opened;
      checkpoint = ckpt;
      request = r;
      return std::unique_ptr<AccuracyMeter>(
          std::make_unique<FunctionMeter>(testing::made_up_top1, 250, &measured));
    };
  }
};

int lines(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

TEST(PredictorBuildTest, MeasuresSeededSubNetsOnHeldOutImagesAndWritesThePredictor) {
  TempDir dir;
  const PredictorBuildOptions o = small_build(dir, 12, 4);
  Meters meters;
  Observer quiet;
  const PredictorBuildResult r = build_predictor(o, meters.factory(), quiet);

  // The meter looks at the run's own data, on training images it did not train on.
  EXPECT_EQ(meters.opened, 1);
  EXPECT_EQ(meters.checkpoint, o.checkpoint);
  EXPECT_EQ(meters.request.split, "validation");
  EXPECT_EQ(meters.request.eval.test_subset, 250);
  EXPECT_EQ(meters.request.eval.calibration_images, 120);
  EXPECT_EQ(meters.request.threads, 3);
  EXPECT_EQ(meters.request.seed, 11u);
  EXPECT_EQ(meters.request.train_subset, 4000);
  EXPECT_EQ(meters.measured, 12);

  // Sub-net i is a function of (seed, i), at the run's resolutions and width.
  ASSERT_EQ(r.samples.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    const nas::AccuracySample& s = r.samples[static_cast<size_t>(i)];
    EXPECT_EQ(s.arch, predictor_sample(o.run.space, {24, 32}, 0.35, 4, i));
    EXPECT_TRUE(s.arch.resolution == 24 || s.arch.resolution == 32);
    EXPECT_DOUBLE_EQ(s.top1, testing::made_up_top1(s.arch));
  }
  EXPECT_EQ(r.resumed, 0);
  EXPECT_EQ(r.predictor_path, o.settings.out);
  EXPECT_EQ(r.samples_path, (dir.path() / "out" / "p_samples.jsonl").string());
  EXPECT_EQ(lines(r.samples_path), 12);
  EXPECT_EQ(r.report.train_samples + r.report.holdout_samples, 12);

  // The file is the predictor that was fitted, and it knows where it came from.
  const nas::AccuracyPredictor saved = nas::AccuracyPredictor::load(r.predictor_path);
  EXPECT_EQ(saved.resolutions(), (std::vector<int>{24, 32}));
  EXPECT_DOUBLE_EQ(saved.predict(r.samples[0].arch), r.predictor.predict(r.samples[0].arch));
  EXPECT_EQ(saved.info["supernet"], o.checkpoint);
  EXPECT_EQ(saved.info["measured"], 12);
}

TEST(PredictorBuildTest, ResumesWhereItStoppedAndMeasuresTheSameSubNets) {
  TempDir dir, fresh_dir;
  Observer quiet;
  Meters first, second, fresh;
  build_predictor(small_build(dir, 8, 2), first.factory(), quiet);
  const PredictorBuildResult resumed =
      build_predictor(small_build(dir, 12, 2), second.factory(), quiet);
  EXPECT_EQ(resumed.resumed, 8);
  EXPECT_EQ(second.measured, 4);  // only the missing ones

  const PredictorBuildResult straight =
      build_predictor(small_build(fresh_dir, 12, 2), fresh.factory(), quiet);
  ASSERT_EQ(resumed.samples.size(), straight.samples.size());
  for (size_t i = 0; i < straight.samples.size(); ++i)
    EXPECT_EQ(resumed.samples[i].arch, straight.samples[i].arch);
  EXPECT_EQ(*util::read_file(resumed.samples_path), *util::read_file(straight.samples_path));

  // Everything measured already: no meter is opened.
  Meters none;
  build_predictor(small_build(dir, 10, 2), none.factory(), quiet);
  EXPECT_EQ(none.opened, 0);
}

TEST(PredictorBuildTest, SamplesOfAnotherSeedAndBadSettingsAreBadInputs) {
  TempDir dir;
  Observer quiet;
  Meters meters;
  build_predictor(small_build(dir, 6, 1), meters.factory(), quiet);
  EXPECT_THROW(build_predictor(small_build(dir, 8, 2), meters.factory(), quiet),
               std::invalid_argument);

  PredictorBuildOptions few = small_build(dir, 4, 1);
  EXPECT_THROW(build_predictor(few, meters.factory(), quiet), std::invalid_argument);
  PredictorBuildOptions no_images = small_build(dir, 6, 1);
  no_images.settings.validation_images = 0;
  EXPECT_THROW(build_predictor(no_images, meters.factory(), quiet), std::invalid_argument);
  EXPECT_EQ(meters.opened, 1);  // the bad ones measured nothing
}

TEST(PredictorBuildTest, DefaultOutputIsBesideTheCheckpoint) {
  TempDir dir;
  PredictorBuildOptions o = small_build(dir, 5, 1);
  o.settings.out.clear();
  Meters meters;
  Observer quiet;
  const PredictorBuildResult r = build_predictor(o, meters.factory(), quiet);
  EXPECT_EQ(r.predictor_path, (dir.path() / "run" / "predictor.json").string());
  EXPECT_TRUE(fs::is_regular_file(r.predictor_path));
}

}  // namespace
}  // namespace tinynas::pipeline
