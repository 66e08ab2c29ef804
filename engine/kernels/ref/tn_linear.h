/* Fully connected int8 layer (the classifier): per output channel a dot product of the int8
 * weights [out][in] with the offset inputs, plus the int32 bias, requantised per channel.
 *
 *   tn_linear_s8(A + 2880, 320, 1000, &classifier, A + 0);
 *
 * On ARMv7E-M (TN_USE_DSP) arm/tn_linear_arm.c computes two output channels at a time with
 * SXTAB16 / SXTB16 and SMLAD; the same integer sums.
 */
#ifndef TN_LINEAR_H
#define TN_LINEAR_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void tn_linear_s8(const int8_t* input, int in_n, int out_n, const tn_layer* layer, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TN_LINEAR_H */
