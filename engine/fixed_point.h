// Integer arithmetic of the TFLite int8 spec (gemmlowp's fixed point), used by the quantiser to
// turn real scales into multiplier + shift and by the reference interpreter to requantise. The C
// kernels (kernels/tn_common.h) implement the same functions; tests hold the two equal.
//
//   int32_t m; int s;
//   quantize_multiplier(0.0123, &m, &s);                  // 0.0123 ~ m * 2^(s - 31)
//   int32_t y = multiply_by_quantized_multiplier(acc, m, s);
//
// One deliberate difference from TFLite: the left shift of a multiplier > 1 saturates to int32
// instead of overflowing (undefined behaviour in C); both paths here and in C do the same.
#pragma once

#include <cstdint>

namespace tinynas::engine {

// real ~ multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) (Q31), or 0 / shift 0 for 0 and
// for values below 2^-32 (shift < -31). Rounds half away from zero, like TFLite.
void quantize_multiplier(double real, int32_t* multiplier, int* shift);

// round((a * b) / 2^31), saturating the one overflow case INT32_MIN * INT32_MIN.
int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b);

// round(x / 2^exponent), ties away from zero, exponent in [0, 31].
int32_t rounding_divide_by_pot(int32_t x, int exponent);

// x * multiplier * 2^(shift - 31) with TFLite's rounding: left shift by max(shift, 0)
// (saturating), doubling high multiply, rounding right shift by max(-shift, 0).
int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);

}  // namespace tinynas::engine
