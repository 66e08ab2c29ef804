/* The board bench harness: runs the model (model.h) on one input linked into Flash
 * (hil_bench_input.c, written by the host), one untimed warm-up run and then HIL_BENCH_RUNS timed
 * ones, and keeps everything in the result block (hil_result.h) at the start of RAM, which the
 * host reads through the debug probe while the core spins. Timer: DWT->CYCCNT (core cycles), or
 * SysTick when the DWT reads zero (QEMU). Guards around the arena are checked after every run, the
 * free RAM is painted for the stack's high-water mark, the output is hashed (FNV-1a) every run.
 * Built with TINYNAS_PROFILE the model's per-layer markers (hil_profile.c, the same ones
 * `tinynas verify --profile` uses) give the last run's cycles per layer.
 *
 * With HIL_QEMU_EXIT (QEMU only, never on a board) the harness also writes the block's bytes to
 * result.bin through semihosting and exits, so QEMU ends on its own.
 *
 * Set by the host (-D): HIL_BENCH_RUNS, HIL_RUN_ID, HIL_CLOCK_HZ, HIL_FLASH_WAIT_STATES,
 * HIL_DWT_UNLOCK; the board's clock family for hil_board.h. */
#include <stdint.h>

#include "hil_board.h"
#include "hil_guard.h"
#include "hil_profile.h"
#include "hil_protocol.h"
#include "hil_result.h"
#include "hil_timer.h"
#include "model.h"
#ifdef HIL_QEMU_EXIT
#include "hil_semihost.h"
#endif

#ifndef HIL_TIMER_TRY_DWT
#error "the board harness needs -DHIL_TIMER_TRY_DWT (hil_timer.c's DWT with SysTick fallback)"
#endif
#ifndef HIL_BENCH_RUNS
#define HIL_BENCH_RUNS 10
#endif
#if HIL_BENCH_RUNS < 1
#error "HIL_BENCH_RUNS must be at least 1"
#endif
#ifndef HIL_RUN_ID
#define HIL_RUN_ID 0
#endif
#ifndef HIL_CLOCK_HZ
#define HIL_CLOCK_HZ 0
#endif
#ifndef HIL_FLASH_WAIT_STATES
#define HIL_FLASH_WAIT_STATES 0
#endif
#ifndef HIL_DWT_UNLOCK
#define HIL_DWT_UNLOCK 0
#endif

#ifdef TINYNAS_PROFILE
#define HIL_LAYER_SLOTS TINYNAS_LAYERS
#else
#define HIL_LAYER_SLOTS 1
#endif

typedef struct {
  HilResultHeader header;
  uint64_t layer_ticks[HIL_LAYER_SLOTS];
} HilResultBlock;

/* The block the host reads: first in RAM (tinynas_fw.ld), so at the board's RAM origin. */
__attribute__((section(".tinynas_result"), used, aligned(8))) volatile HilResultBlock hil_result;

extern const int8_t hil_bench_input[TINYNAS_INPUT_BYTES];
extern uint32_t hil_board_config_flags;

static void publish(void) {
  hil_board_publish(&hil_result, (uint32_t)sizeof(hil_result));
}

#ifdef HIL_QEMU_EXIT
static void qemu_finish(int code) __attribute__((noreturn));
static void qemu_finish(int code) {
  int fd = hil_sh_open("result.bin", HIL_SH_MODE_WRITE);
  if (fd >= 0) {
    (void)hil_sh_write(fd, (const void*)&hil_result, (uint32_t)sizeof(hil_result));
    hil_sh_close(fd);
  }
  hil_sh_exit(code);
}
#endif

static void finish(uint32_t state, uint32_t code, uint32_t value) __attribute__((noreturn));
static void finish(uint32_t state, uint32_t code, uint32_t value) {
  hil_result.header.error_code = code;
  hil_result.header.error_value = value;
  hil_result.header.state = state;
  publish();
#ifdef HIL_QEMU_EXIT
  qemu_finish(state == HIL_STATE_DONE ? 0 : (int)code);
#else
  for (;;) {
  }
#endif
}

#define SCB_CFSR (*(volatile uint32_t*)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t*)0xE000ED2Cu)

void hil_board_fault(uint32_t code, const uint32_t* frame) __attribute__((noreturn, used));
void hil_board_fault(uint32_t code, const uint32_t* frame) {
  hil_result.header.fault_pc = frame[6];
  hil_result.header.fault_cfsr = SCB_CFSR;
  hil_result.header.fault_hfsr = SCB_HFSR;
  finish(HIL_STATE_FAULT, code, frame[6]);
}

static uint32_t fnv1a(const int8_t* bytes, uint32_t count) {
  uint32_t hash = 2166136261u;
  uint32_t i;
  for (i = 0u; i < count; ++i) {
    hash ^= (uint32_t)(uint8_t)bytes[i];
    hash *= 16777619u;
  }
  return hash;
}

static void copy_input(void) {
  int8_t* dst = tinynas_input();
  uint32_t i;
  for (i = 0u; i < (uint32_t)TINYNAS_INPUT_BYTES; ++i) dst[i] = hil_bench_input[i];
}

#ifdef TINYNAS_PROFILE
static uint64_t marker_calibration(void) {
  uint32_t turn;
  uint64_t t0;
  hil_profile_begin();
  t0 = hil_timer_now();
  for (turn = 0u; turn < HIL_PROFILE_CALIBRATION_CALLS / 4u; ++turn) {
    tinynas_layer_done(0);
    tinynas_layer_done(0);
    tinynas_layer_done(0);
    tinynas_layer_done(0);
  }
  return hil_timer_now() - t0;
}
#endif

/* One run: input copied (not timed), invoke timed, guards checked; returns the status. */
static int run_once(uint64_t* ticks, uint32_t* guard_offset, int* guard) {
  uint64_t t0;
  uint64_t t1;
  int status;
  copy_input();
#ifdef TINYNAS_PROFILE
  hil_profile_begin();
#endif
  t0 = hil_timer_now();
  status = tinynas_invoke();
  t1 = hil_timer_now();
#ifdef TINYNAS_PROFILE
  hil_profile_end(t0, t1);
#endif
  *ticks = t1 - t0;
  *guard = hil_guards_check(guard_offset);
  return status;
}

int main(void) {
  volatile HilResultHeader* h = &hil_result.header;
  uint64_t sorted[HIL_RESULT_MAX_RUNS];
  uint32_t kept;
  uint32_t i;
  uint32_t offset = 0u;
  int guard = 0;
  int overflow = 0;
  uint64_t ticks = 0u;
  uint64_t t0;

  h->state = HIL_STATE_RUNNING;
  h->magic = HIL_RESULT_MAGIC;
  h->version = HIL_RESULT_VERSION;
  h->block_bytes = (uint32_t)sizeof(hil_result);
  h->run_id = (uint32_t)HIL_RUN_ID;
  h->error_code = 0u;
  h->error_value = 0u;
  h->clock_hz = (uint32_t)HIL_CLOCK_HZ;
  h->flash_wait_states = (uint32_t)HIL_FLASH_WAIT_STATES;
  h->runs = (uint32_t)HIL_BENCH_RUNS;
  h->runs_done = 0u;
#ifdef TINYNAS_PROFILE
  h->layers = (uint32_t)TINYNAS_LAYERS;
#else
  h->layers = 0u;
#endif
  h->input_bytes = (uint32_t)TINYNAS_INPUT_BYTES;
  h->output_bytes = (uint32_t)TINYNAS_OUTPUT_BYTES;
  h->arena_bytes = (uint32_t)TINYNAS_ARENA_BYTES;
  h->output_hash = 0u;
  h->hash_mismatches = 0u;
  h->stack_peak_bytes = 0u;
  h->guard_status = 0u;
  h->guard_offset = 0u;
  h->fault_pc = 0u;
  h->fault_cfsr = 0u;
  h->fault_hfsr = 0u;
  h->marks = 0u;
  h->max_runs = HIL_RESULT_MAX_RUNS;
  h->reserved = 0u;
  h->ticks_min = 0u;
  h->ticks_median = 0u;
  h->ticks_max = 0u;
  h->marker_calibration_ticks = 0u;
  for (i = 0u; i < HIL_RESULT_MAX_RUNS; ++i) h->run_ticks[i] = 0u;
  for (i = 0u; i < (uint32_t)HIL_LAYER_SLOTS; ++i) hil_result.layer_ticks[i] = 0u;

  hil_timer_start();
  h->config_flags = hil_board_config_flags;
  if (hil_timer_try_dwt(HIL_DWT_UNLOCK)) {
    h->timer_source = HIL_TIMER_DWT;
    h->config_flags = h->config_flags | (HIL_DWT_UNLOCK ? HIL_CONFIG_DWT_UNLOCKED : 0u);
  } else {
    h->timer_source = HIL_TIMER_SYSTICK;
  }
  publish();
  hil_stack_paint();

  if (hil_arena_section_bytes() != (uint32_t)TINYNAS_ARENA_BYTES)
    finish(HIL_STATE_ERROR, TINYNAS_HIL_EXIT_ARENA_LAYOUT, hil_arena_section_bytes());
  hil_guards_fill();

  t0 = hil_timer_now();
  h->timer_overhead_ticks = hil_timer_now() - t0;
#ifdef TINYNAS_PROFILE
  h->marker_calibration_ticks = marker_calibration();
#endif

  /* Warm-up: caches and branch predictors filled; not timed. */
  {
    int status = run_once(&ticks, &offset, &guard);
    if (guard != 0) {
      h->guard_status = (uint32_t)guard;
      h->guard_offset = offset;
      finish(HIL_STATE_ERROR, (uint32_t)guard, offset);
    }
    if (status != 0) finish(HIL_STATE_ERROR, TINYNAS_HIL_EXIT_INVOKE, (uint32_t)status);
  }

  for (i = 0u; i < (uint32_t)HIL_BENCH_RUNS; ++i) {
    int status = run_once(&ticks, &offset, &guard);
    uint32_t hash;
    if (guard != 0) {
      h->guard_status = (uint32_t)guard;
      h->guard_offset = offset;
      finish(HIL_STATE_ERROR, (uint32_t)guard, offset);
    }
    if (status != 0) finish(HIL_STATE_ERROR, TINYNAS_HIL_EXIT_INVOKE, (uint32_t)status);
#ifdef TINYNAS_PROFILE
    h->marks = hil_profile.marks;
    if (hil_profile.marks != hil_profile.layers)
      finish(HIL_STATE_ERROR, TINYNAS_HIL_EXIT_PROFILE_MARKS, hil_profile.marks);
#endif
    hash = fnv1a(tinynas_output(), (uint32_t)TINYNAS_OUTPUT_BYTES);
    if (i == 0u)
      h->output_hash = hash;
    else if (hash != h->output_hash)
      h->hash_mismatches = h->hash_mismatches + 1u;
    if (i < HIL_RESULT_MAX_RUNS) h->run_ticks[i] = ticks;
    h->runs_done = i + 1u;
    publish();
  }
#ifdef TINYNAS_PROFILE
  for (i = 0u; i < (uint32_t)TINYNAS_LAYERS; ++i)
    hil_result.layer_ticks[i] = hil_profile_layer_ticks(i);
#endif

  /* min / median / max of the kept runs (insertion sort of a copy). */
  kept = (uint32_t)HIL_BENCH_RUNS < HIL_RESULT_MAX_RUNS ? (uint32_t)HIL_BENCH_RUNS
                                                        : HIL_RESULT_MAX_RUNS;
  for (i = 0u; i < kept; ++i) {
    uint64_t value = h->run_ticks[i];
    uint32_t j = i;
    while (j > 0u && sorted[j - 1u] > value) {
      sorted[j] = sorted[j - 1u];
      --j;
    }
    sorted[j] = value;
  }
  h->ticks_min = sorted[0];
  h->ticks_max = sorted[kept - 1u];
  h->ticks_median =
      kept % 2u ? sorted[kept / 2u] : (sorted[kept / 2u - 1u] + sorted[kept / 2u]) / 2u;

  h->stack_peak_bytes = hil_stack_peak_bytes(&overflow);
  if (overflow) finish(HIL_STATE_ERROR, TINYNAS_HIL_EXIT_STACK_OVERFLOW, 0u);
  finish(HIL_STATE_DONE, 0u, 0u);
  return 0;
}
