/* Regular int8 convolution through im2col for ARMv7E-M (SMLAD on int16 columns); see tn_conv.h.
 * Bit-exact with ref/tn_conv.c.
 *
 * Two output pixels x two output channels per inner loop, as in the 1x1 kernel: the receptive
 * fields of two pixels are widened once to int16 (offset added, padding 0) into the im2col
 * buffer, and each step widens four weights of each channel (SXTB16, both byte phases) and loads
 * four values of each pixel, eight SMLADs for 16 MACs. Every widened value serves two channels,
 * every widened weight two pixels.
 *
 * Buffer layout (4 * len bytes, len = kernel * kernel * in_c, column element j = (ky * kernel +
 * kx) * in_c + c): per group of four elements, 16 bytes, pixel 0's four int16 in the order (0, 2,
 * 1, 3), which is what SXTAB16 of four input bytes gives and what SXTB16 of four weights pairs
 * with, then pixel 1's; the len % 4 tail elements after the groups, pixel 0 and 1 alternating. One
 * pointer walks both pixels. With in_c a multiple of 4 every tap is whole groups, so a tap fills
 * with one load and two SXTAB16 per four channels.
 */
#include "tn_conv.h"
#include "tn_dsp.h"

#if defined(TN_USE_DSP)

/* GCC's scheduling before register allocation raises the register pressure of the MAC loop
 * until it spills (as in tn_conv1x1_arm.c): 24 instructions a step with it, 23 without. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-schedule-insns")
#endif

static inline void tn_store32(void* p, uint32_t v) {
  memcpy(p, &v, 4);
}

/* Fills pixel `slot` (0 or 1) of the column pair with the receptive field of output pixel
 * (oy, ox), in_c a multiple of 4. */
static void tn_fill_column4(const int8_t* input, int in_h, int in_w, int in_c, int kernel,
                            int stride, int oy, int ox, uint32_t offset2, int8_t* col, int slot) {
  const int pad = kernel / 2;
  int8_t* dst = col + 8 * slot;
  int ky, kx, c;
  for (ky = 0; ky < kernel; ++ky) {
    const int iy = oy * stride - pad + ky;
    for (kx = 0; kx < kernel; ++kx) {
      const int ix = ox * stride - pad + kx;
      if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
        for (c = 0; c < in_c; c += 4, dst += 16) {
          tn_store32(dst, 0);
          tn_store32(dst + 4, 0);
        }
      } else {
        const int8_t* px = input + ((long)iy * in_w + ix) * in_c;
        for (c = 0; c < in_c; c += 4, dst += 16) {
          const uint32_t x = tn_load32(px + c);
          tn_store32(dst, tn_sxtab16(offset2, x));
          tn_store32(dst + 4, tn_sxtab16_ror8(offset2, x));
        }
      }
    }
  }
}

/* Element v of the column at d (a group's place while in a group, else the tail's), then d moved
 * on: the next element of a group is 2 bytes on, the next group 10 bytes past a group's last. */
static inline int8_t* tn_put(int8_t* d, int j, int grouped, int8_t* col, int slot, int16_t v) {
  if (j < grouped) {
    tn_store16(d, v);
    return d + ((j & 3) == 3 ? 10 : 2);
  }
  tn_store16(col + 4 * j + 2 * slot, v);
  return d;
}

/* The same for any in_c (the stem's 3 channels): each group's four values are written in natural
 * order, then its middle two are swapped in one pass over the groups. */
static void tn_fill_column(const int8_t* input, int in_h, int in_w, int in_c, int kernel,
                           int stride, int oy, int ox, int32_t input_offset, int8_t* col,
                           int slot) {
  const int pad = kernel / 2;
  const int grouped = (kernel * kernel * in_c) & ~3;
  int8_t* d = col + 8 * slot;
  int j = 0;
  int ky, kx, c;
  for (ky = 0; ky < kernel; ++ky) {
    const int iy = oy * stride - pad + ky;
    for (kx = 0; kx < kernel; ++kx) {
      const int ix = ox * stride - pad + kx;
      if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
        for (c = 0; c < in_c; ++c, ++j) d = tn_put(d, j, grouped, col, slot, 0);
      } else {
        const int8_t* px = input + ((long)iy * in_w + ix) * in_c;
        for (c = 0; c < in_c; ++c, ++j)
          d = tn_put(d, j, grouped, col, slot, (int16_t)(px[c] + input_offset));
      }
    }
  }
  for (d = col + 8 * slot, j = 0; j < grouped; j += 4, d += 16) {
    const uint32_t v01 = tn_load32(d), v23 = tn_load32(d + 4);
    tn_store32(d, (v01 & 0xFFFFu) | (v23 << 16));
    tn_store32(d + 4, (v01 >> 16) | (v23 & 0xFFFF0000u));
  }
}

/* Output channels of the pixel pair in col: out0 and out1 (out1 null for a lone last pixel). */
static void tn_conv_pixel_pair(const int8_t* col, int len, int out_c, const tn_layer* layer,
                               int8_t* out0, int8_t* out1) {
  const int8_t* const groups_end = col + 4 * (len & ~3);
  const int tail = len & 3;
  int oc, t;
  for (oc = 0; oc < out_c; oc += 2) {
    const int oc1 = oc + 1 < out_c ? oc + 1 : oc;
    const int8_t* w0 = layer->weights + (long)oc * len;
    const long w1_at = (long)(oc1 - oc) * len; /* channel oc1's weights from w0 */
    const int8_t* c = col;
    int32_t a00 = layer->bias[oc], a01 = a00; /* channel oc, pixel 0 and 1 */
    int32_t a10 = layer->bias[oc1], a11 = a10;
    while (c != groups_end) {
      uint32_t w = tn_load32(w0);
      const uint32_t wa02 = tn_sxtb16(w), wa13 = tn_sxtb16_ror8(w);
      uint32_t x02, x13;
      w = tn_load32(w0 + w1_at);
      {
        const uint32_t wb02 = tn_sxtb16(w), wb13 = tn_sxtb16_ror8(w);
        x02 = tn_load32(c);
        x13 = tn_load32(c + 4);
        a00 = tn_smlad(wa02, x02, a00);
        a00 = tn_smlad(wa13, x13, a00);
        a10 = tn_smlad(wb02, x02, a10);
        a10 = tn_smlad(wb13, x13, a10);
        x02 = tn_load32(c + 8);
        x13 = tn_load32(c + 12);
        a01 = tn_smlad(wa02, x02, a01);
        a01 = tn_smlad(wa13, x13, a01);
        a11 = tn_smlad(wb02, x02, a11);
        a11 = tn_smlad(wb13, x13, a11);
      }
      c += 16;
      w0 += 4;
    }
    for (t = 0; t < tail; ++t, c += 4, ++w0) {
      const int32_t x0 = tn_load16(c), x1 = tn_load16(c + 2);
      a00 += (int32_t)*w0 * x0;
      a01 += (int32_t)*w0 * x1;
      a10 += (int32_t)w0[w1_at] * x0;
      a11 += (int32_t)w0[w1_at] * x1;
    }
    {
      const tn_requant r0 = tn_requant_channel(layer, oc), r1 = tn_requant_channel(layer, oc1);
      out0[oc] = tn_output_with(a00, &r0);
      out0[oc1] = tn_output_with(a10, &r1);
      if (out1) {
        out1[oc] = tn_output_with(a01, &r0);
        out1[oc1] = tn_output_with(a11, &r1);
      }
    }
  }
}

void tn_conv2d_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                  int out_c, int kernel, int stride, const tn_layer* layer, int8_t* output,
                  int8_t* im2col) {
  const int len = kernel * kernel * in_c;
  const int32_t offset = layer->input_offset;
  /* The input offset in both 16-bit halves, for SXTAB16. */
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFF) | ((uint32_t)offset << 16);
  const int pixels = out_h * out_w;
  int p, slot;
  (void)out_h;
  for (p = 0; p < pixels; p += 2) {
    /* A lone last pixel fills both slots and stores one output. */
    const int last = p + 1 < pixels ? p + 1 : p;
    for (slot = 0; slot < 2; ++slot) {
      const int q = slot ? last : p;
      const int oy = q / out_w, ox = q - (q / out_w) * out_w;
      if ((in_c & 3) == 0)
        tn_fill_column4(input, in_h, in_w, in_c, kernel, stride, oy, ox, offset2, im2col, slot);
      else
        tn_fill_column(input, in_h, in_w, in_c, kernel, stride, oy, ox, offset, im2col, slot);
    }
    tn_conv_pixel_pair(im2col, len, out_c, layer, output + (long)p * out_c,
                       last != p ? output + (long)last * out_c : 0);
  }
}
#else
typedef int tn_conv_arm_not_selected; /* ref/tn_conv.c is compiled instead */
#endif
