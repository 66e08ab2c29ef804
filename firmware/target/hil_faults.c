/* Fault and unexpected-interrupt handlers: each prints what happened (fault status registers and
 * the stacked PC) on the host's stderr and ends the program with its own exit code from
 * hil_protocol.h, through semihosting only (no stdio: the fault may have broken it). */
#include <stdint.h>

#include "hil_protocol.h"
#include "hil_semihost.h"

#define SCB_CFSR (*(volatile uint32_t*)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t*)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t*)0xE000ED34u)
#define SCB_BFAR (*(volatile uint32_t*)0xE000ED38u)

void hil_fault_report(const uint32_t* frame, uint32_t code) __attribute__((noreturn, used));

static char* put_text(char* out, const char* text) {
  while (*text != '\0') *out++ = *text++;
  return out;
}

static char* put_hex(char* out, uint32_t value) {
  static const char kDigits[] = "0123456789abcdef";
  int shift;
  out = put_text(out, "0x");
  for (shift = 28; shift >= 0; shift -= 4) *out++ = kDigits[(value >> shift) & 0xFu];
  return out;
}

static const char* fault_name(uint32_t code) {
  switch (code) {
    case TINYNAS_HIL_EXIT_HARDFAULT:
      return "HardFault";
    case TINYNAS_HIL_EXIT_MEMMANAGE:
      return "MemManage fault";
    case TINYNAS_HIL_EXIT_BUSFAULT:
      return "BusFault";
    case TINYNAS_HIL_EXIT_USAGEFAULT:
      return "UsageFault";
    case TINYNAS_HIL_EXIT_NMI:
      return "NMI";
    default:
      return "unexpected interrupt";
  }
}

void hil_fault_report(const uint32_t* frame, uint32_t code) {
  char text[160];
  char* p = put_text(text, "tinynas_hil: ");
  p = put_text(p, fault_name(code));
  p = put_text(p, " pc=");
  p = put_hex(p, frame[6]);
  p = put_text(p, " lr=");
  p = put_hex(p, frame[5]);
  p = put_text(p, " cfsr=");
  p = put_hex(p, SCB_CFSR);
  p = put_text(p, " hfsr=");
  p = put_hex(p, SCB_HFSR);
  p = put_text(p, " bfar=");
  p = put_hex(p, SCB_BFAR);
  p = put_text(p, " mmfar=");
  p = put_hex(p, SCB_MMFAR);
  p = put_text(p, "\n");
  *p = '\0';
  hil_sh_write0(text);
  hil_sh_exit((int)code);
}

/* Each handler passes the exception frame (MSP or PSP, from EXC_RETURN bit 2) and its exit code.
 * Naked functions may only hold basic asm, so the code is pasted into the text. */
#define HIL_STRINGIFY2(x) #x
#define HIL_STRINGIFY(x) HIL_STRINGIFY2(x)
#define HIL_FAULT_HANDLER(name, code)        \
  __attribute__((naked)) void name(void) {   \
    __asm__ volatile(                      \
        "tst lr, #4\n\t"                   \
        "ite eq\n\t"                       \
        "mrseq r0, msp\n\t"                \
        "mrsne r0, psp\n\t"                \
        "movs r1, #" HIL_STRINGIFY(code) "\n\t" \
        "b hil_fault_report\n\t"); \
  }

void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void NMI_Handler(void);
void Default_Handler(void);

HIL_FAULT_HANDLER(HardFault_Handler, TINYNAS_HIL_EXIT_HARDFAULT)
HIL_FAULT_HANDLER(MemManage_Handler, TINYNAS_HIL_EXIT_MEMMANAGE)
HIL_FAULT_HANDLER(BusFault_Handler, TINYNAS_HIL_EXIT_BUSFAULT)
HIL_FAULT_HANDLER(UsageFault_Handler, TINYNAS_HIL_EXIT_USAGEFAULT)
HIL_FAULT_HANDLER(NMI_Handler, TINYNAS_HIL_EXIT_NMI)
HIL_FAULT_HANDLER(Default_Handler, TINYNAS_HIL_EXIT_UNEXPECTED_IRQ)
