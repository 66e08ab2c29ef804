/* Residual add; see tn_add.h. */
#include "tn_add.h"

void tn_add_s8(const int8_t* input1, const int8_t* input2, int8_t* output, long count,
               const tn_add_params* p) {
  long i;
  for (i = 0; i < count; ++i) {
    const int32_t a = (p->input1_offset + input1[i]) * (1 << p->left_shift);
    const int32_t b = (p->input2_offset + input2[i]) * (1 << p->left_shift);
    const int32_t sa = tn_requantize(a, p->input1_multiplier, p->input1_shift);
    const int32_t sb = tn_requantize(b, p->input2_multiplier, p->input2_shift);
    int32_t v = tn_requantize(sa + sb, p->output_multiplier, p->output_shift) + p->output_offset;
    if (v < p->act_min) v = p->act_min;
    if (v > p->act_max) v = p->act_max;
    output[i] = (int8_t)v;
  }
}
