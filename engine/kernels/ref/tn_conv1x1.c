/* Pointwise int8 convolution, portable reference; see tn_conv1x1.h. */
#include "tn_conv1x1.h"

#if !defined(TN_USE_DSP)

void tn_conv1x1_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                   int out_c, int stride, const tn_layer* layer, int8_t* output) {
  const int32_t offset = layer->input_offset;
  int oy, ox, oc, j;
  (void)in_h;
  for (oy = 0; oy < out_h; ++oy) {
    for (ox = 0; ox < out_w; ++ox) {
      const int8_t* px = input + ((long)oy * stride * in_w + (long)ox * stride) * in_c;
      int8_t* out = output + ((long)oy * out_w + ox) * out_c;
      for (oc = 0; oc < out_c; ++oc) {
        const int8_t* w = layer->weights + (long)oc * in_c;
        int32_t acc = layer->bias[oc];
        for (j = 0; j < in_c; ++j) acc += (int32_t)w[j] * ((int32_t)px[j] + offset);
        out[oc] = tn_output(acc, layer, oc);
      }
    }
  }
}
#else
typedef int tn_conv1x1_ref_not_selected; /* arm/tn_conv1x1_arm.c is compiled instead */
#endif
