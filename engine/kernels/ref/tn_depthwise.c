/* Depthwise int8 convolution, not in place; see tn_depthwise.h. */
#include "tn_depthwise.h"

void tn_depthwise_s8(const int8_t* input, int in_h, int in_w, int channels, int out_h, int out_w,
                     int kernel, int stride, const tn_layer* layer, int8_t* output) {
  const int pad = kernel / 2;
  int oy, ox, c, ky, kx;
  for (oy = 0; oy < out_h; ++oy) {
    for (ox = 0; ox < out_w; ++ox) {
      int8_t* out = output + ((long)oy * out_w + ox) * channels;
      for (c = 0; c < channels; ++c) {
        const int8_t* w = layer->weights + (long)c * kernel * kernel;
        int32_t acc = layer->bias[c];
        for (ky = 0; ky < kernel; ++ky) {
          const int iy = oy * stride - pad + ky;
          if (iy < 0 || iy >= in_h) continue;
          for (kx = 0; kx < kernel; ++kx) {
            const int ix = ox * stride - pad + kx;
            if (ix < 0 || ix >= in_w) continue;
            acc += (int32_t)w[ky * kernel + kx] *
                   ((int32_t)input[((long)iy * in_w + ix) * channels + c] + layer->input_offset);
          }
        }
        out[c] = tn_output(acc, layer, c);
      }
    }
  }
}
