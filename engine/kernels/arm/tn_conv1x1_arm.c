/* Pointwise int8 convolution for ARMv7E-M; see tn_conv1x1.h. Bit-exact with ref/tn_conv1x1.c.
 *
 * Two output pixels x two output channels per inner loop: each step loads four inputs of each
 * pixel and widens them to int16 pairs with the offset added (SXTAB16, even and odd bytes), loads
 * four weights of each channel and widens them (SXTB16), then eight SMLADs give 16 MACs, so every
 * widened input serves two channels and every widened weight two pixels. The odd bytes come from
 * the rotating forms of SXTB16 / SXTAB16 (tn_sxtb16_ror8), so the natural OHWI weights need no
 * re-layout and the loop no rotates. An odd pixel or channel count computes the last one twice
 * and stores it once (cheaper in code than tail loops).
 *
 * Per channel pair, a run of up to TN_CONV1X1_RUN pixels is summed first and the sums wait on the
 * stack; then each channel's run is requantised with its constants held in registers. Summing and
 * requantising in one loop needs more registers than the core has, and GCC spilled the pointers
 * and the requantisation constants in the inner loop. Few input channels (8, 16, 24: the
 * expansions after narrow blocks) get their own fully unrolled loops, with the second pixel and
 * channel at constant offsets.
 */
#include "tn_conv1x1.h"
#include "tn_dsp.h"

#if defined(TN_USE_DSP)

/* GCC's scheduling before register allocation moves every load of an unrolled MAC block to its
 * top, and the values then need more registers than the core has: with it the 16-input loop
 * takes 106 instructions for 64 MACs (36 of them stack spills and reloads), without it 89. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-schedule-insns")
#endif

/* Pixels whose sums wait on the stack (2 channels x 4 bytes x 32 = 256 bytes). */
#define TN_CONV1X1_RUN 32

/* The first input byte of output pixel p; at stride 1 the output pixels are the input's, in
 * order, and no division is needed. */
static inline const int8_t* tn_pixel(const int8_t* input, int in_w, int in_c, int out_w, int stride,
                                     int p) {
  int oy, ox;
  if (stride == 1) return input + (long)p * in_c;
  oy = p / out_w;
  ox = p - oy * out_w;
  return input + ((long)oy * stride * in_w + (long)ox * stride) * in_c;
}

/* One channel's sums requantised, clamped and stored at out[i * step], exactly as
 * tn_output_with; the channel's constants stay in registers for the whole run. */
static void tn_requant_run(const int32_t* sums, int count, const tn_requant* rq, int8_t* out,
                           int step) {
  const tn_requant r = *rq;
  int i;
  if (r.fast) {
    const int32_t m = r.multiplier, e = r.right_less_one;
    const int64_t round = r.round;
    const int32_t offset = r.output_offset, lo = r.act_min, hi = r.act_max;
    for (i = 0; i < count; ++i, out += step) {
      const int32_t x = sums[i];
      const int64_t rx = x < 0 ? round - ((int64_t)1 << 31) : round;
      int32_t v = ((int32_t)(((int64_t)x * m + rx) >> 32) >> e) + offset;
      if (v < lo) v = lo;
      if (v > hi) v = hi;
      *out = (int8_t)v;
    }
    return;
  }
  for (i = 0; i < count; ++i, out += step) *out = tn_output_with(sums[i], &r);
}

/* The four sums of pixels x0, x1 and channels w0, w1 over in_c inputs, any in_c. */
static inline TN_ALWAYS_INLINE void tn_mac_2x2(const int8_t* x0, const int8_t* x1, const int8_t* w0,
                                               const int8_t* w1, int in_c, int32_t offset,
                                               int32_t acc[4]) {
  /* The input offset in both 16-bit halves, for SXTAB16. */
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFF) | ((uint32_t)offset << 16);
  const int8_t* const w0_end = w0 + (in_c & ~3);
  const int8_t* xa = x0;
  const int8_t* xb = x1;
  int32_t a00 = acc[0], a10 = acc[1], a01 = acc[2], a11 = acc[3];
  int j;
  while (w0 != w0_end) {
    const uint32_t xa4 = tn_load32(xa);
    const uint32_t xb4 = tn_load32(xb);
    const uint32_t xa02 = tn_sxtab16(offset2, xa4), xa13 = tn_sxtab16_ror8(offset2, xa4);
    const uint32_t xb02 = tn_sxtab16(offset2, xb4), xb13 = tn_sxtab16_ror8(offset2, xb4);
    uint32_t w4 = tn_load32(w0);
    uint32_t w02 = tn_sxtb16(w4), w13 = tn_sxtb16_ror8(w4);
    a00 = tn_smlad(w02, xa02, a00);
    a00 = tn_smlad(w13, xa13, a00);
    a10 = tn_smlad(w02, xb02, a10);
    a10 = tn_smlad(w13, xb13, a10);
    w4 = tn_load32(w1);
    w02 = tn_sxtb16(w4);
    w13 = tn_sxtb16_ror8(w4);
    a01 = tn_smlad(w02, xa02, a01);
    a01 = tn_smlad(w13, xa13, a01);
    a11 = tn_smlad(w02, xb02, a11);
    a11 = tn_smlad(w13, xb13, a11);
    xa += 4;
    xb += 4;
    w0 += 4;
    w1 += 4;
  }
  for (j = in_c & ~3; j < in_c; ++j, ++w0, ++w1) {
    const int32_t xa1 = (int32_t)x0[j] + offset, xb1 = (int32_t)x1[j] + offset;
    a00 += (int32_t)*w0 * xa1;
    a10 += (int32_t)*w0 * xb1;
    a01 += (int32_t)*w1 * xa1;
    a11 += (int32_t)*w1 * xb1;
  }
  acc[0] = a00;
  acc[1] = a10;
  acc[2] = a01;
  acc[3] = a11;
}

/* Any in_c, stride and out_c. */
static void tn_conv1x1_any(const int8_t* input, int in_w, int in_c, int out_h, int out_w, int out_c,
                           int stride, const tn_layer* layer, int8_t* output) {
  const int pixels = out_h * out_w;
  int32_t sums[2][TN_CONV1X1_RUN];
  int oc, p0, i;
  for (oc = 0; oc < out_c; oc += 2) {
    const int oc1 = oc + 1 < out_c ? oc + 1 : oc;
    const int8_t* const w0 = layer->weights + (long)oc * in_c;
    const int8_t* const w1 = layer->weights + (long)oc1 * in_c;
    const int32_t bias0 = layer->bias[oc], bias1 = layer->bias[oc1];
    const tn_requant r0 = tn_requant_channel(layer, oc), r1 = tn_requant_channel(layer, oc1);
    for (p0 = 0; p0 < pixels; p0 += TN_CONV1X1_RUN) {
      const int count = pixels - p0 < TN_CONV1X1_RUN ? pixels - p0 : TN_CONV1X1_RUN;
      for (i = 0; i < count; i += 2) {
        const int p = p0 + i, p1 = i + 1 < count ? p + 1 : p;
        int32_t acc[4]; /* pixel i and i + 1 of channel oc, then of channel oc1 */
        acc[0] = acc[1] = bias0;
        acc[2] = acc[3] = bias1;
        tn_mac_2x2(tn_pixel(input, in_w, in_c, out_w, stride, p),
                   tn_pixel(input, in_w, in_c, out_w, stride, p1), w0, w1, in_c,
                   layer->input_offset, acc);
        /* A lone last pixel's second sum lands in a slot that is not read. */
        sums[0][i] = acc[0];
        sums[0][i + 1] = acc[1];
        sums[1][i] = acc[2];
        sums[1][i + 1] = acc[3];
      }
      tn_requant_run(sums[0], count, &r0, output + (long)p0 * out_c + oc, out_c);
      if (oc1 != oc) tn_requant_run(sums[1], count, &r1, output + (long)p0 * out_c + oc1, out_c);
    }
  }
}

/* The largest in_c with its own unrolled loop. */
#define TN_CONV1X1_FIXED_MAX 24

/* The four sums of pixels x0, x1 over n inputs (n a multiple of 4 and a constant where this is
 * inlined, so the loop unrolls fully and x1 - x0 is a constant offset where it is n) with two
 * channels whose weights w are already widened: for each four inputs, channel 0's (0, 2) and
 * (1, 3) halves, then channel 1's. They are read through a volatile pointer so that GCC loads
 * them where they are used instead of hoisting all of them out of the pixel loop into registers
 * it does not have (it spilled and reloaded them and more). */
static inline TN_ALWAYS_INLINE void tn_mac_2x2_fixed(const int8_t* x0, const int8_t* x1,
                                                     const volatile uint32_t* w, const int n,
                                                     uint32_t offset2, int32_t acc[4]) {
  int32_t a00 = acc[0], a10 = acc[1], a01 = acc[2], a11 = acc[3];
  int j;
  TN_UNROLL
  for (j = 0; j < n; j += 4, w += 4) {
    const uint32_t xa4 = tn_load32(x0 + j);
    const uint32_t xb4 = tn_load32(x1 + j);
    const uint32_t xa02 = tn_sxtab16(offset2, xa4), xa13 = tn_sxtab16_ror8(offset2, xa4);
    const uint32_t xb02 = tn_sxtab16(offset2, xb4), xb13 = tn_sxtab16_ror8(offset2, xb4);
    uint32_t w02 = w[0], w13 = w[1];
    a00 = tn_smlad(w02, xa02, a00);
    a00 = tn_smlad(w13, xa13, a00);
    a10 = tn_smlad(w02, xb02, a10);
    a10 = tn_smlad(w13, xb13, a10);
    w02 = w[2];
    w13 = w[3];
    a01 = tn_smlad(w02, xa02, a01);
    a01 = tn_smlad(w13, xa13, a01);
    a11 = tn_smlad(w02, xb02, a11);
    a11 = tn_smlad(w13, xb13, a11);
  }
  acc[0] = a00;
  acc[1] = a10;
  acc[2] = a01;
  acc[3] = a11;
}

/* The layer with in_c = n (at most TN_CONV1X1_FIXED_MAX), a constant, at stride 1 and an even
 * out_c. Each channel pair's weights are widened once, onto the stack. */
static inline TN_ALWAYS_INLINE void tn_conv1x1_fixed(const int8_t* input, const int n, int pixels,
                                                     int out_c, const tn_layer* layer,
                                                     int8_t* output) {
  const int32_t offset = layer->input_offset;
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFF) | ((uint32_t)offset << 16);
  int32_t sums[2][TN_CONV1X1_RUN];
  uint32_t widened[TN_CONV1X1_FIXED_MAX];
  int oc, p0, i, j;
  for (oc = 0; oc < out_c; oc += 2) {
    const int8_t* const w0 = layer->weights + (long)oc * n;
    const int32_t bias0 = layer->bias[oc], bias1 = layer->bias[oc + 1];
    const tn_requant r0 = tn_requant_channel(layer, oc), r1 = tn_requant_channel(layer, oc + 1);
    for (j = 0; j < n; j += 4) {
      const uint32_t wa = tn_load32(w0 + j), wb = tn_load32(w0 + n + j);
      widened[j] = tn_sxtb16(wa);
      widened[j + 1] = tn_sxtb16_ror8(wa);
      widened[j + 2] = tn_sxtb16(wb);
      widened[j + 3] = tn_sxtb16_ror8(wb);
    }
    for (p0 = 0; p0 < pixels; p0 += TN_CONV1X1_RUN) {
      const int count = pixels - p0 < TN_CONV1X1_RUN ? pixels - p0 : TN_CONV1X1_RUN;
      const int8_t* x0 = input + (long)p0 * n;
      for (i = 0; i < count; i += 2, x0 += 2 * n) {
        int32_t acc[4]; /* pixel i and i + 1 of channel oc, then of channel oc + 1 */
        acc[0] = acc[1] = bias0;
        acc[2] = acc[3] = bias1;
        tn_mac_2x2_fixed(x0, i + 1 < count ? x0 + n : x0, widened, n, offset2, acc);
        sums[0][i] = acc[0];
        sums[0][i + 1] = acc[1];
        sums[1][i] = acc[2];
        sums[1][i + 1] = acc[3];
      }
      tn_requant_run(sums[0], count, &r0, output + (long)p0 * out_c + oc, out_c);
      tn_requant_run(sums[1], count, &r1, output + (long)p0 * out_c + oc + 1, out_c);
    }
  }
}

#define TN_CONV1X1_FIXED(N)                                                                      \
  static void tn_conv1x1_c##N(const int8_t* input, int pixels, int out_c, const tn_layer* layer, \
                              int8_t* output) {                                                  \
    tn_conv1x1_fixed(input, N, pixels, out_c, layer, output);                                    \
  }
TN_CONV1X1_FIXED(8)
TN_CONV1X1_FIXED(16)
TN_CONV1X1_FIXED(24)

void tn_conv1x1_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                   int out_c, int stride, const tn_layer* layer, int8_t* output) {
  const int pixels = out_h * out_w;
  (void)in_h;
  if (stride == 1 && (out_c & 1) == 0) {
    switch (in_c) {
      case 8:
        tn_conv1x1_c8(input, pixels, out_c, layer, output);
        return;
      case 16:
        tn_conv1x1_c16(input, pixels, out_c, layer, output);
        return;
      case 24:
        tn_conv1x1_c24(input, pixels, out_c, layer, output);
        return;
      default:
        break;
    }
  }
  tn_conv1x1_any(input, in_w, in_c, out_h, out_w, out_c, stride, layer, output);
}
#else
typedef int tn_conv1x1_arm_not_selected; /* ref/tn_conv1x1.c is compiled instead */
#endif
