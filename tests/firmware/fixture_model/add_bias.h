/* Test fixture kernel: out[i] = saturate_int8(in[i] + offset + bias[i % channels]). */
#ifndef FIXTURE_ADD_BIAS_H
#define FIXTURE_ADD_BIAS_H

#include <stdint.h>

void fixture_add_bias(const int8_t* in, int8_t* out, int32_t count, int32_t channels,
                      const int8_t* bias, int32_t offset);

#endif /* FIXTURE_ADD_BIAS_H */
