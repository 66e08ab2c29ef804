// Data readers: image folders (plain and .tar.gz), MNIST idx, the decode cache, and clear errors
// for missing or truncated data.
#include <gtest/gtest.h>
#include <png.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/dataset.h"
#include "data/image_folder.h"
#include "data/mnist.h"
#include "data/synthetic.h"
#include "tests/support/invalid_argument.h"
#include "tests/support/temp_dir.h"

namespace tinynas::data {
namespace {

using tinynas::testing::TempDir;
namespace fs = std::filesystem;

// Writes a w x h RGB PNG whose every pixel is `value`.
void write_png(const std::string& path, int w, int h, uint8_t value) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(w);
  image.height = static_cast<png_uint_32>(h);
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> pixels(static_cast<size_t>(w * h * 3), value);
  ASSERT_TRUE(png_image_write_to_file(&image, path.c_str(), 0, pixels.data(), 0, nullptr));
}

// train/{cat: 2 images, dog: 3 images}, test/{cat: 1, dog: 1}; pixel value = 10 * label + index.
void make_folder(const std::string& root) {
  const std::vector<std::pair<std::string, int>> train = {{"cat", 2}, {"dog", 3}};
  for (const auto& split : {"train", "test"}) {
    for (size_t c = 0; c < train.size(); ++c) {
      const std::string dir = root + "/" + split + "/" + train[c].first;
      fs::create_directories(dir);
      const int n = std::string(split) == "train" ? train[c].second : 1;
      for (int i = 0; i < n; ++i)
        write_png(dir + "/" + std::to_string(i) + ".png", 4, 3, static_cast<uint8_t>(10 * c + i));
    }
  }
}

std::string expect_invalid(const std::function<void()>& f) {
  return tinynas::testing::invalid_message(f);
}

TEST(ImageFolderTest, ReadsCountsLabelsAndPixelsInSortedOrder) {
  TempDir tmp;
  make_folder(tmp / "set");
  const ImageSet train = read_image_folder(tmp / "set", "train", 3);
  ASSERT_EQ(train.size(), 5);
  EXPECT_EQ(train.classes, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(train.labels, (std::vector<int32_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(train.width, 4);
  EXPECT_EQ(train.height, 3);
  EXPECT_EQ(train.image(3)[0], 11);  // dog/1.png
  EXPECT_EQ(read_image_folder(tmp / "set", "test", 1).size(), 2);
}

TEST(ImageFolderTest, ReadsTheSameTreeFromATarGz) {
  TempDir tmp;
  make_folder(tmp / "set");
  const std::string archive = tmp / "set.tar.gz";
  const std::string command = "tar -czf '" + archive + "' -C '" + (tmp / "set") + "' train test";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const ImageSet a = read_image_folder(tmp / "set", "train", 3);
  const ImageSet b = read_image_folder(archive, "train", 3);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.pixels, b.pixels);
}

TEST(ImageFolderTest, MissingOrBrokenDataNamesThePath) {
  TempDir tmp;
  EXPECT_NE(expect_invalid([&] { read_image_folder(tmp / "nope", "train", 3); }).find("nope"),
            std::string::npos);
  make_folder(tmp / "set");
  EXPECT_NE(expect_invalid([&] { read_image_folder(tmp / "set", "val", 3); }).find("val"),
            std::string::npos);
  // A truncated image.
  const std::string broken = tmp / "set/train/cat/0.png";
  fs::resize_file(broken, 20);
  EXPECT_NE(expect_invalid([&] { read_image_folder(tmp / "set", "train", 3); }).find("0.png"),
            std::string::npos);
  // A truncated archive.
  make_folder(tmp / "set2");
  const std::string archive = tmp / "set2.tar.gz";
  ASSERT_EQ(std::system(("tar -czf '" + archive + "' -C '" + (tmp / "set2") + "' train").c_str()),
            0);
  fs::resize_file(archive, fs::file_size(archive) / 2);
  EXPECT_NE(expect_invalid([&] { read_image_folder(archive, "train", 3); }).find("set2.tar.gz"),
            std::string::npos);
}

TEST(DatasetTest, CacheIsWrittenAndReadBack) {
  TempDir tmp;
  make_folder(tmp / "set");
  DatasetSpec spec;
  spec.path = tmp / "set";
  const ImageSet first = load_split(spec, "train", tmp / "cache");
  ASSERT_TRUE(fs::exists(tmp / "cache/train.u8"));
  fs::remove_all(tmp / "set/train/dog");  // the cache still answers while the source's stamp holds
  const auto cached = load_cached_image_set(tmp / "cache/train.u8", "other stamp");
  EXPECT_FALSE(cached.has_value());
  const ImageSet again = load_split(spec, "train", tmp / "cache");
  EXPECT_EQ(again.pixels, first.pixels);
  EXPECT_EQ(again.classes, first.classes);
}

TEST(MnistTest, ReadsTheSharedTestSplitAndRejectsTruncatedFiles) {
  const std::string dir = std::string(TINYNAS_TEST_SHARED_DIR) + "/datasets/mnist";
  if (!fs::exists(dir)) GTEST_SKIP() << "no " << dir;
  const ImageSet test = read_mnist(dir, "test");
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(test.width, 28);
  EXPECT_EQ(test.channels, 1);
  EXPECT_EQ(test.labels[0], 7);  // the first t10k digit is a 7
  TempDir tmp;
  for (const char* f : {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
    fs::copy_file(dir + "/" + f, tmp / f);
  fs::resize_file(tmp / "t10k-images-idx3-ubyte.gz", 100000);
  EXPECT_NE(expect_invalid([&] { read_mnist(tmp.str(), "test"); }).find("t10k-images"),
            std::string::npos);
  EXPECT_NE(expect_invalid([&] { read_mnist(tmp / "missing", "train"); }).find("missing"),
            std::string::npos);
}

TEST(SyntheticTest, DeterministicAndBalanced) {
  const ImageSet a = synthetic_images(40, 8, 8, 3, 4, 7);
  const ImageSet b = synthetic_images(40, 8, 8, 3, 4, 7);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_EQ(std::count(a.labels.begin(), a.labels.end(), 3), 10);
  EXPECT_EQ(subset(a, 10, 1).size(), 10);
}

TEST(SubsetTest, HoldoutIsExactlyWhatTheSubsetLeavesOut) {
  ImageSet a = synthetic_images(50, 4, 4, 1, 5, 3);
  for (int64_t i = 0; i < a.size(); ++i)
    a.pixels[static_cast<size_t>(i * a.image_bytes())] = uint8_t(i);
  const ImageSet kept = subset(a, 30, 9), rest = holdout(a, 30, 9);
  ASSERT_EQ(kept.size(), 30);
  ASSERT_EQ(rest.size(), 20);
  std::vector<int> seen(50, 0);
  for (const ImageSet* part : {&kept, &rest})
    for (int64_t i = 0; i < part->size(); ++i) ++seen[part->image(i)[0]];
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 50);  // each image in exactly one part
  EXPECT_EQ(holdout(a, 0, 9).size(), 0);                   // subset keeps all: nothing held out
}

}  // namespace
}  // namespace tinynas::data
