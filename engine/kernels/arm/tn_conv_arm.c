/* Regular int8 convolution through im2col for ARMv7E-M (SMLAD on int16 column pairs); see
 * tn_conv.h. Bit-exact with ref/tn_conv.c. */
#include "tn_conv.h"
#include "tn_dsp.h"

#if defined(TN_USE_DSP)

/* Position of column element j in the buffer: (0, 2, 1, 3) per group of four
 * (the tail past the last full group stays in natural order), so that one SXTB16 of four weights
 * lines up with one 32-bit load of the column. */
static int tn_col_slot(int j, int len) {
  if (j < (len & ~3)) {
    const int r = j & 3;
    return (j & ~3) + (r == 0 ? 0 : r == 1 ? 2 : r == 2 ? 1 : 3);
  }
  return j;
}

/* Fills one column (int16, byte pointer col) with the receptive field of output pixel (oy, ox). */
static void tn_fill_column(const int8_t* input, int in_h, int in_w, int in_c, int kernel,
                           int stride, int oy, int ox, int32_t input_offset, int8_t* col) {
  const int pad = kernel / 2;
  const int len = kernel * kernel * in_c;
  int j = 0;
  int ky, kx, c;
  for (ky = 0; ky < kernel; ++ky) {
    const int iy = oy * stride - pad + ky;
    for (kx = 0; kx < kernel; ++kx) {
      const int ix = ox * stride - pad + kx;
      if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
        for (c = 0; c < in_c; ++c, ++j) tn_store16(col + 2 * tn_col_slot(j, len), 0);
      } else {
        const int8_t* px = input + ((long)iy * in_w + ix) * in_c;
        for (c = 0; c < in_c; ++c, ++j)
          tn_store16(col + 2 * tn_col_slot(j, len), (int16_t)(px[c] + input_offset));
      }
    }
  }
}

/* Dot product of len int8 weights with an int16 column. */
static int32_t tn_dot(const int8_t* w, const int8_t* col, int len, int32_t acc) {
  int j = 0;
  for (; j + 4 <= len; j += 4) {
    const uint32_t w4 = tn_load32(w + j);
    const uint32_t w02 = tn_sxtb16(w4);
    const uint32_t w13 = tn_sxtb16_ror8(w4);
    acc = tn_smlad(w02, tn_load32(col + 2 * j), acc);
    acc = tn_smlad(w13, tn_load32(col + 2 * j + 4), acc);
  }
  for (; j < len; ++j) acc += (int32_t)w[j] * tn_load16(col + 2 * j);
  return acc;
}

void tn_conv2d_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                  int out_c, int kernel, int stride, const tn_layer* layer, int8_t* output,
                  int8_t* im2col) {
  const int len = kernel * kernel * in_c;
  int8_t* col0 = im2col;
  int8_t* col1 = im2col + 2 * len;
  const int pixels = out_h * out_w;
  int p, oc;
  for (p = 0; p + 2 <= pixels; p += 2) {
    int8_t* out0 = output + (long)p * out_c;
    int8_t* out1 = out0 + out_c;
    tn_fill_column(input, in_h, in_w, in_c, kernel, stride, p / out_w, p % out_w,
                   layer->input_offset, col0);
    tn_fill_column(input, in_h, in_w, in_c, kernel, stride, (p + 1) / out_w, (p + 1) % out_w,
                   layer->input_offset, col1);
    for (oc = 0; oc < out_c; ++oc) {
      const int8_t* w = layer->weights + (long)oc * len;
      const tn_requant r = tn_requant_channel(layer, oc);
      out0[oc] = tn_output_with(tn_dot(w, col0, len, layer->bias[oc]), &r);
      out1[oc] = tn_output_with(tn_dot(w, col1, len, layer->bias[oc]), &r);
    }
  }
  if (p < pixels) { /* an odd pixel count leaves one */
    int8_t* out0 = output + (long)p * out_c;
    tn_fill_column(input, in_h, in_w, in_c, kernel, stride, p / out_w, p % out_w,
                   layer->input_offset, col0);
    for (oc = 0; oc < out_c; ++oc)
      out0[oc] =
          tn_output(tn_dot(layer->weights + (long)oc * len, col0, len, layer->bias[oc]), layer, oc);
  }
}
#else
typedef int tn_conv_arm_not_selected; /* ref/tn_conv.c is compiled instead */
#endif
