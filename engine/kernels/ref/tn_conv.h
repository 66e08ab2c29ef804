/* Regular int8 convolution (kernel > 1) through an im2col buffer, TinyEngine / CMSIS-NN style:
 * the receptive fields of two output pixels are widened to int16 (input offset added, padding 0)
 * into two columns of kernel*kernel*in_c values, then every filter is multiplied with both. The
 * column buffer is the scheduler's scratch for this op: 2 * kernel * kernel * in_c int16 (any
 * alignment). Padding kernel / 2 on every side ('same'), any stride.
 *
 *   tn_conv2d_s8(in, 48, 48, 3, 24, 24, 16, 3, 2, &stem, out, scratch);
 *
 * On ARMv7E-M (TN_USE_DSP) arm/tn_conv_arm.c computes two output pixels x two output channels
 * per inner loop (SMLAD), the two columns interleaved in groups of four stored as (0, 2, 1, 3) so
 * that one SXTB16 of four weights lines up with one 32-bit load; sums are the same integers, so
 * both paths are bit-exact.
 */
#ifndef TN_CONV_H
#define TN_CONV_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of im2col scratch tn_conv2d_s8() needs: two columns of kernel * kernel * in_c int16.
 * The tinynas scheduler reserves exactly this in the arena (memory_model/ops/conv2d.cpp). */
static inline int32_t tn_conv2d_s8_scratch_bytes(int kernel, int in_c) {
  return 2 * kernel * kernel * in_c * (int32_t)sizeof(int16_t);
}

void tn_conv2d_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                  int out_c, int kernel, int stride, const tn_layer* layer, int8_t* output,
                  int8_t* im2col);

#ifdef __cplusplus
}
#endif

#endif /* TN_CONV_H */
