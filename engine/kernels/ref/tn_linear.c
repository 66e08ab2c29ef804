/* Fully connected int8 layer; see tn_linear.h. */
#include "tn_linear.h"

#if !defined(TN_USE_DSP)

void tn_linear_s8(const int8_t* input, int in_n, int out_n, const tn_layer* layer, int8_t* output) {
  int o, j;
  for (o = 0; o < out_n; ++o) {
    const int8_t* w = layer->weights + (long)o * in_n;
    int32_t acc = layer->bias[o];
    for (j = 0; j < in_n; ++j) acc += (int32_t)w[j] * ((int32_t)input[j] + layer->input_offset);
    output[o] = tn_output(acc, layer, o);
  }
}
#else
typedef int tn_linear_ref_not_selected; /* arm/tn_linear_arm.c is compiled instead */
#endif
