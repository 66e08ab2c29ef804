/* Three loops with a known instruction mix for the cycle-estimate plugin's test
 * (cycle_estimate_qemu_test.cpp): 1000 turns each of 8 ADDs, 8 dependent LDRs (a pointer chase,
 * never pipelined) and 8 independent LDRs (pipelined back to back). tinynas_invoke runs them with
 * a tinynas_layer_done marker after each, as a generated model does, so each loop is one "layer".
 * Bare metal for mps2-an386 / an500: vector table at 0, semihosting SYS_EXIT at the end. */
  .syntax unified
  .thumb

  .section .vectors, "a"
  .word 0x20010000
  .word reset

  .text
  .thumb_func
  .global reset
reset:
  bl tinynas_invoke
  movs r0, #0x18      /* SYS_EXIT */
  ldr r1, =0x20026    /* ADP_Stopped_ApplicationExit */
  bkpt 0xab
1:
  b 1b
  .ltorg

  .thumb_func
  .global tinynas_invoke
tinynas_invoke:
  push {r4, lr}
  bl add_loop
  bl tinynas_layer_done
  bl dependent_load_loop
  bl tinynas_layer_done
  bl pipelined_load_loop
  bl tinynas_layer_done
  pop {r4, pc}

  .thumb_func
  .global tinynas_layer_done
tinynas_layer_done:
  bx lr

  .thumb_func
add_loop:
  movw r0, #1000
1:
  .rept 8
  add.w r2, r2, #1
  .endr
  subs r0, r0, #1
  bne 1b
  bx lr

  .thumb_func
dependent_load_loop:
  movw r1, #:lower16:self_pointer
  movt r1, #:upper16:self_pointer
  movw r0, #1000
1:
  .rept 8
  ldr r1, [r1]
  .endr
  subs r0, r0, #1
  bne 1b
  bx lr

  .thumb_func
pipelined_load_loop:
  movw r1, #:lower16:self_pointer
  movt r1, #:upper16:self_pointer
  movw r0, #1000
1:
  ldr r2, [r1]
  ldr r3, [r1, #4]
  ldr r2, [r1, #8]
  ldr r3, [r1, #12]
  ldr r2, [r1, #16]
  ldr r3, [r1, #20]
  ldr r2, [r1, #24]
  ldr r3, [r1, #28]
  subs r0, r0, #1
  bne 1b
  bx lr

  .section .rodata
  .balign 4
self_pointer:
  .word self_pointer
  .space 28
