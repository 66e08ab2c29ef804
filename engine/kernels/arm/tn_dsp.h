/* The ARMv7E-M DSP instructions the arm/ kernels use (SMLAD: two 16x16 multiplies and an add in
 * one cycle; SXTB16 / SXTAB16: two bytes sign-extended to 16-bit halves), as ACLE intrinsics on
 * the target or, with TN_EMULATE_DSP, as plain C with the same results for host tests.
 */
#ifndef TN_DSP_H
#define TN_DSP_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TN_USE_DSP) && !defined(TN_EMULATE_DSP)
#include <arm_acle.h>
#define tn_sxtb16(x) ((uint32_t)__sxtb16((int32_t)(x)))
#define tn_sxtab16(a, x) ((uint32_t)__sxtab16((int32_t)(a), (int32_t)(x)))
#define tn_smlad(a, b, acc) __smlad((int32_t)(a), (int32_t)(b), (acc))
#elif defined(TN_EMULATE_DSP)
/* Bytes 0 and 2 of x, sign-extended to the two halves. */
static inline uint32_t tn_sxtb16(uint32_t x) {
  const uint16_t lo = (uint16_t)(int16_t)(int8_t)(x & 0xFF);
  const uint16_t hi = (uint16_t)(int16_t)(int8_t)((x >> 16) & 0xFF);
  return (uint32_t)lo | ((uint32_t)hi << 16);
}
/* Halves of a plus the sign-extended bytes 0 and 2 of x, each modulo 2^16. */
static inline uint32_t tn_sxtab16(uint32_t a, uint32_t x) {
  const uint32_t e = tn_sxtb16(x);
  const uint16_t lo = (uint16_t)((a & 0xFFFF) + (e & 0xFFFF));
  const uint16_t hi = (uint16_t)((a >> 16) + (e >> 16));
  return (uint32_t)lo | ((uint32_t)hi << 16);
}
/* acc + a.lo * b.lo + a.hi * b.hi (signed 16-bit halves). */
static inline int32_t tn_smlad(uint32_t a, uint32_t b, int32_t acc) {
  const int32_t lo = (int32_t)(int16_t)(a & 0xFFFF) * (int32_t)(int16_t)(b & 0xFFFF);
  const int32_t hi = (int32_t)(int16_t)(a >> 16) * (int32_t)(int16_t)(b >> 16);
  return (int32_t)((uint32_t)acc + (uint32_t)lo + (uint32_t)hi);
}
#endif
#if defined(TN_USE_DSP)
static inline uint32_t tn_ror8(uint32_t x) {
  return (x >> 8) | (x << 24);
}
#endif

/* Bytes 1 and 3 of x sign-extended (tn_sxtb16 of x rotated by 8), and the same added to a: one
 * instruction each, since SXTB16 / SXTAB16 rotate their operand for free; GCC 12 does not fuse
 * __sxtb16(__ror(x, 8)) by itself, hence the asm. */
#if defined(TN_USE_DSP) && !defined(TN_EMULATE_DSP)
static inline uint32_t tn_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
static inline uint32_t tn_sxtab16_ror8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
#elif defined(TN_EMULATE_DSP)
static inline uint32_t tn_sxtb16_ror8(uint32_t x) {
  return tn_sxtb16(tn_ror8(x));
}
static inline uint32_t tn_sxtab16_ror8(uint32_t a, uint32_t x) {
  return tn_sxtab16(a, tn_ror8(x));
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* TN_DSP_H */
