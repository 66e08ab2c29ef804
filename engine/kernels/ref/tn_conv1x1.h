/* Pointwise (1x1) int8 convolution, the fast path: no im2col and no scratch, each output pixel a
 * matrix-vector product of the OHWI weights [out_c][in_c] with the pixel's in_c inputs. Any
 * stride (padding is 0 for a 1x1 kernel).
 *
 *   tn_conv1x1_s8(in, 12, 12, 16, 12, 12, 48, 1, &b1_expand, out);
 *
 * On ARMv7E-M (TN_USE_DSP) arm/tn_conv1x1_arm.c computes two output pixels x two output
 * channels at a time: four inputs of each pixel sign-extended with the input offset added
 * (SXTAB16), four weights of each channel (SXTB16), eight SMLADs; the same integer sums.
 */
#ifndef TN_CONV1X1_H
#define TN_CONV1X1_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void tn_conv1x1_s8(const int8_t* input, int in_h, int in_w, int in_c, int out_h, int out_w,
                   int out_c, int stride, const tn_layer* layer, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TN_CONV1X1_H */
