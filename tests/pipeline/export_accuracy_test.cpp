// The export and accuracy pipelines called as functions: export writes a model folder whose
// quantised model and arena are the engine's for that arch; accuracy counts, on a small image set
// made here, exactly what the reference interpreter and the float network predict.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "engine/float_interpreter.h"
#include "engine/input_preprocessing.h"
#include "engine/quant_model_io.h"
#include "engine/random_weights.h"
#include "engine/reference_interpreter.h"
#include "memory_model/scheduler.h"
#include "nas/lowering.h"
#include "nas/sampling.h"
#include "pipeline/accuracy.h"
#include "pipeline/export.h"
#include "tests/support/png_images.h"
#include "tests/support/temp_dir.h"
#include "util/file_io.h"

namespace tinynas::pipeline {
namespace {

using tinynas::testing::TempDir;
namespace fs = std::filesystem;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;
constexpr int kImageSize = 18;  // the arch runs at R16: images are resized
constexpr int kClasses = 3;

std::vector<uint8_t> pixels(int k, int i) {
  return tinynas::testing::class_pattern(k, i, kImageSize);
}

void write_png(const fs::path& path, const std::vector<uint8_t>& rgb) {
  ASSERT_TRUE(tinynas::testing::write_rgb_png(path.string(), rgb, kImageSize)) << path;
}

struct Labelled {
  std::vector<uint8_t> pixels;
  int label;
};

class ExportAccuracyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    space_ = nas::load_space("cifar", kConfigs);
    arch_ = nas::smallest_arch(space_, 16, 0.2);
    arch_path_ = dir_.file("arch.json", nas::arch_to_json(arch_).dump());
    for (const char* split : {"train", "test"})
      for (int k = 0; k < kClasses; ++k) {
        const fs::path folder = dir_.path() / "images" / split / ("class" + std::to_string(k));
        fs::create_directories(folder);
        for (int i = 0; i < 4; ++i) {
          const int index = std::string(split) == "train" ? i : 100 + i;
          write_png(folder / (std::to_string(i) + ".png"), pixels(k, index));
          if (std::string(split) == "test") test_.push_back({pixels(k, index), k});
        }
      }
    graph_ = nas::lower(arch_, space_);
    weights_ = engine::random_float_weights(graph_, 5);
    weights_.arch = nas::arch_to_json(arch_);
    weights_.input = memory::InputNormalization{{0.45f, 0.5f, 0.55f}, {0.25f, 0.2f, 0.3f}};
    memory::save_float_weights(path("weights"), weights_);
  }

  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  ExportOptions export_options(const std::string& out) const {
    ExportOptions o;
    o.arch_path = arch_path_;
    o.config_dir = kConfigs;
    o.out = path(out);
    o.weights_dir = path("weights");
    o.calib_data = path("images");
    o.cache_dir = "";
    return o;
  }

  TempDir dir_;
  nas::SearchSpace space_;
  nas::Arch arch_;
  std::string arch_path_;
  memory::Graph graph_;
  memory::FloatWeights weights_;
  std::vector<Labelled> test_;
};

TEST_F(ExportAccuracyTest, ExportWritesTheModelFolderOfTheArch) {
  Observer quiet;
  const ExportResult r = export_model(export_options("model"), quiet);
  EXPECT_EQ(r.arch, arch_);
  EXPECT_EQ(r.calibration_inputs, 12u);  // every train image (fewer than the default 500)
  for (const char* name : {"model.h", "model.c", "weights.c", "quant_model.json", "arch.json"})
    EXPECT_TRUE(fs::is_regular_file(dir_.path() / "model" / name)) << name;
  EXPECT_EQ(r.files, r.project.files.size() + 2);
  // The arena is the scheduler's for this arch; the stored model is this arch's graph.
  const memory::MemoryPlan plan = memory::Scheduler().schedule(graph_);
  EXPECT_EQ(r.project.arena_bytes, plan.arena_bytes);
  EXPECT_EQ(r.lower_bound, plan.lower_bound);
  const engine::QuantModel model = engine::load_quant_model(path("model/quant_model.json"));
  EXPECT_EQ(model.graph.ops().size(), graph_.ops().size());
  ASSERT_TRUE(model.input_normalization.has_value());
  EXPECT_EQ(model.input_normalization->mean, weights_.input->mean);
  EXPECT_EQ(r.error_inputs, 4u);
  EXPECT_FALSE(r.errors.empty());

  // Same inputs, same bytes.
  export_model(export_options("again"), quiet);
  EXPECT_EQ(*util::read_file(path("model/weights.c")), *util::read_file(path("again/weights.c")));
}

TEST_F(ExportAccuracyTest, ExportRefusesContradictoryOptions) {
  Observer quiet;
  ExportOptions both = export_options("x");
  both.random_weights = true;
  EXPECT_THROW(export_model(both, quiet), std::invalid_argument);
  ExportOptions no_calibration = export_options("x");
  no_calibration.calib_data.clear();
  EXPECT_THROW(export_model(no_calibration, quiet), std::invalid_argument);
  ExportOptions negative = export_options("x");
  negative.calib_count = -1;
  EXPECT_THROW(export_model(negative, quiet), std::invalid_argument);
  EXPECT_FALSE(fs::exists(path("x")));
}

TEST_F(ExportAccuracyTest, AccuracyCountsWhatTheInterpretersPredict) {
  Observer quiet;
  export_model(export_options("model"), quiet);
  AccuracyOptions o;
  o.model_dir = path("model");
  o.data = path("images");
  o.weights_dir = path("weights");
  o.int8_engine = "reference";
  o.threads = 2;
  o.cache_dir = "";
  const AccuracyResult r = measure_accuracy(o, quiet);

  // The same images through the reference interpreter and the float network, one by one.
  const engine::QuantModel model = engine::load_quant_model(path("model/quant_model.json"));
  const engine::FloatInterpreter float_net(graph_, weights_);
  const engine::ImagePreprocessor prep(*weights_.input, kImageSize, kImageSize, 3,
                                       graph_.tensor(graph_.input()).shape);
  int64_t int8_correct = 0, float_correct = 0, agree = 0;
  for (const Labelled& image : test_) {
    const std::vector<float> x = prep(image.pixels.data());
    const std::vector<int8_t> q = engine::run_reference(model, engine::quantize_input(model, x));
    const std::vector<float> y = float_net.run(x);
    const auto int8_class = std::max_element(q.begin(), q.end()) - q.begin();
    const auto float_class = std::max_element(y.begin(), y.end()) - y.begin();
    int8_correct += int8_class == image.label;
    float_correct += float_class == image.label;
    agree += int8_class == float_class;
  }
  EXPECT_EQ(r.images, static_cast<int64_t>(test_.size()));
  EXPECT_EQ(r.images_in_split, static_cast<int64_t>(test_.size()));
  EXPECT_EQ(r.int8_correct, int8_correct);
  EXPECT_TRUE(r.float_measured);
  EXPECT_EQ(r.float_correct, float_correct);
  EXPECT_EQ(r.agree, agree);
  EXPECT_TRUE(r.resized);
  EXPECT_EQ(r.image_size, "18x18x3");
  EXPECT_EQ(r.engine_text, "reference interpreter");
  EXPECT_DOUBLE_EQ(r.int8_top1(), 100.0 * static_cast<double>(int8_correct) / 12.0);

  // A seeded limit measures that many images.
  o.limit = 5;
  EXPECT_EQ(measure_accuracy(o, quiet).images, 5);
}

TEST_F(ExportAccuracyTest, AccuracyNeedsAnExportedModel) {
  Observer quiet;
  AccuracyOptions o;
  o.model_dir = path("images");
  o.data = path("images");
  EXPECT_THROW(measure_accuracy(o, quiet), std::invalid_argument);
  o.int8_engine = "fpga";
  EXPECT_THROW(measure_accuracy(o, quiet), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::pipeline
