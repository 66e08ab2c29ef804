// Small learnable image sets for tests that read image folders: a class-dependent RGB pattern
// with per-image variation, written as PNG.
//
//   const std::vector<uint8_t> rgb = tinynas::testing::class_pattern(k, i, 20);
//   ASSERT_TRUE(tinynas::testing::write_rgb_png(path, rgb, 20));
#pragma once

#include <png.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::testing {

// The pixels (size x size x 3, HWC) of image i of class k (k in 0..2: the class's channel is
// bright).
inline std::vector<uint8_t> class_pattern(int k, int i, int size) {
  std::vector<uint8_t> p(static_cast<size_t>(size * size * 3));
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      for (int c = 0; c < 3; ++c)
        p[static_cast<size_t>((y * size + x) * 3 + c)] = static_cast<uint8_t>(
            (k == c ? 150 : 40) + ((x * (k + 1) + y * (2 - k) + 13 * i + 29 * c) % 90));
  return p;
}

// Writes a size x size RGB image; false when libpng cannot write the file.
inline bool write_rgb_png(const std::string& path, const std::vector<uint8_t>& rgb, int size) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(size);
  image.height = static_cast<png_uint_32>(size);
  image.format = PNG_FORMAT_RGB;
  return png_image_write_to_file(&image, path.c_str(), 0, rgb.data(), 0, nullptr) != 0;
}

}  // namespace tinynas::testing
