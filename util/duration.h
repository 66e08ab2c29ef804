// Wall-clock durations as people write them: "2h30m", "90m", "45s", "1h", "1.5h", or a plain
// number of seconds ("5400"), for budgets and timeouts.
#pragma once

#include <string>

namespace tinynas::util {

// Seconds. Throws std::invalid_argument naming the text and the expected form when it is not a
// positive duration ("0", "-5m", "2x", "h", "1h1h" are rejected).
double parse_duration(const std::string& text);

// "2h30m", "12m05s", "45s": the inverse of parse_duration for whole seconds.
std::string format_duration(double seconds);

}  // namespace tinynas::util
