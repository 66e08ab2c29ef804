/* Board bring-up (see hil_board.h): PLL from the internal RC oscillator (HSI: 16 MHz on STM32F4/F7,
 * 64 MHz on STM32H7) up to HIL_CLOCK_HZ, Flash wait states before the switch, bus prescalers,
 * STM32F4 prefetch + I/D caches, STM32F7 ART, Cortex-M7 I- and D-caches, nRF52 HFXO + instruction
 * cache. Register addresses and bits are the reference manuals' (RM0402 STM32F412, RM0385
 * STM32F746, RM0433 STM32H743, nRF52840 PS v1.7); the values come from the board JSON. */
#include "hil_board.h"
#include "hil_result.h"

#define REG(address) (*(volatile uint32_t*)(address))

/* Cortex-M7 cache maintenance (ARMv7-M ARM B2.2.7). */
#define SCB_CCR REG(0xE000ED14u)
#define SCB_CCSIDR REG(0xE000ED80u)
#define SCB_CSSELR REG(0xE000ED84u)
#define SCB_ICIALLU REG(0xE000EF50u)
#define SCB_DCISW REG(0xE000EF60u)
#define SCB_DCCMVAC REG(0xE000EF68u)
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)

static void barrier(void) {
  __asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
}

#if defined(HIL_CORE_M7) && HIL_CORE_M7 && defined(HIL_ENABLE_ICACHE) && HIL_ENABLE_ICACHE
#define HIL_M7_ICACHE 1
static void m7_icache_enable(void) {
  barrier();
  SCB_ICIALLU = 0u;
  barrier();
  SCB_CCR = SCB_CCR | SCB_CCR_IC;
  barrier();
}
#endif

#if defined(HIL_CORE_M7) && HIL_CORE_M7 && defined(HIL_ENABLE_DCACHE) && HIL_ENABLE_DCACHE
#define HIL_M7_DCACHE 1
static void m7_dcache_enable(void) {
  uint32_t ccsidr;
  uint32_t sets;
  uint32_t ways;
  SCB_CSSELR = 0u; /* level 1 data cache */
  barrier();
  ccsidr = SCB_CCSIDR;
  sets = (ccsidr >> 13) & 0x7FFFu;
  do {
    ways = (ccsidr >> 3) & 0x3FFu;
    do {
      /* 32-byte lines (set field at bit 5), 4 ways (way field at bit 30). */
      SCB_DCISW = (sets << 5) | (ways << 30);
    } while (ways-- != 0u);
  } while (sets-- != 0u);
  barrier();
  SCB_CCR = SCB_CCR | SCB_CCR_DC;
  barrier();
}
#endif

void hil_board_publish(const volatile void* address, uint32_t bytes) {
#ifdef HIL_M7_DCACHE
  uintptr_t line = (uintptr_t)address & ~(uintptr_t)31u;
  uintptr_t end = (uintptr_t)address + bytes;
  barrier();
  for (; line < end; line += 32u) SCB_DCCMVAC = (uint32_t)line;
#else
  (void)address;
  (void)bytes;
#endif
  barrier();
}

#if HIL_CLOCK_FAMILY == HIL_FAMILY_STM32F4 || HIL_CLOCK_FAMILY == HIL_FAMILY_STM32F7
/* RCC, PWR and FLASH of the STM32F4 / F7 (same addresses on both). */
#define RCC_CR REG(0x40023800u)
#define RCC_PLLCFGR REG(0x40023804u)
#define RCC_CFGR REG(0x40023808u)
#define RCC_APB1ENR REG(0x40023840u)
#define PWR_CR REG(0x40007000u)
#define PWR_CSR REG(0x40007004u)
#define FLASH_ACR REG(0x40023C00u)

/* HPRE / PPRE field values for a divisor (1 = not divided). */
static uint32_t ppre_bits(uint32_t div) {
  return div >= 16u ? 7u : div >= 8u ? 6u : div >= 4u ? 5u : div >= 2u ? 4u : 0u;
}
static uint32_t hpre_bits(uint32_t div) {
  return div >= 512u   ? 15u
         : div >= 256u ? 14u
         : div >= 128u ? 13u
         : div >= 64u  ? 12u
         : div >= 16u  ? 11u
         : div >= 8u   ? 10u
         : div >= 4u   ? 9u
         : div >= 2u   ? 8u
                       : 0u;
}

static uint32_t stm32f_clock_init(void) {
  uint32_t flags = HIL_CONFIG_PLL;
  RCC_APB1ENR = RCC_APB1ENR | (1u << 28); /* PWREN */
  (void)RCC_APB1ENR;
  PWR_CR = (PWR_CR & ~(3u << 14)) | ((uint32_t)HIL_VOS << 14);
  RCC_CR = RCC_CR | 1u; /* HSION */
  while ((RCC_CR & (1u << 1)) == 0u) {
  }
  RCC_CR = RCC_CR & ~(1u << 24); /* PLL off while it is configured */
  while ((RCC_CR & (1u << 25)) != 0u) {
  }
  RCC_PLLCFGR = (uint32_t)HIL_PLL_M | ((uint32_t)HIL_PLL_N << 6) |
                (((uint32_t)HIL_PLL_P / 2u - 1u) << 16) | ((uint32_t)HIL_PLL_Q << 24) |
                ((uint32_t)HIL_PLL_R << 28); /* PLLSRC = 0: HSI */
  RCC_CR = RCC_CR | (1u << 24);              /* PLLON */
  while ((RCC_CR & (1u << 25)) == 0u) {
  }
#if HIL_CLOCK_FAMILY == HIL_FAMILY_STM32F7 && HIL_OVERDRIVE
  PWR_CR = PWR_CR | (1u << 16); /* ODEN */
  while ((PWR_CSR & (1u << 16)) == 0u) {
  }
  PWR_CR = PWR_CR | (1u << 17); /* ODSWEN */
  while ((PWR_CSR & (1u << 17)) == 0u) {
  }
#endif
  {
    uint32_t acr = (uint32_t)HIL_FLASH_WAIT_STATES;
#if HIL_ENABLE_ART
#if HIL_CLOCK_FAMILY == HIL_FAMILY_STM32F7
    acr |= (1u << 8) | (1u << 9); /* PRFTEN, ARTEN */
#else
    acr |= (1u << 8) | (1u << 9) | (1u << 10); /* PRFTEN, ICEN, DCEN */
#endif
    flags |= HIL_CONFIG_ART;
#endif
    FLASH_ACR = acr;
    while ((FLASH_ACR & 0xFu) != (uint32_t)HIL_FLASH_WAIT_STATES) {
    }
  }
  RCC_CFGR = (RCC_CFGR & ~((0xFu << 4) | (7u << 10) | (7u << 13))) | (hpre_bits(HIL_AHB_DIV) << 4) |
             (ppre_bits(HIL_APB1_DIV) << 10) | (ppre_bits(HIL_APB2_DIV) << 13);
  RCC_CFGR = (RCC_CFGR & ~3u) | 2u; /* SW = PLL */
  while (((RCC_CFGR >> 2) & 3u) != 2u) {
  }
  return flags;
}
#endif

#if HIL_CLOCK_FAMILY == HIL_FAMILY_STM32H7
#define RCC_CR REG(0x58024400u)
#define RCC_CFGR REG(0x58024410u)
#define RCC_D1CFGR REG(0x58024418u)
#define RCC_D2CFGR REG(0x5802441Cu)
#define RCC_D3CFGR REG(0x58024420u)
#define RCC_PLLCKSELR REG(0x58024428u)
#define RCC_PLLCFGR REG(0x5802442Cu)
#define RCC_PLL1DIVR REG(0x58024430u)
#define RCC_APB4ENR REG(0x580244F4u)
#define PWR_CSR1 REG(0x58024804u)
#define PWR_CR3 REG(0x5802480Cu)
#define PWR_D3CR REG(0x58024818u)
#define SYSCFG_PWRCR REG(0x5800042Cu)
#define FLASH_ACR REG(0x52002000u)

static uint32_t ppre_bits(uint32_t div) {
  return div >= 16u ? 7u : div >= 8u ? 6u : div >= 4u ? 5u : div >= 2u ? 4u : 0u;
}

static uint32_t stm32h7_clock_init(void) {
  /* Supply from the LDO (NUCLEO-H743ZI), then regulator scale 1 (and VOS0 for 480 MHz). */
  PWR_CR3 = (PWR_CR3 & ~((1u << 2) | 1u)) | (1u << 1); /* SCUEN = 0, BYPASS = 0, LDOEN */
  while ((PWR_CSR1 & (1u << 13)) == 0u) {              /* ACTVOSRDY */
  }
  PWR_D3CR = (PWR_D3CR & ~(3u << 14)) | ((uint32_t)HIL_VOS << 14);
  while ((PWR_D3CR & (1u << 13)) == 0u) { /* VOSRDY */
  }
#if HIL_OVERDRIVE
  RCC_APB4ENR = RCC_APB4ENR | (1u << 1); /* SYSCFGEN */
  (void)RCC_APB4ENR;
  SYSCFG_PWRCR = SYSCFG_PWRCR | 1u; /* ODEN: VOS0 */
  while ((PWR_D3CR & (1u << 13)) == 0u) {
  }
#endif
  /* PLL1 from HSI (64 MHz): /M, input range from the reference, wide VCO, P output on. */
  RCC_PLLCKSELR = (RCC_PLLCKSELR & ~((0x3Fu << 4) | 3u)) | ((uint32_t)HIL_PLL_M << 4);
  {
    uint32_t ref = 64000000u / (uint32_t)HIL_PLL_M;
    uint32_t range = ref >= 8000000u ? 3u : ref >= 4000000u ? 2u : ref >= 2000000u ? 1u : 0u;
    RCC_PLLCFGR = (RCC_PLLCFGR & ~0xFu) | (range << 2) | (1u << 16) | (1u << 17); /* DIVP1EN,Q */
  }
  RCC_PLL1DIVR = ((uint32_t)HIL_PLL_N - 1u) | (((uint32_t)HIL_PLL_P - 1u) << 9) |
                 (((uint32_t)HIL_PLL_Q - 1u) << 16) | (((uint32_t)HIL_PLL_R - 1u) << 24);
  RCC_CR = RCC_CR | (1u << 24); /* PLL1ON */
  while ((RCC_CR & (1u << 25)) == 0u) {
  }
  FLASH_ACR = (uint32_t)HIL_FLASH_WAIT_STATES | (2u << 4); /* WRHIGHFREQ = 2 */
  while ((FLASH_ACR & 0xFu) != (uint32_t)HIL_FLASH_WAIT_STATES) {
  }
  /* Core /1, AHB (AXI) /HIL_AHB_DIV, every APB /HIL_APB1_DIV. */
  RCC_D1CFGR = (HIL_AHB_DIV >= 2 ? 8u : 0u) | (ppre_bits(HIL_APB1_DIV) << 4);
  RCC_D2CFGR = (ppre_bits(HIL_APB1_DIV) << 4) | (ppre_bits(HIL_APB1_DIV) << 8);
  RCC_D3CFGR = ppre_bits(HIL_APB1_DIV) << 4;
  RCC_CFGR = (RCC_CFGR & ~7u) | 3u; /* SW = PLL1 */
  while (((RCC_CFGR >> 3) & 7u) != 3u) {
  }
  return HIL_CONFIG_PLL;
}
#endif

#if HIL_CLOCK_FAMILY == HIL_FAMILY_NRF52
#define NRF_CLOCK_TASKS_HFCLKSTART REG(0x40000000u)
#define NRF_CLOCK_EVENTS_HFCLKSTARTED REG(0x40000100u)
#define NRF_NVMC_ICACHECNF REG(0x4001E540u)

static uint32_t nrf52_clock_init(void) {
  uint32_t flags = 0u;
  /* The core always runs at 64 MHz; the crystal (HFXO) makes the clock accurate. */
  NRF_CLOCK_EVENTS_HFCLKSTARTED = 0u;
  NRF_CLOCK_TASKS_HFCLKSTART = 1u;
  while (NRF_CLOCK_EVENTS_HFCLKSTARTED == 0u) {
  }
#if HIL_ENABLE_ICACHE
  NRF_NVMC_ICACHECNF = NRF_NVMC_ICACHECNF | 1u; /* CACHEEN */
  flags |= HIL_CONFIG_ICACHE;
#endif
  return flags;
}
#endif

uint32_t hil_board_init(void) {
  uint32_t flags = 0u;
#if HIL_CLOCK_FAMILY == HIL_FAMILY_STM32F4 || HIL_CLOCK_FAMILY == HIL_FAMILY_STM32F7
  flags |= stm32f_clock_init();
#elif HIL_CLOCK_FAMILY == HIL_FAMILY_STM32H7
  flags |= stm32h7_clock_init();
#elif HIL_CLOCK_FAMILY == HIL_FAMILY_NRF52
  flags |= nrf52_clock_init();
#endif
#ifdef HIL_M7_ICACHE
  m7_icache_enable();
  flags |= HIL_CONFIG_ICACHE;
#endif
#ifdef HIL_M7_DCACHE
  m7_dcache_enable();
  flags |= HIL_CONFIG_DCACHE;
#endif
  return flags;
}
