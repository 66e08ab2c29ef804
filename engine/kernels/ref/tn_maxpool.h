/* Max pooling int8 (TFLite's MAX_POOL_2D): kernel x kernel windows, any stride, `pad` positions
 * on every side that never win the max. Output and input share scale and zero point, so the int8
 * max is the max of the real values; the result is clamped to [act_min, act_max]. Not in place.
 *
 *   tn_maxpool_s8(A + 0, 32, 32, 16, 16, 16, 16, 3, 2, 1, -128, 127, A + 16384);
 */
#ifndef TN_MAXPOOL_H
#define TN_MAXPOOL_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void tn_maxpool_s8(const int8_t* input, int in_h, int in_w, int channels, int out_h, int out_w,
                   int out_c, int kernel, int stride, int pad, int32_t act_min, int32_t act_max,
                   int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TN_MAXPOOL_H */
