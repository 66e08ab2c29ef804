/* Regular int8 convolution, portable reference; see tn_conv.h. A direct convolution (the im2col
 * buffer is the arm/ kernel's; this one does not need it): every integer sum equals the DSP
 * kernel's, so both are bit-exact with each other and with the C++ reference interpreter. */
#include "tn_conv.h"

#if !defined(TN_USE_DSP)
void tn_conv2d_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                  int out_c, int kernel, int stride, const tn_layer* layer, int8_t* output,
                  int8_t* im2col) {
  const int pad = kernel / 2;
  int oy, ox, oc, ky, kx, c;
  (void)im2col;
  for (oy = 0; oy < out_h; ++oy) {
    for (ox = 0; ox < out_w; ++ox) {
      int8_t* out = output + ((long)oy * out_w + ox) * out_c;
      for (oc = 0; oc < out_c; ++oc) {
        const int8_t* w = layer->weights + (long)oc * kernel * kernel * in_c;
        int32_t acc = layer->bias[oc];
        for (ky = 0; ky < kernel; ++ky) {
          const int iy = oy * stride - pad + ky;
          for (kx = 0; kx < kernel; ++kx, w += in_c) {
            const int ix = ox * stride - pad + kx;
            const int8_t* px;
            if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) continue; /* padding: real 0 */
            px = input + ((long)iy * in_w + ix) * in_c;
            for (c = 0; c < in_c; ++c)
              acc += (int32_t)w[c] * ((int32_t)px[c] + layer->input_offset);
          }
        }
        out[oc] = tn_output(acc, layer, oc);
      }
    }
  }
}
#else
typedef int tn_conv_ref_not_selected; /* arm/tn_conv_arm.c is compiled instead */
#endif
