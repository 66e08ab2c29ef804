#include "data/synthetic.h"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace tinynas::data {

ImageSet synthetic_images(int64_t count, int height, int width, int channels, int classes,
                          uint64_t seed) {
  if (count < 1 || height < 1 || width < 1 || channels < 1 || classes < 1)
    throw std::invalid_argument(
        "synthetic data set: count, size, channels and classes must be >= 1");
  ImageSet set;
  set.height = height;
  set.width = width;
  set.channels = channels;
  for (int c = 0; c < classes; ++c) set.classes.push_back("class" + std::to_string(c));
  const int64_t bytes = set.image_bytes();
  // Patterns depend only on the classes (seed 0x5eed), so train and test splits share them.
  std::mt19937_64 pattern_rng(0x5eed + static_cast<uint64_t>(classes));
  std::vector<uint8_t> patterns(static_cast<size_t>(classes * bytes));
  for (auto& p : patterns) p = static_cast<uint8_t>(pattern_rng() % 256);
  std::mt19937_64 rng(seed);
  set.pixels.resize(static_cast<size_t>(count * bytes));
  set.labels.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const int label = static_cast<int>(i % classes);
    set.labels[static_cast<size_t>(i)] = label;
    for (int64_t k = 0; k < bytes; ++k) {
      const int noise = static_cast<int>(rng() % 97) - 48;
      const int v = patterns[static_cast<size_t>(label * bytes + k)] + noise;
      set.pixels[static_cast<size_t>(i * bytes + k)] = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
  return set;
}

}  // namespace tinynas::data
