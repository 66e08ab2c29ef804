#include "hil_timer.h"

#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)
#define SYST_RELOAD 0xFFFFFFu

static volatile uint32_t g_wraps;

#ifdef HIL_TIMER_TRY_DWT
/* The board harness: DWT->CYCCNT when it counts, SysTick when it reads zero (QEMU 7.2 accepts the
 * enable bits but CYCCNT stays 0). The 32-bit CYCCNT is extended to 64 bits in software; SysTick
 * still interrupts every 2^24 cycles and its handler samples the counter, so no wrap is missed. */
#define DEMCR (*(volatile uint32_t*)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t*)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t*)0xE0001004u)
#define DWT_LAR (*(volatile uint32_t*)0xE0001FB0u)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL_CYCCNTENA 1u
#define DWT_LAR_KEY 0xC5ACCE55u

static uint32_t g_use_dwt;
static volatile uint32_t g_dwt_high;
static volatile uint32_t g_dwt_last;

static uint64_t dwt_now(void) {
  uint32_t primask;
  uint32_t now;
  uint64_t value;
  __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
  now = DWT_CYCCNT;
  if (now < g_dwt_last) g_dwt_high = g_dwt_high + 1u;
  g_dwt_last = now;
  value = ((uint64_t)g_dwt_high << 32) | now;
  __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
  return value;
}

uint32_t hil_timer_try_dwt(int unlock) {
  volatile uint32_t spin;
  DEMCR = DEMCR | DEMCR_TRCENA;
  if (unlock) DWT_LAR = DWT_LAR_KEY; /* Cortex-M7: the DWT ignores writes until unlocked */
  DWT_CYCCNT = 0u;
  DWT_CTRL = DWT_CTRL | DWT_CTRL_CYCCNTENA;
  for (spin = 0u; spin < 16u; spin = spin + 1u) {
  }
  g_use_dwt = DWT_CYCCNT != 0u ? 1u : 0u;
  g_dwt_high = 0u;
  g_dwt_last = 0u;
  return g_use_dwt;
}
#endif

void SysTick_Handler(void) {
  g_wraps = g_wraps + 1u;
#ifdef HIL_TIMER_TRY_DWT
  if (g_use_dwt) (void)dwt_now();
#endif
}

void hil_timer_start(void) {
  SYST_CSR = 0u;
  SYST_RVR = SYST_RELOAD;
  SYST_CVR = 0u;
  g_wraps = 0u;
  SYST_CSR = 7u; /* CLKSOURCE = processor clock, TICKINT, ENABLE */
}

uint64_t hil_timer_now(void) {
  uint32_t wraps;
  uint32_t value;
#ifdef HIL_TIMER_TRY_DWT
  if (g_use_dwt) return dwt_now();
#endif
  /* Re-read when a wrap was counted between the two reads of the wrap counter. */
  do {
    wraps = g_wraps;
    value = SYST_CVR;
  } while (wraps != g_wraps);
  return ((uint64_t)wraps << 24) + (uint64_t)(SYST_RELOAD - value);
}
