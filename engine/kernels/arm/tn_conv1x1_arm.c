/* Pointwise int8 convolution for ARMv7E-M (SXTAB16 + SMLAD, four channels a step); see
 * tn_conv1x1.h. Bit-exact with ref/tn_conv1x1.c. */
#include "tn_conv1x1.h"
#include "tn_dsp.h"

#if defined(TN_USE_DSP)

void tn_conv1x1_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                   int out_c, int stride, const tn_layer* layer, int8_t* output) {
  const int32_t offset = layer->input_offset;
  /* The input offset in both 16-bit halves, for SXTAB16. */
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFF) | ((uint32_t)offset << 16);
  int oy, ox, oc, j;
  (void)in_h;
  for (oy = 0; oy < out_h; ++oy) {
    for (ox = 0; ox < out_w; ++ox) {
      const int8_t* px = input + ((long)oy * stride * in_w + (long)ox * stride) * in_c;
      int8_t* out = output + ((long)oy * out_w + ox) * out_c;
      for (oc = 0; oc < out_c; ++oc) {
        const int8_t* w = layer->weights + (long)oc * in_c;
        int32_t acc = layer->bias[oc];
        j = 0;
        for (; j + 4 <= in_c; j += 4) {
          const uint32_t x4 = tn_load32(px + j);
          const uint32_t w4 = tn_load32(w + j);
          acc = tn_smlad(tn_sxtb16(w4), tn_sxtab16(offset2, x4), acc);
          acc = tn_smlad(tn_sxtb16(tn_ror8(w4)), tn_sxtab16(offset2, tn_ror8(x4)), acc);
        }
        for (; j < in_c; ++j) acc += (int32_t)w[j] * ((int32_t)px[j] + offset);
        out[oc] = tn_output(acc, layer, oc);
      }
    }
  }
}
#else
typedef int tn_conv1x1_arm_not_selected; /* ref/tn_conv1x1.c is compiled instead */
#endif
