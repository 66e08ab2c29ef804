/* Fully connected int8 layer for ARMv7E-M; see tn_linear.h. Bit-exact with ref/tn_linear.c.
 *
 * Two output channels per step: four inputs widened once to int16 pairs with the offset added
 * (SXTAB16, even and odd bytes) serve both channels' four weights (SXTB16), four SMLADs for 8
 * MACs. An odd channel count computes the last channel twice and stores it once.
 */
#include "tn_dsp.h"
#include "tn_linear.h"

#if defined(TN_USE_DSP)

void tn_linear_s8(const int8_t* input, int in_n, int out_n, const tn_layer* layer, int8_t* output) {
  const int32_t offset = layer->input_offset;
  /* The input offset in both 16-bit halves, for SXTAB16. */
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFF) | ((uint32_t)offset << 16);
  const int in_n4 = in_n & ~3;
  int o, j;
  for (o = 0; o < out_n; o += 2) {
    const int o1 = o + 1 < out_n ? o + 1 : o;
    const int8_t* w0 = layer->weights + (long)o * in_n;
    const int8_t* w1 = layer->weights + (long)o1 * in_n;
    const int8_t* const w0_end = w0 + in_n4;
    const int8_t* x = input;
    int32_t a0 = layer->bias[o], a1 = layer->bias[o1];
    while (w0 != w0_end) {
      const uint32_t x4 = tn_load32(x);
      const uint32_t x02 = tn_sxtab16(offset2, x4), x13 = tn_sxtab16_ror8(offset2, x4);
      uint32_t w4 = tn_load32(w0);
      a0 = tn_smlad(tn_sxtb16(w4), x02, a0);
      a0 = tn_smlad(tn_sxtb16_ror8(w4), x13, a0);
      w4 = tn_load32(w1);
      a1 = tn_smlad(tn_sxtb16(w4), x02, a1);
      a1 = tn_smlad(tn_sxtb16_ror8(w4), x13, a1);
      x += 4;
      w0 += 4;
      w1 += 4;
    }
    for (j = in_n4; j < in_n; ++j, ++w0, ++w1) {
      const int32_t x1 = (int32_t)input[j] + offset;
      a0 += (int32_t)*w0 * x1;
      a1 += (int32_t)*w1 * x1;
    }
    output[o] = tn_output(a0, layer, o);
    output[o1] = tn_output(a1, layer, o1);
  }
}
#else
typedef int tn_linear_arm_not_selected; /* ref/tn_linear.c is compiled instead */
#endif
