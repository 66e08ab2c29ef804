// The search's random numbers: a seeded 64-bit Mersenne Twister with its own (portable, exactly
// specified) ways to draw indices, coins and unit reals, so a --seed reproduces a run bit for bit
// on any standard library.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace tinynas::nas {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Independent stream for task `stream` of a run with `seed` (threads draw from their own).
  static Rng for_stream(uint64_t seed, uint64_t stream) {
    return Rng(seed * 0x9E3779B97F4A7C15ULL + stream * 0xBF58476D1CE4E5B9ULL + 1);
  }

  // Uniform in [0, n), n > 0; rejection keeps it unbiased.
  int index(int n) {
    const uint64_t range = static_cast<uint64_t>(n);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t x;
    do x = engine_();
    while (x >= limit);
    return static_cast<int>(x % range);
  }
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool chance(double p) { return unit() < p; }
  template <typename T>
  const T& pick(const std::vector<T>& values) {
    return values[static_cast<size_t>(index(static_cast<int>(values.size())))];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace tinynas::nas
