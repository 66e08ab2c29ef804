/* The tinynas bench harness: runs a generated model (model.h) on every input in inputs.bin, timing
 * each tinynas_invoke() with SysTick, checks the arena's guard zones after every inference, and
 * writes outputs.bin and stats.txt through semihosting. Its exit code says how it went
 * (hil_protocol.h). Built with the model by firmware/firmware_build.cpp.
 *
 * stats.txt lines (in this order; a failing run stops after an "error" line):
 *   tinynas_hil_stats 1
 *   model input_bytes I output_bytes O arena_bytes A
 *   inferences N
 *   timer_overhead_ticks T          ticks measured around an empty region
 *   marker_calibration calls C ticks T   TINYNAS_PROFILE only: C profiling markers in a row
 *   inference K ticks T status S    one per inference, K from 0
 *   layer L ticks T                 TINYNAS_PROFILE only: after each inference, one per layer
 *   stack_peak_bytes B
 *   error CODE WHAT [KEY VALUE]     only on failure; KEY is offset, inference or status
 *   done */
#include <stdint.h>

#include "hil_guard.h"
#include "hil_profile.h"
#include "hil_protocol.h"
#include "hil_semihost.h"
#include "hil_stats.h"
#include "hil_timer.h"
#include "model.h"

static int g_stats_fd = -1;

/* Reports a failure on stats.txt (when open) and stderr; returns code for main to exit with.
 * `key` (may be 0) names `value`. */
static int fail(int code, const char* what, const char* key, uint32_t value) {
  HilLine line;
  hil_line_begin(&line, "error");
  hil_line_u64(&line, (uint64_t)code);
  hil_line_str(&line, what);
  if (key != 0) hil_line_key_u64(&line, key, value);
  if (g_stats_fd >= 0) {
    (void)hil_line_end(&line, g_stats_fd);
    hil_sh_close(g_stats_fd);
  }
  hil_sh_write0("tinynas_hil: ");
  hil_sh_write0(what);
  hil_sh_write0("\n");
  return code;
}

static int write_line(HilLine* line) {
  return hil_line_end(line, g_stats_fd) == 0 ? 0 : TINYNAS_HIL_EXIT_OUTPUT_WRITE;
}

#ifdef TINYNAS_PROFILE
/* The cost of one marker, measured: HIL_PROFILE_CALIBRATION_CALLS calls made as the model makes
 * them (a constant in r0, a branch-and-link to another file), 16 per loop turn so the loop's own
 * instructions add little. */
#define HIL_MARK4()        \
  do {                     \
    tinynas_layer_done(0); \
    tinynas_layer_done(0); \
    tinynas_layer_done(0); \
    tinynas_layer_done(0); \
  } while (0)

static int report_marker_calibration(void) {
  HilLine line;
  uint32_t turn;
  hil_profile_begin();
  uint64_t t0 = hil_timer_now();
  for (turn = 0u; turn < HIL_PROFILE_CALIBRATION_CALLS / 16u; ++turn) {
    HIL_MARK4();
    HIL_MARK4();
    HIL_MARK4();
    HIL_MARK4();
  }
  uint64_t t1 = hil_timer_now();
  hil_line_begin(&line, "marker_calibration");
  hil_line_key_u64(&line, "calls", HIL_PROFILE_CALIBRATION_CALLS);
  hil_line_key_u64(&line, "ticks", t1 - t0);
  return write_line(&line);
}

/* One "layer L ticks T" line per layer of the inference just run. */
static int report_layers(void) {
  HilLine line;
  uint32_t layer;
  for (layer = 0u; layer < hil_profile.layers; ++layer) {
    hil_line_begin(&line, "layer");
    hil_line_u64(&line, layer);
    hil_line_key_u64(&line, "ticks", hil_profile_layer_ticks(layer));
    if (write_line(&line) != 0) return TINYNAS_HIL_EXIT_OUTPUT_WRITE;
  }
  return 0;
}
#endif

int main(void) {
  HilLine line;
  uint32_t offset = 0;
  int overflow = 0;

  hil_timer_start();
  hil_stack_paint();

  g_stats_fd = hil_sh_open(TINYNAS_HIL_STATS_FILE, HIL_SH_MODE_WRITE);
  if (g_stats_fd < 0) return fail(TINYNAS_HIL_EXIT_STATS_OPEN, "cannot_create_stats", 0, 0);
  hil_line_begin(&line, TINYNAS_HIL_STATS_MAGIC);
  if (write_line(&line) != 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);
  hil_line_begin(&line, "model");
  hil_line_key_u64(&line, "input_bytes", (uint64_t)TINYNAS_INPUT_BYTES);
  hil_line_key_u64(&line, "output_bytes", (uint64_t)TINYNAS_OUTPUT_BYTES);
  hil_line_key_u64(&line, "arena_bytes", (uint64_t)TINYNAS_ARENA_BYTES);
  if (write_line(&line) != 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);

  /* The guards only mean something if the section holds exactly the model's arena. */
  if (hil_arena_section_bytes() != (uint32_t)TINYNAS_ARENA_BYTES)
    return fail(TINYNAS_HIL_EXIT_ARENA_LAYOUT, "arena_section_size_differs", "bytes",
                hil_arena_section_bytes());
  hil_guards_fill();

  int inputs_fd = hil_sh_open(TINYNAS_HIL_INPUTS_FILE, HIL_SH_MODE_READ);
  if (inputs_fd < 0) return fail(TINYNAS_HIL_EXIT_INPUT_OPEN, "cannot_open_inputs", 0, 0);
  long input_file_bytes = hil_sh_flen(inputs_fd);
  if (input_file_bytes <= 0 || (uint32_t)input_file_bytes % (uint32_t)TINYNAS_INPUT_BYTES != 0u)
    return fail(TINYNAS_HIL_EXIT_INPUT_SIZE, "inputs_size_not_a_multiple_of_input_bytes", "bytes",
                (uint32_t)input_file_bytes);
  uint32_t count = (uint32_t)input_file_bytes / (uint32_t)TINYNAS_INPUT_BYTES;
  hil_line_begin(&line, "inferences");
  hil_line_u64(&line, count);
  if (write_line(&line) != 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);

  int outputs_fd = hil_sh_open(TINYNAS_HIL_OUTPUTS_FILE, HIL_SH_MODE_WRITE);
  if (outputs_fd < 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "cannot_create_outputs", 0, 0);

  uint64_t t0 = hil_timer_now();
  uint64_t t1 = hil_timer_now();
  hil_line_begin(&line, "timer_overhead_ticks");
  hil_line_u64(&line, t1 - t0);
  if (write_line(&line) != 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);
#ifdef TINYNAS_PROFILE
  if (report_marker_calibration() != 0)
    return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);
#endif

  for (uint32_t i = 0; i < count; ++i) {
    if (hil_sh_read(inputs_fd, tinynas_input(), (uint32_t)TINYNAS_INPUT_BYTES) != 0u)
      return fail(TINYNAS_HIL_EXIT_INPUT_READ, "short_read_from_inputs", "inference", i);
#ifdef TINYNAS_PROFILE
    hil_profile_begin();
#endif
    t0 = hil_timer_now();
    int status = tinynas_invoke();
    t1 = hil_timer_now();
#ifdef TINYNAS_PROFILE
    hil_profile_end(t0, t1);
#endif
    int guard = hil_guards_check(&offset);

    hil_line_begin(&line, "inference");
    hil_line_u64(&line, i);
    hil_line_key_u64(&line, "ticks", t1 - t0);
    hil_line_key_u64(&line, "status", (uint64_t)(uint32_t)status);
    if (write_line(&line) != 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);
#ifdef TINYNAS_PROFILE
    if (status == 0 && hil_profile.marks != hil_profile.layers)
      return fail(TINYNAS_HIL_EXIT_PROFILE_MARKS, "profile_marks_differ_from_layers", "marks",
                  hil_profile.marks);
    if (status == 0 && report_layers() != 0)
      return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);
#endif
    if (guard == TINYNAS_HIL_EXIT_GUARD_BELOW)
      return fail(guard, "guard_below_arena_corrupted", "offset", offset);
    if (guard == TINYNAS_HIL_EXIT_GUARD_ABOVE)
      return fail(guard, "guard_above_arena_corrupted", "offset", offset);
    if (status != 0)
      return fail(TINYNAS_HIL_EXIT_INVOKE, "invoke_failed", "status", (uint32_t)status);
    if (hil_sh_write(outputs_fd, tinynas_output(), (uint32_t)TINYNAS_OUTPUT_BYTES) != 0u)
      return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "outputs_write", 0, 0);
  }
  hil_sh_close(inputs_fd);
  hil_sh_close(outputs_fd);

  uint32_t stack_peak = hil_stack_peak_bytes(&overflow);
  hil_line_begin(&line, "stack_peak_bytes");
  hil_line_u64(&line, stack_peak);
  if (write_line(&line) != 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);
  if (overflow) return fail(TINYNAS_HIL_EXIT_STACK_OVERFLOW, "stack_reached_the_arena", 0, 0);

  hil_line_begin(&line, "done");
  if (write_line(&line) != 0) return fail(TINYNAS_HIL_EXIT_OUTPUT_WRITE, "stats_write", 0, 0);
  hil_sh_close(g_stats_fd);
  return TINYNAS_HIL_EXIT_OK;
}
