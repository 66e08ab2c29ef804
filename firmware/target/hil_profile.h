/* Per-layer timing of one inference: the result block behind `tinynas verify --profile`, kept
 * free of semihosting so a board-side harness can reuse it and read it from RAM as it is.
 *
 * A generated model compiled with TINYNAS_PROFILE calls tinynas_layer_done(i) after layer i
 * (model.h); this file defines that hook: it stamps hil_timer_now() into hil_profile.done[i].
 * On QEMU (-icount shift=0) a tick is 40 instructions; on a board the timer would be a cycle
 * counter. Without TINYNAS_PROFILE this file compiles to nothing and the model calls nothing.
 *
 *   hil_profile_begin();
 *   uint64_t t0 = hil_timer_now();
 *   tinynas_invoke();
 *   hil_profile_end(t0, hil_timer_now());
 *   if (hil_profile.marks == hil_profile.layers) ... hil_profile_layer_ticks(i) ...
 */
#ifndef TINYNAS_HIL_PROFILE_H
#define TINYNAS_HIL_PROFILE_H

#ifdef TINYNAS_PROFILE

#include <stdint.h>

#include "model.h"

#ifndef TINYNAS_LAYERS
#error "TINYNAS_PROFILE needs a model.h with TINYNAS_LAYERS (re-export the model)"
#endif

/* "TNPF": the block is initialised (a debugger reading RAM can check it). */
#define HIL_PROFILE_MAGIC 0x46504E54u
/* Marker calls the harness times in a row to measure what one marker costs. */
#define HIL_PROFILE_CALIBRATION_CALLS 1024u

typedef struct {
  uint32_t magic;                /* HIL_PROFILE_MAGIC after hil_profile_begin() */
  uint32_t layers;               /* TINYNAS_LAYERS */
  uint32_t marks;                /* tinynas_layer_done() calls since hil_profile_begin() */
  uint32_t padding;              /* the 64-bit stamps start at byte 16 */
  uint64_t start;                /* timer just before tinynas_invoke() */
  uint64_t end;                  /* timer just after it returned */
  uint64_t done[TINYNAS_LAYERS]; /* timer when layer i had finished */
} HilProfile;

extern HilProfile hil_profile;

/* Resets the block for the next inference. */
void hil_profile_begin(void);
/* Records the timer values taken around tinynas_invoke(). */
void hil_profile_end(uint64_t start, uint64_t end);
/* Ticks of layer i: from the end of layer i - 1 (or the start) to its own end. Each includes one
 * marker call. */
uint64_t hil_profile_layer_ticks(uint32_t layer);

#endif /* TINYNAS_PROFILE */

#endif /* TINYNAS_HIL_PROFILE_H */
