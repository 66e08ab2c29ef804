#include "hil_profile.h"

#ifdef TINYNAS_PROFILE

#include "hil_timer.h"

HilProfile hil_profile;

void tinynas_layer_done(int layer) {
  /* Stamp first: what follows is the next layer's share of the marker. */
  uint64_t now = hil_timer_now();
  if ((uint32_t)layer < (uint32_t)TINYNAS_LAYERS) hil_profile.done[layer] = now;
  hil_profile.marks = hil_profile.marks + 1u;
}

void hil_profile_begin(void) {
  hil_profile.magic = HIL_PROFILE_MAGIC;
  hil_profile.layers = (uint32_t)TINYNAS_LAYERS;
  hil_profile.marks = 0u;
  hil_profile.start = 0u;
  hil_profile.end = 0u;
}

void hil_profile_end(uint64_t start, uint64_t end) {
  hil_profile.start = start;
  hil_profile.end = end;
}

uint64_t hil_profile_layer_ticks(uint32_t layer) {
  uint64_t from = layer == 0u ? hil_profile.start : hil_profile.done[layer - 1u];
  return hil_profile.done[layer] - from;
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int hil_profile_compiled_out;

#endif /* TINYNAS_PROFILE */
