/* Pointwise int8 convolution for ARMv7E-M; see tn_conv1x1.h. Bit-exact with ref/tn_conv1x1.c.
 *
 * Two output pixels x two output channels per inner loop: each step loads four inputs of each
 * pixel and widens them to int16 pairs with the offset added (SXTAB16, even and odd bytes), loads
 * four weights of each channel and widens them (SXTB16), then eight SMLADs give 16 MACs, so every
 * widened input serves two channels and every widened weight two pixels. The odd bytes come from
 * the rotating forms of SXTB16 / SXTAB16 (tn_sxtb16_ror8), so the natural OHWI weights need no
 * re-layout and the loop no rotates. An odd pixel or channel count computes the last one twice
 * and stores it once (cheaper in code than tail loops).
 */
#include "tn_conv1x1.h"
#include "tn_dsp.h"

#if defined(TN_USE_DSP)

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

void tn_conv1x1_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                   int out_c, int stride, const tn_layer* layer, int8_t* output) {
  const int32_t offset = layer->input_offset;
  /* The input offset in both 16-bit halves, for SXTAB16. */
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFF) | ((uint32_t)offset << 16);
  const int pixels = out_h * out_w;
  const int in_c4 = in_c & ~3;
  int p, oc, j;
  (void)in_h;
  for (oc = 0; oc < out_c; oc += 2) {
    const int oc1 = oc + 1 < out_c ? oc + 1 : oc;
    const int8_t* const w0_start = layer->weights + (long)oc * in_c;
    const int8_t* const w1_start = layer->weights + (long)oc1 * in_c;
    const int32_t bias0 = layer->bias[oc], bias1 = layer->bias[oc1];
    const tn_requant r0 = tn_requant_channel(layer, oc), r1 = tn_requant_channel(layer, oc1);
    for (p = 0; p < pixels; p += 2) {
      const int p1 = p + 1 < pixels ? p + 1 : p;
      const int8_t* x0 = tn_pixel(input, in_w, in_c, out_w, stride, p);
      const int8_t* x1 = tn_pixel(input, in_w, in_c, out_w, stride, p1);
      const int8_t* w0 = w0_start;
      const int8_t* w1 = w1_start;
      const int8_t* const w0_end = w0 + in_c4;
      const int8_t* xa = x0;
      const int8_t* xb = x1;
      int32_t a00 = bias0, a10 = bias0; /* pixel 0 and 1 of channel oc */
      int32_t a01 = bias1, a11 = bias1;
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
      for (j = in_c4; j < in_c; ++j, ++w0, ++w1) {
        const int32_t xa1 = (int32_t)x0[j] + offset, xb1 = (int32_t)x1[j] + offset;
        a00 += (int32_t)*w0 * xa1;
        a10 += (int32_t)*w0 * xb1;
        a01 += (int32_t)*w1 * xa1;
        a11 += (int32_t)*w1 * xb1;
      }
      {
        int8_t* out0 = output + (long)p * out_c;
        int8_t* out1 = output + (long)p1 * out_c;
        out0[oc] = tn_output_with(a00, &r0);
        out1[oc] = tn_output_with(a10, &r0);
        out0[oc1] = tn_output_with(a01, &r1);
        out1[oc1] = tn_output_with(a11, &r1);
      }
    }
  }
}
#else
typedef int tn_conv1x1_arm_not_selected; /* ref/tn_conv1x1.c is compiled instead */
#endif
