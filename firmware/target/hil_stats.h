/* Writes stats.txt, the harness's report to the host: one "key value ..." line at a time, straight
 * to a semihosting file, with no printf and no heap. The format is read by
 * firmware/bench_stats.cpp.
 *
 *   HilLine line;
 *   hil_line_begin(&line, "inference");
 *   hil_line_u64(&line, 3);
 *   hil_line_key_u64(&line, "ticks", 1234);
 *   if (hil_line_end(&line, fd) != 0) ... write failed ...
 */
#ifndef TINYNAS_HIL_STATS_H
#define TINYNAS_HIL_STATS_H

#include <stdint.h>

typedef struct {
  char text[160];
  uint32_t length;
} HilLine;

void hil_line_begin(HilLine* line, const char* key);
/* Appends " text". */
void hil_line_str(HilLine* line, const char* text);
/* Appends " value" in decimal. */
void hil_line_u64(HilLine* line, uint64_t value);
/* Appends " key value". */
void hil_line_key_u64(HilLine* line, const char* key, uint64_t value);
/* Appends "\n" and writes the line; returns 0 on success. */
int hil_line_end(HilLine* line, int fd);

#endif /* TINYNAS_HIL_STATS_H */
