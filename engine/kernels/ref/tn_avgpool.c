/* Global average pooling; see tn_avgpool.h. */
#include "tn_avgpool.h"

void tn_global_avgpool_s8(const int8_t* input, int h, int w, int channels, int32_t act_min,
                          int32_t act_max, int8_t* output) {
  const int32_t count = (int32_t)h * w;
  int c;
  long p;
  for (c = 0; c < channels; ++c) {
    int32_t sum = 0, avg;
    for (p = 0; p < count; ++p) sum += input[p * channels + c];
    avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    if (avg < act_min) avg = act_min;
    if (avg > act_max) avg = act_max;
    output[c] = (int8_t)avg;
  }
}
