#include "util/byte_size.h"

#include <cctype>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace tinynas::util {

int64_t parse_byte_size(const std::string& text) {
  const auto fail = [&](const std::string& why) {
    return std::invalid_argument("invalid size '" + text + "': " + why +
                                 " (expected a positive number of bytes with an optional suffix "
                                 "K, KB, KiB, M, MB, MiB, e.g. 320K or 1M)");
  };
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0) {
    if (!text.empty() && text[0] == '-') throw fail("sizes cannot be negative");
    throw fail("it does not start with a number");
  }
  if (i > 15) throw fail("number too large");
  const int64_t number = std::stoll(text.substr(0, i));
  std::string suffix = text.substr(i);
  for (char& ch : suffix) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  int64_t scale = 0;
  if (suffix.empty() || suffix == "B") {
    scale = 1;
  } else if (suffix == "K" || suffix == "KB" || suffix == "KIB") {
    scale = 1024;
  } else if (suffix == "M" || suffix == "MB" || suffix == "MIB") {
    scale = 1024 * 1024;
  } else {
    throw fail("unknown suffix '" + text.substr(i) + "'");
  }
  if (number == 0) throw fail("a size must be greater than zero");
  if (number > std::numeric_limits<int64_t>::max() / scale) throw fail("number too large");
  return number * scale;
}

std::string format_byte_size(int64_t bytes) {
  constexpr int64_t kKiB = 1024;
  constexpr int64_t kMiB = 1024 * 1024;
  char text[48];
  if (bytes >= kMiB && bytes % kMiB == 0) {
    std::snprintf(text, sizeof text, "%lldM", static_cast<long long>(bytes / kMiB));
  } else if (bytes >= kKiB && bytes % kKiB == 0) {
    std::snprintf(text, sizeof text, "%lldK", static_cast<long long>(bytes / kKiB));
  } else if (bytes >= kKiB) {
    std::snprintf(text, sizeof text, "%.1fK", static_cast<double>(bytes) / kKiB);
  } else {
    std::snprintf(text, sizeof text, "%lldB", static_cast<long long>(bytes));
  }
  return text;
}

}  // namespace tinynas::util
