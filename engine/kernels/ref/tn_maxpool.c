/* Max pooling; see tn_maxpool.h. */
#include "tn_maxpool.h"

void tn_maxpool_s8(const int8_t* input, int in_h, int in_w, int channels, int out_h, int out_w,
                   int out_c, int kernel, int stride, int pad, int32_t act_min, int32_t act_max,
                   int8_t* output) {
  int oy, ox, c, ky, kx;
  (void)out_c; /* equal to channels; taken for the uniform (in dims, out dims) signature */
  for (oy = 0; oy < out_h; ++oy) {
    /* The window's rows and columns clipped to the input, so padding is never read. */
    const int y0 = oy * stride - pad;
    const int ky0 = y0 < 0 ? -y0 : 0;
    const int ky1 = y0 + kernel > in_h ? in_h - y0 : kernel;
    for (ox = 0; ox < out_w; ++ox) {
      const int x0 = ox * stride - pad;
      const int kx0 = x0 < 0 ? -x0 : 0;
      const int kx1 = x0 + kernel > in_w ? in_w - x0 : kernel;
      int8_t* out = output + ((long)oy * out_w + ox) * channels;
      for (c = 0; c < channels; ++c) {
        int32_t best = -128;
        for (ky = ky0; ky < ky1; ++ky) {
          const int8_t* row = input + ((long)(y0 + ky) * in_w + x0) * channels + c;
          for (kx = kx0; kx < kx1; ++kx)
            if (row[(long)kx * channels] > best) best = row[(long)kx * channels];
        }
        if (best < act_min) best = act_min;
        if (best > act_max) best = act_max;
        out[c] = (int8_t)best;
      }
    }
  }
}
