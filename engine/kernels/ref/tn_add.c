/* Residual add; see tn_add.h. */
#include "tn_add.h"

void tn_add_s8(const int8_t* input1, const int8_t* input2, int8_t* output, long count,
               const tn_add_params* p) {
  /* The three requantisations prepared once for the whole tensor (tn_common.h). */
  const tn_requant r1 = tn_requant_prepare(p->input1_multiplier, p->input1_shift);
  const tn_requant r2 = tn_requant_prepare(p->input2_multiplier, p->input2_shift);
  const tn_requant ro = tn_requant_prepare(p->output_multiplier, p->output_shift);
  const int32_t offset1 = p->input1_offset, offset2 = p->input2_offset;
  const int32_t output_offset = p->output_offset, act_min = p->act_min, act_max = p->act_max;
  const int32_t scale = 1 << p->left_shift;
  long i;
  for (i = 0; i < count; ++i) {
    const int32_t a = (offset1 + input1[i]) * scale;
    const int32_t b = (offset2 + input2[i]) * scale;
    const int32_t sa = tn_requant_apply(a, &r1);
    const int32_t sb = tn_requant_apply(b, &r2);
    int32_t v = tn_requant_apply(sa + sb, &ro) + output_offset;
    if (v < act_min) v = act_min;
    if (v > act_max) v = act_max;
    output[i] = (int8_t)v;
  }
}
