/* Residual add of two int8 tensors exactly as TFLite's int8 ADD: both operands (offset by their
 * zero points) are shifted left by left_shift (20), rescaled to a common scale by their Q31
 * multipliers, summed, rescaled to the output, offset and clamped. The output may be the same
 * buffer as either input (the scheduler writes over the body operand when it dies here).
 *
 *   tn_add_s8(A + 0, A + 4608, A + 4608, 4608, &b2_add);
 */
#ifndef TN_ADD_H
#define TN_ADD_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t left_shift;
  int32_t input1_offset, input2_offset, output_offset;
  int32_t input1_multiplier, input1_shift;
  int32_t input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
} tn_add_params;

void tn_add_s8(const int8_t* input1, const int8_t* input2, int8_t* output, long count,
               const tn_add_params* params);

#ifdef __cplusplus
}
#endif

#endif /* TN_ADD_H */
