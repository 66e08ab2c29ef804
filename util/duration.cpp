#include "util/duration.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace tinynas::util {

double parse_duration(const std::string& text) {
  const auto bad = [&] {
    return std::invalid_argument("'" + text +
                                 "' is not a duration: expected e.g. 2h30m, 90m, 45s or seconds");
  };
  if (text.empty()) throw bad();
  double total = 0;
  size_t i = 0;
  const std::string units = "hms";
  size_t next_unit = 0;  // units must come in order h, m, s, each at most once
  while (i < text.size()) {
    size_t end = i;
    while (end < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
      ++end;
    if (end == i) throw bad();
    double value = 0;
    try {
      size_t used = 0;
      value = std::stod(text.substr(i, end - i), &used);
      if (used != end - i) throw bad();
    } catch (const std::logic_error&) {
      throw bad();
    }
    if (end == text.size()) {  // a bare number: seconds, and only on its own
      if (i != 0) throw bad();
      total = value;
      break;
    }
    const size_t unit = units.find(text[end], next_unit);
    if (unit == std::string::npos) throw bad();
    total += value * (unit == 0 ? 3600 : unit == 1 ? 60 : 1);
    next_unit = unit + 1;
    i = end + 1;
  }
  if (!(total > 0) || !std::isfinite(total)) throw bad();
  return total;
}

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char text[48];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lds", s);
  return text;
}

}  // namespace tinynas::util
