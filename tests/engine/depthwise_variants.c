/* Every in-place depthwise specialisation the shipped spaces can use (kernel 3/5/7, stride 1/2),
 * instantiated from the one template in tn_depthwise.h, behind one entry point for the tests. */
#include "depthwise_variants.h"

#include "tn_depthwise.h"

TN_DEFINE_DEPTHWISE_INPLACE(3, 1)
TN_DEFINE_DEPTHWISE_INPLACE(3, 2)
TN_DEFINE_DEPTHWISE_INPLACE(5, 1)
TN_DEFINE_DEPTHWISE_INPLACE(5, 2)
TN_DEFINE_DEPTHWISE_INPLACE(7, 1)
TN_DEFINE_DEPTHWISE_INPLACE(7, 2)

int tn_test_depthwise_inplace(int kernel, int stride, int8_t* buffer, int in_h, int in_w,
                              int channels, int out_h, int out_w, const tn_layer* layer,
                              int8_t* plane) {
#define TN_CASE(K, S)                                                                          \
  if (kernel == K && stride == S) {                                                            \
    tn_depthwise_inplace_k##K##s##S(buffer, in_h, in_w, channels, out_h, out_w, layer, plane); \
    return 1;                                                                                  \
  }
  TN_CASE(3, 1)
  TN_CASE(3, 2)
  TN_CASE(5, 1)
  TN_CASE(5, 2)
  TN_CASE(7, 1)
  TN_CASE(7, 2)
#undef TN_CASE
  return 0;
}
