#include "model.h"

#include "add_bias.h"

#ifndef TINYNAS_ARENA_ATTRIBUTES
#define TINYNAS_ARENA_ATTRIBUTES __attribute__((aligned(8)))
#endif

int8_t tinynas_arena[TINYNAS_ARENA_BYTES] TINYNAS_ARENA_ATTRIBUTES;

extern const int8_t fixture_bias[3];

#define INPUT_OFFSET 0
#define OUTPUT_OFFSET TINYNAS_INPUT_BYTES

int8_t* tinynas_input(void) {
  return &tinynas_arena[INPUT_OFFSET];
}

const int8_t* tinynas_output(void) {
  return &tinynas_arena[OUTPUT_OFFSET];
}

int tinynas_invoke(void) {
#if defined(FIXTURE_INVOKE_FAILS)
  static int calls = 0;
  if (++calls == 2) return 7;
#endif
#if defined(FIXTURE_HANG)
  for (;;) {
    __asm__ volatile("" ::: "memory");
  }
#endif
#if defined(FIXTURE_FAULT)
  (void)*(volatile int32_t*)0x90000000u;
#endif
  fixture_add_bias(&tinynas_arena[INPUT_OFFSET], &tinynas_arena[OUTPUT_OFFSET], TINYNAS_INPUT_BYTES,
                   3, fixture_bias, 1);
#if defined(FIXTURE_WRITE_ABOVE_ARENA) || defined(FIXTURE_WRITE_BELOW_ARENA)
  {
    /* Through a volatile pointer, so the compiler cannot see (or warn about) the bad index. */
    int8_t* volatile base = tinynas_arena;
#if defined(FIXTURE_WRITE_ABOVE_ARENA)
    base[TINYNAS_ARENA_BYTES] = 0x11;
#else
    *(base - 1) = 0x11;
#endif
  }
#endif
  return 0;
}
