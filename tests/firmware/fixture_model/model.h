/* Test fixture: a hand-written "generated model project" honouring the engine's contract (see
 * firmware/hil.h), small enough to check by hand. One layer: output[i] = saturate(input[i] + 1 +
 * bias[i % 3]) for an 8x8x3 int8 tensor, input and output both inside the arena, bias in Flash.
 *
 * Test-only switches (defined through FirmwareRequest::extra_cflags):
 *   FIXTURE_EXTRA_ARENA_BYTES=N  grows the arena by N bytes (link-time overflow test)
 *   FIXTURE_WRITE_ABOVE_ARENA    writes one byte past the arena (guard test)
 *   FIXTURE_WRITE_BELOW_ARENA    writes one byte before the arena (guard test)
 *   FIXTURE_INVOKE_FAILS         tinynas_invoke returns 7 on the second inference
 *   FIXTURE_HANG                 tinynas_invoke never returns (timeout test)
 *   FIXTURE_FAULT                tinynas_invoke reads unmapped memory (fault test) */
#ifndef TINYNAS_MODEL_H
#define TINYNAS_MODEL_H

#include <stdint.h>

#define TINYNAS_INPUT_HEIGHT 8
#define TINYNAS_INPUT_WIDTH 8
#define TINYNAS_INPUT_CHANNELS 3
#define TINYNAS_INPUT_BYTES 192
#define TINYNAS_OUTPUT_BYTES 192
#define TINYNAS_INPUT_SCALE 0.5f
#define TINYNAS_INPUT_ZERO_POINT 0
#define TINYNAS_OUTPUT_SCALE 0.5f
#define TINYNAS_OUTPUT_ZERO_POINT 1

#ifndef FIXTURE_EXTRA_ARENA_BYTES
#define FIXTURE_EXTRA_ARENA_BYTES 0
#endif
#define TINYNAS_ARENA_BYTES (TINYNAS_INPUT_BYTES + TINYNAS_OUTPUT_BYTES + FIXTURE_EXTRA_ARENA_BYTES)

extern int8_t tinynas_arena[TINYNAS_ARENA_BYTES];

int8_t* tinynas_input(void);
const int8_t* tinynas_output(void);
/* 0 on success. */
int tinynas_invoke(void);

#endif /* TINYNAS_MODEL_H */
