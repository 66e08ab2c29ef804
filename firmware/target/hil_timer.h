/* A free-running 64-bit tick counter on SysTick: SYST_RVR = 0xFFFFFF, the processor clock, and one
 * interrupt per wrap counted in SysTick_Handler. On QEMU mps2 (25 MHz SysTick) run with
 * -icount shift=0 every instruction takes 1 ns of virtual time, so one tick = 40 instructions and
 * the counts are deterministic. On a real board a tick is one CPU cycle.
 *
 *   hil_timer_start();
 *   uint64_t t0 = hil_timer_now();
 *   work();
 *   uint64_t ticks = hil_timer_now() - t0;
 */
#ifndef TINYNAS_HIL_TIMER_H
#define TINYNAS_HIL_TIMER_H

#include <stdint.h>

void hil_timer_start(void);
uint64_t hil_timer_now(void);

#ifdef HIL_TIMER_TRY_DWT
/* Board harness only: enables DWT->CYCCNT (after the Cortex-M7 lock-access unlock when `unlock`)
 * and returns 1 when it counts; from then on hil_timer_now() returns core cycles from it. Returns 0
 * (and hil_timer_now() stays on SysTick) when CYCCNT reads zero, as on QEMU. Call after
 * hil_timer_start(). */
uint32_t hil_timer_try_dwt(int unlock);
#endif

#endif /* TINYNAS_HIL_TIMER_H */
