/* Guard zones around the model's arena and a painted stack. The linker script places
 * TINYNAS_HIL_GUARD_BYTES below and above the .tinynas_arena section (symbols
 * __tinynas_guard_below / __tinynas_guard_above); the harness fills them before the first inference
 * and checks them after every one. The free RAM between the heap's break (the C library's stdio
 * state; the arena's upper guard when there is none) and the stack pointer is painted once, so the
 * peak stack depth can be read after the runs.
 *
 *   if (hil_arena_section_bytes() != TINYNAS_ARENA_BYTES) ... layout error ...
 *   hil_guards_fill();  hil_stack_paint();
 *   ... tinynas_invoke() ...
 *   int bad = hil_guards_check();   0, TINYNAS_HIL_EXIT_GUARD_BELOW or _ABOVE
 */
#ifndef TINYNAS_HIL_GUARD_H
#define TINYNAS_HIL_GUARD_H

#include <stdint.h>

/* Bytes between the two guards: must equal the model's arena. */
uint32_t hil_arena_section_bytes(void);
void hil_guards_fill(void);
/* 0 when both guards are intact, else the exit code naming the first corrupted one. Sets *offset to
 * the offset of the first changed guard byte (below: counted down from the arena start; above:
 * counted up from the arena end). */
int hil_guards_check(uint32_t* offset);
/* Paints the free RAM above the heap up to (current SP - margin). Call once, early in main. */
void hil_stack_paint(void);
/* Bytes of stack used since hil_stack_paint(), measured from the top of RAM. Sets *overflow to 1
 * when no painted word is left (the stack may have run into the heap or the arena). */
uint32_t hil_stack_peak_bytes(int* overflow);

#endif /* TINYNAS_HIL_GUARD_H */
