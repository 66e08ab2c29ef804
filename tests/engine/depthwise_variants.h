/* Test entry point to the in-place depthwise specialisations (depthwise_variants.c). */
#ifndef TINYNAS_TESTS_DEPTHWISE_VARIANTS_H
#define TINYNAS_TESTS_DEPTHWISE_VARIANTS_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns 0 when (kernel, stride) has no specialisation. */
int tn_test_depthwise_inplace(int kernel, int stride, int8_t* buffer, int in_h, int in_w,
                              int channels, int out_h, int out_w, const tn_layer* layer,
                              int8_t* plane);

#ifdef __cplusplus
}
#endif

#endif
