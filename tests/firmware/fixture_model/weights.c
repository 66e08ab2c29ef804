/* Test fixture weights: one int8 bias per channel, const so it stays in Flash. */
#include <stdint.h>

const int8_t fixture_bias[3] = {0, 5, -7};
