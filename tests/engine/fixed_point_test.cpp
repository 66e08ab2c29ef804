// TFLite int8 fixed-point arithmetic against hand-computed cases, and the C kernels' copy
// (kernels/tn_common.h) against the C++ one.
#include "engine/fixed_point.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <random>

#include "tn_common.h"

namespace tinynas::engine {
namespace {

TEST(FixedPointTest, QuantizeMultiplierGivesQ31MantissaAndExponent) {
  int32_t m;
  int s;
  quantize_multiplier(0.5, &m, &s);  // 0.5 = 2^30 * 2^(0 - 31)
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 0);
  quantize_multiplier(0.25, &m, &s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, -1);
  quantize_multiplier(3.0, &m, &s);  // 0.75 * 2^2
  EXPECT_EQ(m, 1610612736);
  EXPECT_EQ(s, 2);
  quantize_multiplier(0.0, &m, &s);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
}

TEST(FixedPointTest, MultiplierJustBelowOneRenormalises) {
  // q * 2^31 rounds to exactly 2^31: becomes 2^30 with the exponent one higher.
  int32_t m;
  int s;
  quantize_multiplier(1.0 - 1e-12, &m, &s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  quantize_multiplier(1.0, &m, &s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
}

TEST(FixedPointTest, TinyMultipliersFlushToZero) {
  int32_t m;
  int s;
  quantize_multiplier(std::ldexp(0.75, -31), &m, &s);  // exponent -31: still representable
  EXPECT_EQ(s, -31);
  EXPECT_EQ(m, 1610612736);
  quantize_multiplier(std::ldexp(0.75, -32), &m, &s);  // exponent -32 < -31: zero
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(multiply_by_quantized_multiplier(123456, m, s), 0);
}

TEST(FixedPointTest, DoublingHighMulRoundsHalfUp) {
  // b = 2^30 is 0.5: the result is a / 2 rounded. gemmlowp's nudge (2^30 for a positive product,
  // 1 - 2^30 for a negative one, then division truncating toward zero) rounds ties upward:
  // 1.5 -> 2 but -1.5 -> -1.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);    // 1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);  // -1.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(5, 1 << 30), 3);    // 2.5 -> 3
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, 1 << 30), -2);  // -2.5 -> -2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(4, 1 << 30), 2);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(100, 1 << 29), 25);  // 100 * 0.25
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-7, 1 << 29), -2);   // -1.75 -> -2
}

TEST(FixedPointTest, DoublingHighMulSaturatesOnlyMinTimesMin) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MAX), -INT32_MAX);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX), INT32_MAX - 1);
}

TEST(FixedPointTest, RoundingDivideByPowerOfTwo) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(rounding_divide_by_pot(6, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(rounding_divide_by_pot(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(rounding_divide_by_pot(7, 0), 7);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MAX, 31), 1);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MIN, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(-(1 << 30), 31), -1);  // -0.5 -> -1
  EXPECT_EQ(rounding_divide_by_pot((1 << 30) - 1, 31), 0);
}

TEST(FixedPointTest, MultiplyByQuantizedMultiplierMatchesReal) {
  int32_t m;
  int s;
  quantize_multiplier(0.5, &m, &s);
  EXPECT_EQ(multiply_by_quantized_multiplier(3, m, s), 2);    // 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, m, s), -1);  // -1.5 -> -1 (tie rounds up)
  quantize_multiplier(0.25, &m, &s);
  EXPECT_EQ(multiply_by_quantized_multiplier(10, m, s), 3);  // 2.5 -> 3
  // 0.25 is 2^30 with shift -1: -10 * 0.5 = -5, then -5 / 2 = -2.5 -> -3 (the rounding right
  // shift takes ties away from zero).
  EXPECT_EQ(multiply_by_quantized_multiplier(-10, m, s), -3);
  quantize_multiplier(3.0, &m, &s);  // left shift 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-7, m, s), -21);
  // 2^30 << 2 saturates at INT32_MAX before the multiply by 0.75.
  EXPECT_EQ(multiply_by_quantized_multiplier(1 << 30, m, s), 1610612735);
  quantize_multiplier(0.001, &m, &s);
  EXPECT_EQ(multiply_by_quantized_multiplier(123456, m, s), 123);    // 123.456
  EXPECT_EQ(multiply_by_quantized_multiplier(-123500, m, s), -124);  // -123.5 -> -124
}

TEST(FixedPointTest, CKernelsComputeTheSameAsCpp) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> real(-14, 3);
  for (int i = 0; i < 200000; ++i) {
    const double r = std::exp2(real(rng));
    int32_t m;
    int s;
    quantize_multiplier(r, &m, &s);
    const auto x = static_cast<int32_t>(rng());
    const auto small = static_cast<int32_t>(rng() % 200001) - 100000;
    ASSERT_EQ(tn_requantize(x, m, s), multiply_by_quantized_multiplier(x, m, s)) << x;
    ASSERT_EQ(tn_requantize(small, m, s), multiply_by_quantized_multiplier(small, m, s));
    ASSERT_EQ(tn_sat_doubling_high_mul(x, m), saturating_rounding_doubling_high_mul(x, m));
    const int e = static_cast<int>(rng() % 32);
    ASSERT_EQ(tn_rounding_divide_by_pot(x, e), rounding_divide_by_pot(x, e));
  }
  EXPECT_EQ(tn_sat_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
}

TEST(FixedPointTest, PreparedChannelRequantisationIsExactlyTheReference) {
  // tn_requant_apply folds both roundings into one; it must give the reference's result for every
  // multiplier and shift the quantiser makes (left shifts included), any accumulator, and ties:
  // multipliers that are powers of two make x * m / 2^(31 + e) land exactly on halves.
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> real(-40, 3);
  for (int i = 0; i < 400000; ++i) {
    int32_t m;
    int s;
    quantize_multiplier(std::exp2(real(rng)), &m, &s);
    if (i % 4 == 3) m = int32_t{1} << (rng() % 31);
    const int32_t shift = s;
    tn_layer layer{};
    layer.multiplier = &m;
    layer.shift = &shift;
    const tn_requant r = tn_requant_channel(&layer, 0);
    int32_t x = static_cast<int32_t>(rng());
    if (i % 3 == 1) x = static_cast<int32_t>(rng() % 200001) - 100000;
    if (i % 97 == 0) x = (i % 2) ? INT32_MIN : INT32_MAX;
    ASSERT_EQ(tn_requant_apply(x, &r), multiply_by_quantized_multiplier(x, m, s))
        << x << " " << m << " " << s;
  }
}

}  // namespace
}  // namespace tinynas::engine
