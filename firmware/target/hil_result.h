/* The board bench's result block: what `tinynas bench` reads back from the target's RAM. The
 * board harness (board_main.c) keeps it at the start of RAM (section .tinynas_result, placed first
 * by the linker script, so its address is the RAM origin of configs/boards/NAME.json) and a
 * debugger reads it while the core runs (pyOCD savemem, OpenOCD dump_image); on QEMU the harness
 * also writes its bytes to result.bin through semihosting before it exits. Plain C with fixed
 * offsets, included by the firmware (C99) and by the host (C++17, firmware/result_block.cpp).
 *
 * Layout (little endian, offsets in bytes; checked with offsetof on the host):
 *   0 magic  4 version  8 block_bytes  12 state  16 error_code  20 error_value  24 run_id
 *   28 timer_source  32 clock_hz  36 config_flags  40 flash_wait_states  44 runs  48 runs_done
 *   52 layers  56 input_bytes  60 output_bytes  64 arena_bytes  68 output_hash
 *   72 hash_mismatches  76 stack_peak_bytes  80 guard_status  84 guard_offset  88 fault_pc
 *   92 fault_cfsr  96 fault_hfsr  100 marks  104 max_runs  108 reserved
 *   112 ticks_min  120 ticks_median  128 ticks_max  136 timer_overhead_ticks
 *   144 marker_calibration_ticks  152 run_ticks[HIL_RESULT_MAX_RUNS]
 *   152 + 8 * HIL_RESULT_MAX_RUNS: layer_ticks[layers] (the last timed run's layers) */
#ifndef TINYNAS_HIL_RESULT_H
#define TINYNAS_HIL_RESULT_H

#include <stdint.h>

#define HIL_RESULT_MAGIC 0x42524E54u /* "TNRB" */
#define HIL_RESULT_VERSION 1u
/* Timed runs whose ticks are kept one by one (more runs are timed, only min / median / max of the
 * first HIL_RESULT_MAX_RUNS are computed). */
#define HIL_RESULT_MAX_RUNS 32u

/* state: the harness moves RUNNING -> DONE, or to ERROR / FAULT, and then spins for ever. */
#define HIL_STATE_RUNNING 0x4E555231u /* "1RUN" */
#define HIL_STATE_DONE 0x454E4F44u    /* "DONE" */
#define HIL_STATE_ERROR 0x524F5245u   /* "EROR" */
#define HIL_STATE_FAULT 0x544C5546u   /* "FULT" */

/* timer_source */
#define HIL_TIMER_DWT 1u     /* DWT->CYCCNT: core cycles */
#define HIL_TIMER_SYSTICK 2u /* SysTick on the processor clock (QEMU mps2: 25 MHz) */

/* config_flags: what the startup code turned on. */
#define HIL_CONFIG_ICACHE 0x1u
#define HIL_CONFIG_DCACHE 0x2u
#define HIL_CONFIG_ART 0x4u /* STM32F7 ART accelerator / STM32F4 prefetch + I/D cache */
#define HIL_CONFIG_PLL 0x8u /* the clock was raised to clock_hz by the startup code */
#define HIL_CONFIG_DWT_UNLOCKED 0x10u

typedef struct {
  uint32_t magic;
  uint32_t version;
  uint32_t block_bytes; /* header + layer_ticks */
  uint32_t state;
  uint32_t error_code; /* TINYNAS_HIL_EXIT_* (hil_protocol.h) in state ERROR / FAULT */
  uint32_t error_value;
  uint32_t run_id; /* chosen by the host per build: a stale block from an earlier image differs */
  uint32_t timer_source;
  uint32_t clock_hz; /* the core clock the startup code set (the board JSON's clock_hz) */
  uint32_t config_flags;
  uint32_t flash_wait_states;
  uint32_t runs; /* timed runs asked for (one untimed warm-up run comes first) */
  uint32_t runs_done;
  uint32_t layers; /* TINYNAS_LAYERS with TINYNAS_PROFILE, else 0 */
  uint32_t input_bytes;
  uint32_t output_bytes;
  uint32_t arena_bytes;
  uint32_t output_hash;     /* FNV-1a 32 of the first timed run's output */
  uint32_t hash_mismatches; /* timed runs whose output hash differed from the first one's */
  uint32_t stack_peak_bytes;
  uint32_t guard_status; /* 0, TINYNAS_HIL_EXIT_GUARD_BELOW or _ABOVE */
  uint32_t guard_offset;
  uint32_t fault_pc;
  uint32_t fault_cfsr;
  uint32_t fault_hfsr;
  uint32_t marks; /* profiling markers seen in the last run (== layers when complete) */
  uint32_t max_runs;
  uint32_t reserved;
  uint64_t ticks_min;
  uint64_t ticks_median;
  uint64_t ticks_max;
  uint64_t timer_overhead_ticks;
  uint64_t marker_calibration_ticks; /* HIL_PROFILE_CALIBRATION_CALLS markers in a row */
  uint64_t run_ticks[HIL_RESULT_MAX_RUNS];
} HilResultHeader;

#endif /* TINYNAS_HIL_RESULT_H */
