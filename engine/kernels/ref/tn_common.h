/* tinynas int8 kernels: what every kernel shares.
 *
 * - tn_layer: one layer's constant parameters (int8 weights, int32 bias, per-channel requantisation
 *   multiplier and shift, input/output offsets and the output clamp), emitted by the code
 *   generator as a const struct in weights.c so it stays in Flash.
 * - Requantisation exactly as the TFLite int8 spec (gemmlowp fixed point): a left shift by
 *   max(shift, 0) (saturating, where TFLite would overflow), a rounding doubling high multiply by
 *   the Q31 multiplier, a rounding right shift by max(-shift, 0). engine/fixed_point.cpp is the
 *   C++ twin; the tests keep them equal.
 * - TN_USE_DSP: whether the ARMv7E-M kernels of arm/ replace the portable ones (below).
 * - Buffers in the arena have no alignment guarantee, so multi-byte loads and stores of them go
 *   through memcpy (one unaligned load on Cortex-M4/M7 and x86).
 */
#ifndef TN_COMMON_H
#define TN_COMMON_H

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const int8_t* weights;     /* conv OHWI, depthwise [C][kh][kw], linear [out][in] */
  const int32_t* bias;       /* per output channel, scale input_scale * weight_scale[c] */
  const int32_t* multiplier; /* per output channel, Q31 */
  const int32_t* shift;      /* per output channel, > 0: left */
  int32_t input_offset;      /* -(input zero point) */
  int32_t output_offset;     /* output zero point */
  int32_t act_min;           /* output clamp (ReLU6 narrows it) */
  int32_t act_max;
} tn_layer;

#if defined(__GNUC__)
#define TN_ALWAYS_INLINE __attribute__((always_inline))
#else
#define TN_ALWAYS_INLINE
#endif

/* round((a * b) / 2^31), ties up; INT32_MIN * INT32_MIN saturates to INT32_MAX. TFLite adds a
 * nudge of +-2^30 and divides truncating toward zero; for a negative product that equals the
 * floor of (ab + 2^30) / 2^31 too, so one arithmetic shift does both (on a Cortex-M4 an SMLAL
 * and two shifts instead of a signed 64-bit division). */
static inline int32_t tn_sat_doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* round(x / 2^exponent), ties away from zero; exponent in [0, 31]. */
static inline int32_t tn_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^(shift - 31), TFLite's MultiplyByQuantizedMultiplier. A left shift (shift >
 * 0, a real multiplier above 1) is rare, so it gets the branch and the usual case none of its
 * 64-bit saturation. */
static inline int32_t tn_requantize(int32_t x, int32_t multiplier, int32_t shift) {
  if (shift > 0) {
    int64_t shifted = (int64_t)x * ((int64_t)1 << shift);
    if (shifted > INT32_MAX) shifted = INT32_MAX;
    if (shifted < INT32_MIN) shifted = INT32_MIN;
    return tn_sat_doubling_high_mul((int32_t)shifted, multiplier);
  }
  return tn_rounding_divide_by_pot(tn_sat_doubling_high_mul(x, multiplier), -shift);
}

/* One output channel's requantisation prepared once for all its outputs. In the usual case (a
 * right shift, e = -shift >= 1, multiplier >= 0) the two roundings of tn_requantize fold into
 * one: floor((floor(y / 2^31) + k) / 2^e) = floor((y + k 2^31) / 2^(31 + e)) for integers, with
 * y = x * multiplier + 2^30 and k = 2^(e - 1) - [y < 0]; and [y < 0] may be read as [x < 0]
 * (where they differ, -2^30 <= x * multiplier < 0, both give 0). So one 64-bit multiply-add of a
 * per-channel rounding constant and two shifts give exactly tn_requantize's result. */
typedef struct {
  int32_t multiplier;
  int32_t shift;
  int32_t right_less_one; /* e - 1 */
  int32_t fast;           /* the usual case above */
  int64_t round;          /* 2^30 + 2^(30 + e), for x >= 0 */
  /* The layer's output offset and clamp, copied: int8 stores may alias the layer, locals not. */
  int32_t output_offset;
  int32_t act_min;
  int32_t act_max;
} tn_requant;

/* A requantisation by (multiplier, shift) prepared; the clamp is left to the caller. */
static inline tn_requant tn_requant_prepare(int32_t multiplier, int32_t shift) {
  tn_requant r;
  r.multiplier = multiplier;
  r.shift = shift;
  r.fast = shift <= -1 && multiplier >= 0;
  r.right_less_one = r.fast ? -shift - 1 : 0;
  r.round = r.fast ? ((int64_t)1 << 30) + ((int64_t)1 << (30 - shift)) : 0;
  r.output_offset = 0;
  r.act_min = INT32_MIN;
  r.act_max = INT32_MAX;
  return r;
}

/* Output channel c of layer l, with the layer's output offset and clamp. */
static inline tn_requant tn_requant_channel(const tn_layer* l, int c) {
  tn_requant r = tn_requant_prepare(l->multiplier[c], l->shift[c]);
  r.output_offset = l->output_offset;
  r.act_min = l->act_min;
  r.act_max = l->act_max;
  return r;
}

/* tn_requantize(x, r->multiplier, r->shift), exactly. */
static inline int32_t tn_requant_apply(int32_t x, const tn_requant* r) {
  if (r->fast) {
    const int64_t round = x < 0 ? r->round - ((int64_t)1 << 31) : r->round;
    return (int32_t)(((int64_t)x * r->multiplier + round) >> 32) >> r->right_less_one;
  }
  return tn_requantize(x, r->multiplier, r->shift);
}

/* Requantise an accumulator with a prepared channel and clamp it to the layer's int8 range. */
static inline int8_t tn_output_with(int32_t acc, const tn_requant* r) {
  int32_t v = tn_requant_apply(acc, r) + r->output_offset;
  if (v < r->act_min) v = r->act_min;
  if (v > r->act_max) v = r->act_max;
  return (int8_t)v;
}

/* Requantise an accumulator of output channel c of layer l and clamp it to int8. */
static inline int8_t tn_output(int32_t acc, const tn_layer* l, int c) {
  int32_t v = tn_requantize(acc, l->multiplier[c], l->shift[c]) + l->output_offset;
  if (v < l->act_min) v = l->act_min;
  if (v > l->act_max) v = l->act_max;
  return (int8_t)v;
}

/* Fully unrolls the loop that follows where the compiler knows how (GCC); the kernels use it on
 * loops whose trip counts are constants of a specialisation. */
#if defined(__GNUC__) && !defined(__clang__)
#define TN_UNROLL _Pragma("GCC unroll 8")
#else
#define TN_UNROLL
#endif

static inline uint32_t tn_load32(const void* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline int16_t tn_load16(const void* p) {
  int16_t v;
  memcpy(&v, p, 2);
  return v;
}
static inline void tn_store16(void* p, int16_t v) {
  memcpy(p, &v, 2);
}

/* ---- Which kernel a model compiles: the ARMv7E-M versions in arm/ (tn_*_arm.c) replace the
 * portable ones of ref/ on cores with the DSP extension (__ARM_FEATURE_DSP: Cortex-M4/M7), unless
 * TN_PORTABLE is defined; TN_EMULATE_DSP selects them with plain-C versions of the instructions so
 * they can be tested on a host. Each file with an arm/ twin compiles to nothing when the other is
 * chosen, so a project simply compiles every .c file. */
#if (defined(__ARM_FEATURE_DSP) && !defined(TN_PORTABLE)) || defined(TN_EMULATE_DSP)
#define TN_USE_DSP 1
#endif

#ifdef __cplusplus
}
#endif

#endif /* TN_COMMON_H */
