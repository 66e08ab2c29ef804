// 8-bit images -> the network's float input, the way the supernet trains and evaluates sub-nets
// (supernet/batch_loader.cpp): per channel x = pixel * (1 / (255 * std[c])) + (-mean[c] / std[c]),
// i.e. (pixel / 255 - mean[c]) / std[c], then, when the image's size differs from the network's
// resolution, a bilinear resize with the sampling arithmetic of LibTorch's CPU
// interpolate(mode bilinear, align_corners=false, no antialias): half-pixel centres, source
// coordinates below 0 clamped to 0, the right neighbour clamped at the border. Images and results
// are HWC. No LibTorch: `tinynas export --calib-data` and `tinynas accuracy` use it.
//
//   ImagePreprocessor prep(norm, 32, 32, 3, graph.tensor(graph.input()).shape);  // 32x32 -> 24x24
//   std::vector<float> x = prep(set.image(i));
#pragma once

#include <cstdint>
#include <vector>

#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

// One axis of a bilinear resize from `in` to `out` samples: output i reads source samples i0[i]
// and i1[i] with weights w0[i] and w1[i] (w0 = 1 - w1). As LibTorch 1.13 computes them on the
// CPU: scale = float(in) / out; src = scale * (i + 0.5) - 0.5 in double, clamped to >= 0;
// i0 = floor(src), i1 = i0 + 1 (i0 at the last sample); w1 = float(src - i0). in == out gives the
// identity (i0 = i1 = i, w0 = 1, w1 = 0).
struct BilinearAxis {
  std::vector<int> i0, i1;
  std::vector<float> w0, w1;
};
BilinearAxis bilinear_axis(int in, int out);

// Bilinear resize of an HWC float image (h x w x c) to out_h x out_w x c. The same size returns
// the image unchanged. Each output value is blended as LibTorch's NCHW CPU kernel does,
// (x00 * wx0 + x01 * wx1) * wy0 + (x10 * wx0 + x11 * wx1) * wy1, except for c == 1, where LibTorch
// takes its channels-last kernel: x00 * (wy0 * wx0) + x01 * (wy0 * wx1) + x10 * (wy1 * wx0) +
// x11 * (wy1 * wx1). Throws std::invalid_argument for sizes < 1 or a wrong image size.
std::vector<float> resize_bilinear(const std::vector<float>& image, int h, int w, int c, int out_h,
                                   int out_w);

// Throws std::invalid_argument unless norm has `channels` means and stds, all finite, stds > 0.
void check_normalization(const memory::InputNormalization& norm, int channels);

// pixels: n * channels bytes (HWC) -> n * channels floats, batch_loader's arithmetic.
void normalize_pixels(const uint8_t* pixels, int64_t n, int channels,
                      const memory::InputNormalization& norm, float* out);

// Normalisation then resize (the supernet's order), for images of one size.
class ImagePreprocessor {
 public:
  // Throws std::invalid_argument when the image and the network input differ in channels or the
  // normalisation does not have one valid mean and std per channel.
  ImagePreprocessor(memory::InputNormalization norm, int height, int width, int channels,
                    const memory::Shape& input);

  // image: height x width x channels bytes (HWC). Returns input.elements() floats (HWC).
  std::vector<float> operator()(const uint8_t* image) const;

  bool resizes() const { return resize_; }

 private:
  memory::InputNormalization norm_;
  int height_, width_, channels_;
  memory::Shape input_;
  bool resize_;
  BilinearAxis rows_, cols_;
};

}  // namespace tinynas::engine
