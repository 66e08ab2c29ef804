/* Global average pooling HxWxC -> C, as TFLite's int8 AVERAGE_POOL_2D: the output keeps the
 * input's scale and zero point; per channel the raw int8 values are summed and divided by H*W,
 * rounding half away from zero, then clamped.
 *
 *   tn_global_avgpool_s8(A + 0, 3, 3, 320, -128, 127, A + 2880);
 */
#ifndef TN_AVGPOOL_H
#define TN_AVGPOOL_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void tn_global_avgpool_s8(const int8_t* input, int h, int w, int channels, int32_t act_min,
                          int32_t act_max, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TN_AVGPOOL_H */
