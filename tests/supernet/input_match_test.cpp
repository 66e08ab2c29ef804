// The int8 engine's torch-free image -> input conversion (engine/input_preprocessing.h) against
// the supernet's own evaluation path (BatchLoader without augmentation, then resize()): the same
// floats, bit for bit, for 1 and 3 channels, down- and upscaling and the same size. The engine
// calibrates and measures accuracy with it, so a sub-net sees the inputs it was evaluated on.
// LibTorch's vectorised (AVX2 / AVX-512) kernels contract the 3-channel blend into FMAs, as the
// engine does; its DEFAULT kernel does not, so there the values may differ in the last bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

#include "engine/input_preprocessing.h"
#include "supernet/batch_loader.h"

namespace tinynas::supernet {
namespace {

data::ImageSet random_images(int n, int size, int channels, uint64_t seed) {
  data::ImageSet set;
  set.height = set.width = size;
  set.channels = channels;
  set.classes = {"a", "b"};
  std::mt19937_64 rng(seed);
  set.pixels.resize(static_cast<size_t>(n) * static_cast<size_t>(set.image_bytes()));
  for (uint8_t& p : set.pixels) p = static_cast<uint8_t>(rng() >> 56);
  set.labels.assign(static_cast<size_t>(n), 0);
  return set;
}

// Whether LibTorch runs its AVX2 / AVX-512 kernels (it needs AVX2 and FMA; ATEN_CPU_CAPABILITY
// may force its DEFAULT kernels).
bool torch_uses_fma_kernels() {
  const char* forced = std::getenv("ATEN_CPU_CAPABILITY");
  if (forced && std::strcmp(forced, "default") == 0) return false;
#if defined(__x86_64__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

TEST(InputMatchTest, EngineInputsEqualTheSupernetsEvaluationInputs) {
  torch::set_num_threads(1);
  const bool fma_kernels = torch_uses_fma_kernels();
  for (int channels : {1, 3}) {
    const Normalization norm =
        channels == 1 ? Normalization{{0.1307f}, {0.3081f}}
                      : Normalization{{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
    for (const auto& [size, resolution] : std::vector<std::pair<int, int>>{
             {32, 24}, {32, 28}, {32, 16}, {28, 24}, {20, 32}, {32, 32}}) {
      const data::ImageSet set = random_images(3, size, channels, 11 + size + resolution);
      LoaderOptions options;
      options.batch_size = 3;
      options.shuffle = false;
      options.augment = AugmentOptions::none();
      options.norm = norm;
      options.workers = 0;
      const BatchLoader loader(set, options);
      const torch::Tensor x = resize(loader.make_batch(0, 0).images, resolution).contiguous();
      ASSERT_EQ(x.size(2), resolution);
      const float* torch_values = x.data_ptr<float>();

      const engine::ImagePreprocessor prep(memory::InputNormalization{norm.mean, norm.std}, size,
                                           size, channels,
                                           memory::Shape{resolution, resolution, channels});
      int64_t differ = 0;
      float max_diff = 0;
      for (int64_t i = 0; i < set.size(); ++i) {
        const std::vector<float> mine = prep(set.image(i));  // HWC
        for (int y = 0; y < resolution; ++y)
          for (int xx = 0; xx < resolution; ++xx)
            for (int c = 0; c < channels; ++c) {
              const float t = torch_values[((i * channels + c) * resolution + y) * resolution + xx];
              const float e = mine[static_cast<size_t>((y * resolution + xx) * channels + c)];
              differ += t != e;
              max_diff = std::max(max_diff, std::fabs(t - e));
            }
      }
      if (fma_kernels || channels == 1) {
        EXPECT_EQ(differ, 0) << channels << " channels, " << size << " -> " << resolution;
      }
      EXPECT_LE(max_diff, 1e-5f) << channels << " channels, " << size << " -> " << resolution;
    }
  }
}

}  // namespace
}  // namespace tinynas::supernet
