#include "firmware/link_errors.h"

#include <algorithm>
#include <sstream>

namespace tinynas::firmware {

namespace {

// The name quoted at text[at] (ld writes `NAME' or 'NAME'), or "" when none starts there. *end is
// set past the closing quote.
std::string quoted_at(const std::string& text, size_t at, size_t* end) {
  if (at >= text.size() || (text[at] != '`' && text[at] != '\'')) return "";
  const size_t close = text.find('\'', at + 1);
  if (close == std::string::npos) return "";
  *end = close + 1;
  return text.substr(at + 1, close - at - 1);
}

// "section `S' will not fit in region `R'" -> (S, R).
bool parse_will_not_fit(const std::string& line, std::string* section, std::string* region) {
  const size_t at = line.find("section ");
  const std::string middle = " will not fit in region ";
  if (at == std::string::npos) return false;
  size_t end = 0;
  *section = quoted_at(line, at + 8, &end);
  if (section->empty() || line.compare(end, middle.size(), middle) != 0) return false;
  *region = quoted_at(line, end + middle.size(), &end);
  return !region->empty();
}

// "region `R' overflowed by N bytes" -> (R, N).
bool parse_overflowed(const std::string& line, std::string* region, int64_t* bytes) {
  const std::string middle = " overflowed by ";
  for (size_t at = line.find("region "); at != std::string::npos;
       at = line.find("region ", at + 1)) {
    size_t end = 0;
    *region = quoted_at(line, at + 7, &end);
    if (region->empty() || line.compare(end, middle.size(), middle) != 0) continue;
    const size_t digits = end + middle.size();
    size_t last = digits;
    while (last < line.size() && line[last] >= '0' && line[last] <= '9') ++last;
    if (last == digits) return false;
    *bytes = std::stoll(line.substr(digits, last - digits));
    return true;
  }
  return false;
}

}  // namespace

std::vector<RegionOverflow> find_region_overflows(const std::string& linker_output) {
  std::vector<RegionOverflow> found;
  std::vector<std::pair<std::string, std::string>> misfits;  // (section, region)
  auto region_entry = [&found](const std::string& region) -> RegionOverflow& {
    for (RegionOverflow& r : found)
      if (r.region == region) return r;
    found.push_back(RegionOverflow{region, 0, {}});
    return found.back();
  };
  std::istringstream lines(linker_output);
  std::string line;
  std::string section;
  std::string region;
  int64_t bytes = 0;
  while (std::getline(lines, line)) {
    if (parse_will_not_fit(line, &section, &region)) {
      misfits.emplace_back(section, region);
    } else if (parse_overflowed(line, &region, &bytes)) {
      RegionOverflow& r = region_entry(region);
      if (r.overflow_bytes == 0) r.overflow_bytes = bytes;
    }
  }
  for (const auto& [misfit, in_region] : misfits) {
    RegionOverflow& r = region_entry(in_region);
    if (std::find(r.sections.begin(), r.sections.end(), misfit) == r.sections.end())
      r.sections.push_back(misfit);
  }
  return found;
}

}  // namespace tinynas::firmware
