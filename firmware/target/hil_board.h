/* Board bring-up for the board bench harness (board_main.c): the core clock, Flash wait states and
 * caches, set by board_system.c from -D values that the host derives from the board's JSON
 * ("firmware" section of configs/boards/NAME.json, firmware/board_firmware.cpp). No value is
 * written in this code: a board is one of the families below plus its numbers.
 *
 *   HIL_CLOCK_FAMILY  0 none (QEMU: the reset clock)  1 STM32F4  2 STM32F7  3 STM32H7  4 nRF52
 *   HIL_PLL_M/N/P/Q/R        PLL dividers (STM32; HSI as the PLL source)
 *   HIL_FLASH_WAIT_STATES    Flash latency for HIL_CLOCK_HZ
 *   HIL_AHB_DIV, HIL_APB1_DIV, HIL_APB2_DIV   bus prescalers (H7: AHB, APB1-4 all HIL_APB1_DIV)
 *   HIL_VOS                  regulator scale written to the PWR register (3 = scale 1)
 *   HIL_OVERDRIVE            STM32F7 over-drive / STM32H7 VOS0
 *   HIL_ENABLE_ART, HIL_ENABLE_ICACHE, HIL_ENABLE_DCACHE, HIL_DWT_UNLOCK   0 or 1
 *   HIL_CORE_M7              1 on a Cortex-M7: ICACHE / DCACHE are the core's L1 caches (any
 *                            family, QEMU's M7 included, which accepts and ignores them); on the
 *                            nRF52 ICACHE is the NVMC cache
 *
 *   uint32_t flags = hil_board_init();           HIL_CONFIG_* bits of what was turned on
 *   hil_board_publish(&block, sizeof block);     make RAM writes visible to a debugger (M7 D-cache)
 */
#ifndef TINYNAS_HIL_BOARD_H
#define TINYNAS_HIL_BOARD_H

#include <stdint.h>

#define HIL_FAMILY_NONE 0
#define HIL_FAMILY_STM32F4 1
#define HIL_FAMILY_STM32F7 2
#define HIL_FAMILY_STM32H7 3
#define HIL_FAMILY_NRF52 4

#ifndef HIL_CLOCK_FAMILY
#define HIL_CLOCK_FAMILY HIL_FAMILY_NONE
#endif

/* Raises the clock, sets the Flash wait states and turns the caches on; returns HIL_CONFIG_* flags.
 * Called by Reset_Handler before .data / .bss are set up: it uses no static data. */
uint32_t hil_board_init(void);
/* Cleans the D-cache lines of [address, address + bytes) so a debugger reading RAM over the AHB-AP
 * (which bypasses the cache) sees what the core wrote. A data barrier on cores without a D-cache.
 */
void hil_board_publish(const volatile void* address, uint32_t bytes);

#endif /* TINYNAS_HIL_BOARD_H */
