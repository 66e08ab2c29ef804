#include "add_bias.h"

void fixture_add_bias(const int8_t* in, int8_t* out, int32_t count, int32_t channels,
                      const int8_t* bias, int32_t offset) {
  int32_t c = 0;
  for (int32_t i = 0; i < count; ++i) {
    int32_t v = (int32_t)in[i] + offset + (int32_t)bias[c];
    if (v > 127) v = 127;
    if (v < -128) v = -128;
    out[i] = (int8_t)v;
    if (++c == channels) c = 0;
  }
}
