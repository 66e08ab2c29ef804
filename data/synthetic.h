// A learnable synthetic image set for tests and smoke runs: every class has its own random colour
// pattern, and each image is its class's pattern plus noise, so a small network reaches high
// accuracy in a few steps. Deterministic in (seed, split).
//
//   ImageSet set = synthetic_images(256, 16, 16, 3, 4, /*seed=*/1);
#pragma once

#include <cstdint>

#include "data/image_set.h"

namespace tinynas::data {

ImageSet synthetic_images(int64_t count, int height, int width, int channels, int classes,
                          uint64_t seed);

}  // namespace tinynas::data
