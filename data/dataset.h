// Which data set a run uses, as the experiment JSON's "data" section names it, and the one call
// that loads a split of it: decoded once, then read from a cache file in the run folder.
//
//   DatasetSpec spec;  spec.kind = "image_folder";  spec.path = "cifar10-jpeg.tar.gz";
//   ImageSet train = load_split(spec, "train", "runs/x/cache");   // decodes, writes the cache
//   ImageSet again = load_split(spec, "train", "runs/x/cache");   // reads the cache
#pragma once

#include <cstdint>
#include <string>

#include "data/image_set.h"

namespace tinynas::data {

struct DatasetSpec {
  std::string kind = "image_folder";  // "image_folder", "mnist" or "synthetic"
  std::string path;                   // folder or archive (image_folder), folder (mnist)
  int channels = 3;                   // decode to 1 (grey) or 3 (RGB); MNIST is always 1
  // "synthetic" only: images per split, square size and classes.
  int64_t synthetic_train = 512;
  int64_t synthetic_test = 128;
  int synthetic_size = 32;
  int synthetic_classes = 10;
};

// Throws std::invalid_argument for an unknown kind; the readers' errors name the missing or
// broken file. cache_dir empty: no cache.
ImageSet load_split(const DatasetSpec& spec, const std::string& split,
                    const std::string& cache_dir);

}  // namespace tinynas::data
