/* The contract between the tinynas bench firmware and the host library (tinynas_hil) that builds
 * and runs it: file names on the semihosting side, exit codes, the guard pattern and the stats
 * format. Plain C so both sides include it: the firmware (C99) and the host (C++17,
 * firmware/bench_stats.h).
 *
 * A run: the host writes inputs.bin (N x TINYNAS_INPUT_BYTES) into QEMU's working directory; the
 * firmware writes outputs.bin (N x TINYNAS_OUTPUT_BYTES) and stats.txt, one "key value..." line at
 * a time, then exits with one of the codes below (QEMU's exit status). */
#ifndef TINYNAS_HIL_PROTOCOL_H
#define TINYNAS_HIL_PROTOCOL_H

#define TINYNAS_HIL_INPUTS_FILE "inputs.bin"
#define TINYNAS_HIL_OUTPUTS_FILE "outputs.bin"
#define TINYNAS_HIL_STATS_FILE "stats.txt"
/* First line of stats.txt. */
#define TINYNAS_HIL_STATS_MAGIC "tinynas_hil_stats 1"

/* Bytes of guard zone on each side of the arena (the linker script reserves them) and the byte the
 * harness fills them with before the first inference. */
#define TINYNAS_HIL_GUARD_BYTES 64
#define TINYNAS_HIL_GUARD_PATTERN 0xA5u
/* Word the free RAM between the arena and the stack is painted with to measure peak stack use. */
#define TINYNAS_HIL_STACK_PAINT 0x5AC3E17Du

/* Exit codes. 1 is left to QEMU itself (it exits 1 when it cannot start) and to abort(). */
#define TINYNAS_HIL_EXIT_OK 0
#define TINYNAS_HIL_EXIT_STATS_OPEN 10     /* cannot create stats.txt */
#define TINYNAS_HIL_EXIT_INPUT_OPEN 11     /* inputs.bin missing */
#define TINYNAS_HIL_EXIT_INPUT_SIZE 12     /* empty, or not a multiple of TINYNAS_INPUT_BYTES */
#define TINYNAS_HIL_EXIT_INPUT_READ 13     /* short read */
#define TINYNAS_HIL_EXIT_OUTPUT_WRITE 14   /* cannot create or write outputs.bin / stats.txt */
#define TINYNAS_HIL_EXIT_ARENA_LAYOUT 20   /* .tinynas_arena is not exactly the model's arena */
#define TINYNAS_HIL_EXIT_INVOKE 21         /* tinynas_invoke() returned non-zero */
#define TINYNAS_HIL_EXIT_PROFILE_MARKS 22  /* TINYNAS_PROFILE: not one marker per layer */
#define TINYNAS_HIL_EXIT_GUARD_BELOW 30    /* the guard zone below the arena was written */
#define TINYNAS_HIL_EXIT_GUARD_ABOVE 31    /* the guard zone above the arena was written */
#define TINYNAS_HIL_EXIT_STACK_OVERFLOW 32 /* the stack used all free RAM down to the arena */
#define TINYNAS_HIL_EXIT_HARDFAULT 90
#define TINYNAS_HIL_EXIT_MEMMANAGE 91
#define TINYNAS_HIL_EXIT_BUSFAULT 92
#define TINYNAS_HIL_EXIT_USAGEFAULT 93
#define TINYNAS_HIL_EXIT_NMI 94
#define TINYNAS_HIL_EXIT_UNEXPECTED_IRQ 95

#endif /* TINYNAS_HIL_PROTOCOL_H */
