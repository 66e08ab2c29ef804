/* Cortex-M4/M7 startup for the tinynas bench firmware: the vector table, Reset_Handler (FPU on,
 * .data copied from Flash, .bss and the arena zeroed, C constructors, semihosting handles) and
 * exit(main()), so main's return value becomes QEMU's exit status. Fault handlers live in
 * hil_faults.c, SysTick_Handler in hil_timer.c. Linked with tinynas_fw.ld and -nostartfiles. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], __stack_top[];
extern uint32_t __tinynas_arena_start[], __tinynas_arena_end[];
extern void (*__preinit_array_start[])(void);
extern void (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);
extern void initialise_monitor_handles(void); /* librdimon: required with -nostartfiles */
extern int main(void);

void Reset_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);

/* 32 external interrupts, none enabled: any that fires is unexpected. */
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

/* Newlib's exit() calls these when the C runtime's crt0 is not linked. */
void _init(void) {}
void _fini(void) {}

static void zero_words(uint32_t* begin, const uint32_t* end) {
  while (begin < end) *begin++ = 0u;
}

void Reset_Handler(void) {
#if defined(__ARM_FP)
  /* CPACR: full access to CP10 and CP11 (the FPU) before any floating-point instruction. */
  *(volatile uint32_t*)0xE000ED88u |= (0xFu << 20);
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  const uint32_t* src = _sidata;
  uint32_t* dst = _sdata;
  while (dst < _edata) *dst++ = *src++;
  zero_words(_sbss, _ebss);
  /* The arena is a zero-initialised C object outside .bss. */
  zero_words(__tinynas_arena_start, __tinynas_arena_end);
  for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();
  initialise_monitor_handles();
  exit(main());
}
