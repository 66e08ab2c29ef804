// A labelled set of same-sized images as one uint8 array (N x H x W x C, HWC like the engine's
// activations), the form every reader produces and the trainer, BN re-calibration and the engine's
// calibration consume. Also the cache file a decoded set is kept in, so JPEGs are decoded once.
//
//   ImageSet set = read_image_folder("cifar10-jpeg.tar.gz", "train", 3);
//   save_image_set("run/cache/train.u8", set, stamp);
//   std::optional<ImageSet> again = load_cached_image_set("run/cache/train.u8", stamp);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tinynas::data {

struct ImageSet {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<std::string> classes;  // label i is classes[i]
  std::vector<uint8_t> pixels;       // size() * height * width * channels
  std::vector<int32_t> labels;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int num_classes() const { return static_cast<int>(classes.size()); }
  int64_t image_bytes() const { return int64_t{height} * width * channels; }
  const uint8_t* image(int64_t i) const { return pixels.data() + i * image_bytes(); }
};

// At most n images (all when n <= 0 or n >= size), a seeded random choice kept in original order,
// so a subset run sees every class.
ImageSet subset(const ImageSet& set, int64_t n, uint64_t seed);

// The images subset(set, n, seed) leaves out, in original order: a validation split of the
// training images a run with train_subset n did not train on. Empty when subset keeps them all.
ImageSet holdout(const ImageSet& set, int64_t n, uint64_t seed);

// Per channel mean and standard deviation of the pixels scaled to [0, 1].
void channel_stats(const ImageSet& set, std::vector<float>& mean, std::vector<float>& std);

// The cache file: a small header (magic, version, sizes, class names, the source's stamp) and the
// raw arrays. Written atomically. stamp identifies the source (path, size, time) so a changed
// source is decoded again.
void save_image_set(const std::string& path, const ImageSet& set, const std::string& stamp);
// Empty when the file is missing, from another source (stamp differs), truncated or not a cache.
std::optional<ImageSet> load_cached_image_set(const std::string& path, const std::string& stamp);

}  // namespace tinynas::data
