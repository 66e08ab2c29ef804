#include "hil_stats.h"

#include "hil_semihost.h"

static void append_char(HilLine* line, char c) {
  /* Keep one byte for the newline; longer lines are cut, never overrun. */
  if (line->length + 1u < sizeof(line->text)) line->text[line->length++] = c;
}

static void append_text(HilLine* line, const char* text) {
  while (*text != '\0') append_char(line, *text++);
}

void hil_line_begin(HilLine* line, const char* key) {
  line->length = 0;
  append_text(line, key);
}

void hil_line_str(HilLine* line, const char* text) {
  append_char(line, ' ');
  append_text(line, text);
}

void hil_line_u64(HilLine* line, uint64_t value) {
  char digits[20];
  uint32_t n = 0;
  do {
    digits[n++] = (char)('0' + (int)(value % 10u));
    value /= 10u;
  } while (value != 0u);
  append_char(line, ' ');
  while (n > 0u) append_char(line, digits[--n]);
}

void hil_line_key_u64(HilLine* line, const char* key, uint64_t value) {
  hil_line_str(line, key);
  hil_line_u64(line, value);
}

int hil_line_end(HilLine* line, int fd) {
  line->text[line->length++] = '\n';
  return hil_sh_write(fd, line->text, line->length) == 0u ? 0 : -1;
}
