// `tinynas export --calib-data DATA` with image data sets and `tinynas accuracy`, end to end
// through the executable: a small PNG image folder made here, a CIFAR-space sub-net with random
// float weights and an input normalisation. The results are checked against what the test computes
// itself from the pixels it wrote (float interpreter, reference interpreter), and every bad input
// exits 2 with a message. Tests on ../shared/datasets skip when it is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/float_interpreter.h"
#include "engine/input_preprocessing.h"
#include "engine/quant_model_io.h"
#include "engine/quantizer.h"
#include "engine/random_weights.h"
#include "engine/reference_interpreter.h"
#include "memory_model/float_weights.h"
#include "nas/arch.h"
#include "nas/lowering.h"
#include "nas/search_space.h"
#include "tests/support/cli_runner.h"
#include "tests/support/png_images.h"
#include "tests/support/temp_dir.h"
#include "util/process.h"

namespace tinynas::cli {
namespace {

using tinynas::testing::expect_bad_input;
using tinynas::testing::read_text;
using tinynas::testing::run_tinynas;
using tinynas::testing::TempDir;
namespace fs = std::filesystem;
using util::ProcessResult;
using util::run_process;

const std::string kConfigs = TINYNAS_TEST_CONFIG_DIR;
const std::string kShared = TINYNAS_TEST_SHARED_DIR;

constexpr int kImageSize = 20;  // the arch runs at R16: every image is resized
const std::vector<std::string> kClasses = {"cat", "dog", "frog"};
constexpr int kTrainPerClass = 4;
constexpr int kTestPerClass = 3;

ProcessResult tinynas(std::vector<std::string> args) {
  return run_tinynas(std::move(args));
}

std::vector<uint8_t> pixels(int k, int i) {
  return tinynas::testing::class_pattern(k, i, kImageSize);
}

bool write_png(const std::string& path, const std::vector<uint8_t>& rgb) {
  return tinynas::testing::write_rgb_png(path, rgb, kImageSize);
}

struct LabelledImage {
  std::vector<uint8_t> pixels;
  int label;
};

// Everything the tests share, made once: images, arch, weights, and one exported model.
class DataCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const fs::path root = dir_->path();
    for (const char* split : {"train", "test"}) {
      const int per = std::string(split) == "train" ? kTrainPerClass : kTestPerClass;
      for (int k = 0; k < static_cast<int>(kClasses.size()); ++k) {
        const fs::path folder = root / "images" / split / kClasses[static_cast<size_t>(k)];
        fs::create_directories(folder);
        for (int i = 0; i < per; ++i) {
          const int index = std::string(split) == "train" ? i : 100 + i;
          std::vector<uint8_t> p = pixels(k, index);
          ASSERT_TRUE(write_png((folder / (std::to_string(i) + ".png")).string(), p));
          (std::string(split) == "train" ? train_ : test_)->push_back({std::move(p), k});
        }
      }
    }
    // No test/ split here, for the accuracy error.
    fs::create_directories(root / "train-only" / "train" / "cat");
    ASSERT_TRUE(write_png((root / "train-only/train/cat/0.png").string(), pixels(0, 0)));

    nlohmann::json arch = {
        {"space", "cifar"}, {"resolution", 16}, {"width_mult", 0.2}, {"num_classes", 10}};
    for (int s = 0; s < 6; ++s) {
      const int depth = s == 5 ? 1 : 2;
      arch["stages"].push_back({{"kernel", std::vector<int>(static_cast<size_t>(depth), 3)},
                                {"expand", std::vector<int>(static_cast<size_t>(depth), 3)}});
    }
    arch_path_ = dir_->file("arch.json", arch.dump());
    const nas::Arch a = nas::arch_from_json(arch, "arch");
    *graph_ = nas::lower(a, nas::load_space("cifar", kConfigs));
    *weights_ = engine::random_float_weights(*graph_, 7);
    weights_->arch = nas::arch_to_json(a);
    weights_->input = memory::InputNormalization{{0.45f, 0.5f, 0.55f}, {0.25f, 0.2f, 0.3f}};
    memory::save_float_weights((root / "weights").string(), *weights_);
    memory::FloatWeights plain = *weights_;
    plain.input.reset();
    memory::save_float_weights((root / "weights-plain").string(), plain);

    export_result_ = new ProcessResult(
        tinynas({"export", arch_path_, "--weights", weights_dir(), "--calib-data", images(),
                 "--out", model_dir(), "--cache", cache_dir(), "--config-dir", kConfigs}));
  }
  static void TearDownTestSuite() {
    delete export_result_;
    delete dir_;
    dir_ = nullptr;
  }

  static std::string path(const std::string& name) { return (dir_->path() / name).string(); }
  static std::string images() { return path("images"); }
  static std::string weights_dir() { return path("weights"); }
  static std::string model_dir() { return path("model"); }
  static std::string cache_dir() { return path("cache"); }

  static engine::ImagePreprocessor preprocessor() {
    return engine::ImagePreprocessor(*weights_->input, kImageSize, kImageSize, 3,
                                     graph_->tensor(graph_->input()).shape);
  }

  static TempDir* dir_;
  static std::string arch_path_;
  static std::vector<LabelledImage>* train_;
  static std::vector<LabelledImage>* test_;
  static memory::Graph* graph_;
  static memory::FloatWeights* weights_;
  static ProcessResult* export_result_;
};

TempDir* DataCliTest::dir_ = nullptr;
std::string DataCliTest::arch_path_;
std::vector<LabelledImage>* DataCliTest::train_ = new std::vector<LabelledImage>();
std::vector<LabelledImage>* DataCliTest::test_ = new std::vector<LabelledImage>();
memory::Graph* DataCliTest::graph_ = new memory::Graph();
memory::FloatWeights* DataCliTest::weights_ = new memory::FloatWeights();
ProcessResult* DataCliTest::export_result_ = nullptr;

template <typename T>
int argmax(const std::vector<T>& v) {
  int best = 0;
  for (int i = 1; i < static_cast<int>(v.size()); ++i)
    if (v[static_cast<size_t>(i)] > v[static_cast<size_t>(best)]) best = i;
  return best;
}

TEST_F(DataCliTest, ExportCalibratesOnTheImagesWithTheWeightsNormalisation) {
  ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  EXPECT_NE(export_result_->err.find("calibration: 12 of 12 train images"), std::string::npos)
      << export_result_->err;
  const engine::QuantModel m = engine::load_quant_model(model_dir() + "/quant_model.json");
  ASSERT_TRUE(m.input_normalization);
  EXPECT_EQ(m.input_normalization->mean, weights_->input->mean);
  EXPECT_EQ(m.input_normalization->std, weights_->input->std);
  const std::string model_h = read_text(model_dir() + "/model.h");
  EXPECT_NE(model_h.find("#define TINYNAS_INPUT_MEAN {0.449999988f, 0.5f, 0.550000012f}"),
            std::string::npos)
      << model_h;
  EXPECT_NE(model_h.find("#define TINYNAS_INPUT_STD {"), std::string::npos);

  // The input's range is that of the 12 train images, normalised and resized to 16x16.
  const engine::ImagePreprocessor prep = preprocessor();
  float lo = INFINITY, hi = -INFINITY;
  for (const LabelledImage& image : *train_)
    for (float v : prep(image.pixels.data())) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  const engine::TensorQuant expected = engine::choose_activation_quant(lo, hi);
  EXPECT_FLOAT_EQ(m.input_quant().scale, expected.scale);
  EXPECT_EQ(m.input_quant().zero_point, expected.zero_point);
  // The decoded train split was cached.
  EXPECT_TRUE(fs::is_regular_file(cache_dir() + "/train.u8"));
}

TEST_F(DataCliTest, ExportReadsTheSameImagesFromATarGz) {
  ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  if (!util::program_available("tar")) GTEST_SKIP() << "tar not installed";
  const std::string archive = path("images.tar.gz");
  const ProcessResult t = run_process({"tar", "czf", archive, "-C", images(), "train", "test"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::string out = path("model-tgz");
  const ProcessResult r = tinynas({"export", arch_path_, "--weights", weights_dir(), "--calib-data",
                                   archive, "--out", out, "--no-cache", "--config-dir", kConfigs});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(out + "/quant_model.json"), read_text(model_dir() + "/quant_model.json"));
  EXPECT_FALSE(fs::exists(path(".cache")));  // --no-cache
}

TEST_F(DataCliTest, CalibCountTakesASeededSubset) {
  ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  const std::string out = path("model-5");
  const ProcessResult r = tinynas({"export", arch_path_, "--weights", weights_dir(), "--calib-data",
                                   images(), "--calib-count", "5", "--out", out, "--cache",
                                   cache_dir(), "--config-dir", kConfigs});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("calibration: 5 of 12 train images"), std::string::npos) << r.err;
}

TEST_F(DataCliTest, AccuracyMatchesTheInterpretersOnTheTestImages) {
  ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  const ProcessResult r = tinynas({"accuracy", model_dir(), "--data", images(), "--weights",
                                   weights_dir(), "--cache", cache_dir(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("int8  top-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("float top-1"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(read_text(model_dir() + "/accuracy.json"));

  // What the test computes itself: the float network and the reference interpreter.
  const engine::QuantModel m = engine::load_quant_model(model_dir() + "/quant_model.json");
  const engine::FloatInterpreter net(*graph_, *weights_);
  const engine::ImagePreprocessor prep = preprocessor();
  int64_t int8_correct = 0, float_correct = 0, agree = 0;
  for (const LabelledImage& image : *test_) {
    const std::vector<float> x = prep(image.pixels.data());
    const int f = argmax(net.run(x));
    const int q = argmax(engine::run_reference(m, engine::quantize_input(m, x)));
    float_correct += f == image.label;
    int8_correct += q == image.label;
    agree += f == q;
  }
  const int64_t n = static_cast<int64_t>(test_->size());
  EXPECT_EQ(j["images"], n);
  EXPECT_EQ(j["images_in_split"], n);
  EXPECT_EQ(j["int8"]["correct"], int8_correct);
  EXPECT_EQ(j["float"]["correct"], float_correct);
  EXPECT_EQ(j["agreement"]["images"], agree);
  for (const char* side : {"int8", "float"}) {
    const double top1 = j[side]["top1"];
    EXPECT_GE(top1, 0.0);
    EXPECT_LE(top1, 100.0);
  }
  EXPECT_NEAR(j["int8"]["top1"].get<double>(), 100.0 * int8_correct / n, 1e-9);
  EXPECT_NEAR(j["difference_points"].get<double>(), 100.0 * (int8_correct - float_correct) / n,
              1e-9);
  EXPECT_EQ(j["input_size"], nlohmann::json({16, 16, 3}));
  EXPECT_EQ(j["image_size"], nlohmann::json({kImageSize, kImageSize, 3}));
  // The test split was decoded into the cache beside the train split.
  EXPECT_TRUE(fs::is_regular_file(cache_dir() + "/test.u8"));
}

TEST_F(DataCliTest, AccuracyWithTheReferenceInterpreterAndALimit) {
  ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  const std::string host_json = path("host.json"), ref_json = path("ref.json");
  const ProcessResult host =
      tinynas({"accuracy", model_dir(), "--data", images(), "--limit", "5", "--seed", "3",
               "--cache", cache_dir(), "--json", host_json, "--quiet", "--threads", "2"});
  ASSERT_EQ(host.exit_code, 0) << host.err;
  const ProcessResult ref =
      tinynas({"accuracy", model_dir(), "--data", images(), "--limit", "5", "--seed", "3",
               "--cache", cache_dir(), "--json", ref_json, "--quiet", "--int8", "reference"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const nlohmann::json a = nlohmann::json::parse(read_text(host_json));
  const nlohmann::json b = nlohmann::json::parse(read_text(ref_json));
  EXPECT_EQ(a["images"], 5);
  EXPECT_EQ(a["images_in_split"], 9);
  EXPECT_EQ(a["int8"]["correct"], b["int8"]["correct"]);
  EXPECT_EQ(a["int8"]["tied_argmax"], b["int8"]["tied_argmax"]);
  EXPECT_TRUE(a["float"].is_null());  // no --weights
  EXPECT_NE(host.out.find("float: not measured"), std::string::npos) << host.out;
}

TEST_F(DataCliTest, ImagesNeedTheWeightsNormalisation) {
  expect_bad_input({"export", arch_path_, "--weights", path("weights-plain"), "--calib-data",
                    images(), "--out", path("m1"), "--no-cache", "--config-dir", kConfigs},
                   "but the weights have no input normalisation");
  expect_bad_input({"export", arch_path_, "--random-weights", "--calib-data", images(), "--out",
                    path("m2"), "--no-cache", "--config-dir", kConfigs},
                   "but --random-weights have no input normalisation");
}

TEST_F(DataCliTest, MissingOrUnknownDataIsABadInput) {
  expect_bad_input({"export", arch_path_, "--weights", weights_dir(), "--calib-data",
                    path("nowhere"), "--out", path("m3"), "--config-dir", kConfigs},
                   "--calib-data: '" + path("nowhere") + "' does not exist");
  fs::create_directories(path("empty-folder"));
  expect_bad_input({"export", arch_path_, "--weights", weights_dir(), "--calib-data",
                    path("empty-folder"), "--out", path("m4"), "--config-dir", kConfigs},
                   "holds neither MNIST idx files");
  ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  expect_bad_input({"accuracy", model_dir(), "--data", path("nowhere")},
                   "--data: '" + path("nowhere") + "' does not exist");
  expect_bad_input({"accuracy", model_dir()}, "needs --data");
  expect_bad_input({"accuracy", path("nowhere"), "--data", images()},
                   "is not an exported model folder");
}

TEST_F(DataCliTest, AccuracyNeedsATestSplit) {
  ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  expect_bad_input({"accuracy", model_dir(), "--data", path("train-only"), "--no-cache"},
                   "has no 'test' folder");
  // Raw float32 files have no labels.
  const std::string raw = dir_->file("raw.bin", std::string(16 * 16 * 3 * 4, '\0'));
  expect_bad_input({"accuracy", model_dir(), "--data", raw}, "is not a data set of images");
}

TEST_F(DataCliTest, AccuracyNeedsANormalisationFromTheModelOrTheWeights) {
  // A model exported from raw float32 inputs with weights without a normalisation.
  const std::string raw = dir_->file("calib.bin", std::string(16 * 16 * 3 * 4 * 2, '\0'));
  const std::string out = path("model-plain");
  const ProcessResult r = tinynas({"export", arch_path_, "--weights", path("weights-plain"),
                                   "--calib-data", raw, "--out", out, "--config-dir", kConfigs});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(out + "/model.h").find("TINYNAS_INPUT_MEAN"), std::string::npos);
  expect_bad_input({"accuracy", out, "--data", images(), "--no-cache"},
                   "has no input normalisation");
  // With weights that have one, it is taken from them.
  const ProcessResult ok = tinynas({"accuracy", out, "--data", images(), "--weights", weights_dir(),
                                    "--cache", cache_dir(), "--quiet"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST_F(DataCliTest, MnistHasOneChannelWhereTheArchWantsThree) {
  const std::string mnist = kShared + "/datasets/mnist";
  if (!fs::is_directory(mnist)) GTEST_SKIP() << mnist << " is absent (shared data sets)";
  expect_bad_input({"export", arch_path_, "--weights", weights_dir(), "--calib-data", mnist,
                    "--out", path("m5"), "--no-cache", "--config-dir", kConfigs},
                   "the images have 1 channel, the network input has 3");
}

}  // namespace
}  // namespace tinynas::cli
