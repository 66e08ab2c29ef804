#include "hil_timer.h"

#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)
#define SYST_RELOAD 0xFFFFFFu

static volatile uint32_t g_wraps;

void SysTick_Handler(void) {
  g_wraps = g_wraps + 1u;
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
  /* Re-read when a wrap was counted between the two reads of the wrap counter. */
  do {
    wraps = g_wraps;
    value = SYST_CVR;
  } while (wraps != g_wraps);
  return ((uint64_t)wraps << 24) + (uint64_t)(SYST_RELOAD - value);
}
