#include "hil_guard.h"

#include <stddef.h>

#include "hil_protocol.h"

/* Defined by the linker script (tinynas_fw.ld). */
extern uint8_t __tinynas_guard_below[];
extern uint8_t __tinynas_arena_start[];
extern uint8_t __tinynas_arena_end[];
extern uint8_t __tinynas_guard_above[];
extern uint32_t __tinynas_free_start[];
extern uint32_t __stack_top[];
/* librdimon's break: the C library allocates its stdio state on the heap before main runs. */
extern void* _sbrk(ptrdiff_t increment);

/* Bytes left unpainted below the stack pointer at paint time (the painter's own frame). */
#define STACK_PAINT_MARGIN 64u

static uint32_t* g_paint_start;
static uint32_t* g_paint_end;

uint32_t hil_arena_section_bytes(void) {
  return (uint32_t)(__tinynas_arena_end - __tinynas_arena_start);
}

void hil_guards_fill(void) {
  volatile uint8_t* below = __tinynas_guard_below;
  volatile uint8_t* above = __tinynas_guard_above;
  uint32_t i;
  for (i = 0; i < TINYNAS_HIL_GUARD_BYTES; ++i) {
    below[i] = (uint8_t)TINYNAS_HIL_GUARD_PATTERN;
    above[i] = (uint8_t)TINYNAS_HIL_GUARD_PATTERN;
  }
}

int hil_guards_check(uint32_t* offset) {
  const volatile uint8_t* below = __tinynas_guard_below;
  const volatile uint8_t* above = __tinynas_guard_above;
  uint32_t i;
  /* Scan outwards from the arena so the reported offset is the nearest damage. */
  for (i = 0; i < TINYNAS_HIL_GUARD_BYTES; ++i) {
    if (below[TINYNAS_HIL_GUARD_BYTES - 1u - i] != (uint8_t)TINYNAS_HIL_GUARD_PATTERN) {
      *offset = i + 1u;
      return TINYNAS_HIL_EXIT_GUARD_BELOW;
    }
  }
  for (i = 0; i < TINYNAS_HIL_GUARD_BYTES; ++i) {
    if (above[i] != (uint8_t)TINYNAS_HIL_GUARD_PATTERN) {
      *offset = i;
      return TINYNAS_HIL_EXIT_GUARD_ABOVE;
    }
  }
  *offset = 0;
  return 0;
}

void hil_stack_paint(void) {
  uint32_t sp;
  uintptr_t heap_end = ((uintptr_t)_sbrk(0) + 3u) & ~(uintptr_t)3u;
  volatile uint32_t* p;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  g_paint_start =
      heap_end > (uintptr_t)__tinynas_free_start ? (uint32_t*)heap_end : __tinynas_free_start;
  g_paint_end = (uint32_t*)((sp - STACK_PAINT_MARGIN) & ~3u);
  for (p = g_paint_start; p < g_paint_end; ++p) *p = TINYNAS_HIL_STACK_PAINT;
}

uint32_t hil_stack_peak_bytes(int* overflow) {
  const volatile uint32_t* p = g_paint_start;
  while (p < g_paint_end && *p == TINYNAS_HIL_STACK_PAINT) ++p;
  *overflow = (p == g_paint_start && p < g_paint_end) ? 1 : 0;
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}
