/* Startup of the board bench firmware (board_main.c): the vector table, Reset_Handler (FPU on, the
 * board's clock / Flash wait states / caches through hil_board_init(), .data copied, .bss and the
 * arena zeroed, main()) and fault handlers that record the fault in the result block and stop.
 * No C library start-up and no semihosting: a board has no debugger answering breakpoints. Built
 * with -ffreestanding and tinynas_fw.ld (the result block first in RAM). */
#include <stdint.h>

#include "hil_board.h"
#include "hil_protocol.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], __stack_top[];
extern uint32_t __tinynas_arena_start[], __tinynas_arena_end[];
extern int main(void);
/* board_main.c: records the fault (code, stacked PC) in the result block and never returns. */
extern void hil_board_fault(uint32_t code, const uint32_t* frame) __attribute__((noreturn));
/* What hil_board_init() turned on, for the result block. */
uint32_t hil_board_config_flags;

void Reset_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);

#define IRQ_COUNT 32
#define IRQ_HANDLERS_8                                                                 \
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, \
      Default_Handler, Default_Handler, Default_Handler

__attribute__((section(".isr_vector"), used)) void (*const g_vectors[16 + IRQ_COUNT])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0,
    0,
    0,
    0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
    IRQ_HANDLERS_8,
    IRQ_HANDLERS_8,
    IRQ_HANDLERS_8,
    IRQ_HANDLERS_8,
};

void Reset_Handler(void) {
  uint32_t flags;
  const uint32_t* src = _sidata;
  uint32_t* dst = _sdata;
#if defined(__ARM_FP)
  *(volatile uint32_t*)0xE000ED88u |= (0xFu << 20); /* CPACR: CP10 and CP11 (the FPU) */
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  flags = hil_board_init();
  while (dst < _edata) *dst++ = *src++;
  for (dst = _sbss; dst < _ebss;) *dst++ = 0u;
  for (dst = __tinynas_arena_start; dst < __tinynas_arena_end;) *dst++ = 0u;
  hil_board_config_flags = flags;
  (void)main();
  for (;;) {
  }
}

#define HIL_STRINGIFY2(x) #x
#define HIL_STRINGIFY(x) HIL_STRINGIFY2(x)
/* Each handler passes its code and the exception frame (MSP or PSP, from EXC_RETURN bit 2). */
#define HIL_FAULT_HANDLER(name, code)            \
  __attribute__((naked)) void name(void) {       \
    __asm__ volatile("movs r0, #" HIL_STRINGIFY( \
        code) "\n\t"                             \
              "tst lr, #4\n\t"                   \
              "ite eq\n\t"                       \
              "mrseq r1, msp\n\t"                \
              "mrsne r1, psp\n\t"                \
              "b hil_board_fault\n\t");          \
  }

HIL_FAULT_HANDLER(HardFault_Handler, TINYNAS_HIL_EXIT_HARDFAULT)
HIL_FAULT_HANDLER(MemManage_Handler, TINYNAS_HIL_EXIT_MEMMANAGE)
HIL_FAULT_HANDLER(BusFault_Handler, TINYNAS_HIL_EXIT_BUSFAULT)
HIL_FAULT_HANDLER(UsageFault_Handler, TINYNAS_HIL_EXIT_USAGEFAULT)
HIL_FAULT_HANDLER(NMI_Handler, TINYNAS_HIL_EXIT_NMI)
HIL_FAULT_HANDLER(Default_Handler, TINYNAS_HIL_EXIT_UNEXPECTED_IRQ)
