#include "engine/input_preprocessing.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace tinynas::engine {

namespace {

std::string size_text(int h, int w, int c) {
  return std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c);
}

void resize_with(const float* in, int w, int c, const BilinearAxis& rows, const BilinearAxis& cols,
                 float* out) {
  const auto at = [&](int y, int x, int k) {
    return in[(static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) *
                  static_cast<size_t>(c) +
              static_cast<size_t>(k)];
  };
  const size_t out_w = cols.i0.size();
  for (size_t oy = 0; oy < rows.i0.size(); ++oy) {
    const int y0 = rows.i0[oy], y1 = rows.i1[oy];
    const float wy0 = rows.w0[oy], wy1 = rows.w1[oy];
    for (size_t ox = 0; ox < out_w; ++ox) {
      const int x0 = cols.i0[ox], x1 = cols.i1[ox];
      const float wx0 = cols.w0[ox], wx1 = cols.w1[ox];
      float* o = out + (oy * out_w + ox) * static_cast<size_t>(c);
      if (c == 1) {
        // LibTorch sends a [N, 1, H, W] tensor to its channels-last kernel (such a tensor is also
        // channels-last contiguous): float products of the weights, the sum in double.
        const float w00 = wy0 * wx0, w01 = wy0 * wx1, w10 = wy1 * wx0, w11 = wy1 * wx1;
        o[0] = static_cast<float>(double{at(y0, x0, 0)} * w00 + double{at(y0, x1, 0)} * w01 +
                                  double{at(y1, x0, 0)} * w10 + double{at(y1, x1, 0)} * w11);
        continue;
      }
      // The NCHW kernel (upsample_generic_Nd): width inside, height outside, each t0 * w0 + t1 * w1
      // contracted to fma(t0, w0, t1 * w1) as in LibTorch's AVX2 / AVX-512 builds of the kernel.
      for (int k = 0; k < c; ++k) {
        const float top = std::fma(at(y0, x0, k), wx0, at(y0, x1, k) * wx1);
        const float bottom = std::fma(at(y1, x0, k), wx0, at(y1, x1, k) * wx1);
        o[k] = std::fma(top, wy0, bottom * wy1);
      }
    }
  }
}

}  // namespace

BilinearAxis bilinear_axis(int in, int out) {
  if (in < 1 || out < 1)
    throw std::invalid_argument("bilinear resize: sizes must be positive (" + std::to_string(in) +
                                " -> " + std::to_string(out) + ")");
  BilinearAxis a;
  const auto n = static_cast<size_t>(out);
  a.i0.resize(n);
  a.i1.resize(n);
  a.w0.resize(n);
  a.w1.resize(n);
  // area_pixel_compute_scale<float>: the ratio in float.
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int i = 0; i < out; ++i) {
    const auto k = static_cast<size_t>(i);
    if (in == out) {
      a.i0[k] = a.i1[k] = i;
      a.w0[k] = 1.0f;
      a.w1[k] = 0.0f;
      continue;
    }
    // area_pixel_compute_source_index<double> (the CPU accumulation type of float): half-pixel
    // centres, negative coordinates clamped to 0 (linear modes only).
    double src = static_cast<double>(scale) * (static_cast<double>(i) + 0.5) - 0.5;
    if (src < 0) src = 0;
    const int i0 = static_cast<int>(src);  // src >= 0: truncation is floor
    a.i0[k] = i0;
    a.i1[k] = i0 + (i0 < in - 1 ? 1 : 0);
    a.w1[k] = static_cast<float>(src - i0);
    a.w0[k] = 1.0f - a.w1[k];
  }
  return a;
}

std::vector<float> resize_bilinear(const std::vector<float>& image, int h, int w, int c, int out_h,
                                   int out_w) {
  if (h < 1 || w < 1 || c < 1 || out_h < 1 || out_w < 1)
    throw std::invalid_argument("bilinear resize: sizes must be positive (" + size_text(h, w, c) +
                                " -> " + size_text(out_h, out_w, c) + ")");
  if (image.size() != static_cast<size_t>(h) * static_cast<size_t>(w) * static_cast<size_t>(c))
    throw std::invalid_argument("bilinear resize: the image has " + std::to_string(image.size()) +
                                " values, not " + size_text(h, w, c));
  if (h == out_h && w == out_w) return image;
  std::vector<float> out(static_cast<size_t>(out_h) * static_cast<size_t>(out_w) *
                         static_cast<size_t>(c));
  resize_with(image.data(), w, c, bilinear_axis(h, out_h), bilinear_axis(w, out_w), out.data());
  return out;
}

void check_normalization(const memory::InputNormalization& norm, int channels) {
  if (norm.mean.size() != static_cast<size_t>(channels) ||
      norm.std.size() != static_cast<size_t>(channels))
    throw std::invalid_argument("the input normalisation has " + std::to_string(norm.mean.size()) +
                                " means and " + std::to_string(norm.std.size()) +
                                " stds, the network input has " + std::to_string(channels) +
                                " channels");
  for (size_t c = 0; c < norm.mean.size(); ++c)
    if (!std::isfinite(norm.mean[c]) || !std::isfinite(norm.std[c]) || !(norm.std[c] > 0))
      throw std::invalid_argument("the input normalisation of channel " + std::to_string(c) +
                                  " is invalid (mean " + std::to_string(norm.mean[c]) + ", std " +
                                  std::to_string(norm.std[c]) +
                                  "; means must be finite, stds positive)");
}

void normalize_pixels(const uint8_t* pixels, int64_t n, int channels,
                      const memory::InputNormalization& norm, float* out) {
  check_normalization(norm, channels);
  std::vector<float> scale(static_cast<size_t>(channels)), shift(static_cast<size_t>(channels));
  for (size_t k = 0; k < scale.size(); ++k) {
    // Exactly batch_loader.cpp's arithmetic, so the network sees the same floats.
    scale[k] = 1.f / (255.f * norm.std[k]);
    shift[k] = -norm.mean[k] / norm.std[k];
  }
  for (int64_t p = 0; p < n; ++p)
    for (size_t k = 0; k < scale.size(); ++k) {
      const size_t i = static_cast<size_t>(p) * scale.size() + k;
      out[i] = static_cast<float>(pixels[i]) * scale[k] + shift[k];
    }
}

ImagePreprocessor::ImagePreprocessor(memory::InputNormalization norm, int height, int width,
                                     int channels, const memory::Shape& input)
    : norm_(std::move(norm)),
      height_(height),
      width_(width),
      channels_(channels),
      input_(input),
      resize_(height != input.h || width != input.w) {
  if (height < 1 || width < 1 || channels < 1)
    throw std::invalid_argument("images of size " + size_text(height, width, channels) +
                                " cannot be network inputs");
  if (channels != input.c)
    throw std::invalid_argument("the images have " + std::to_string(channels) +
                                (channels == 1 ? " channel" : " channels") +
                                ", the network input has " + std::to_string(input.c) + " (" +
                                size_text(input.h, input.w, input.c) + ")");
  check_normalization(norm_, channels);
  if (resize_) {
    rows_ = bilinear_axis(height, input.h);
    cols_ = bilinear_axis(width, input.w);
  }
}

std::vector<float> ImagePreprocessor::operator()(const uint8_t* image) const {
  const int64_t pixels = int64_t{height_} * width_;
  std::vector<float> x(static_cast<size_t>(pixels * channels_));
  normalize_pixels(image, pixels, channels_, norm_, x.data());
  if (!resize_) return x;
  std::vector<float> out(static_cast<size_t>(input_.elements()));
  resize_with(x.data(), width_, channels_, rows_, cols_, out.data());
  return out;
}

}  // namespace tinynas::engine
