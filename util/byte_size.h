// Memory sizes as people write them: "320K", "1M", "256KiB", "1048576". K/KB/KiB and M/MB/MiB are
// all binary (x1024), as microcontroller datasheets mean them; a plain number is bytes.
#pragma once

#include <cstdint>
#include <string>

namespace tinynas::util {

// Throws std::invalid_argument naming the text and what was expected when it is not a positive
// size ("0", "-1", "abc", "320Q" are rejected).
int64_t parse_byte_size(const std::string& text);

// "320K", "1M", "1.5K" style, for messages and reports (exact for whole KiB/MiB).
std::string format_byte_size(int64_t bytes);

}  // namespace tinynas::util
