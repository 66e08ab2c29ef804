// Strict reading of the JSON inputs users write (boards, spaces, archs, experiments): files are
// parsed with line/column in syntax errors, every field is type-checked with its name in the
// message, and keys nobody asked for are reported, so a typo never silently falls back to a
// default.
//
//   ObjectReader r(json, "board 'stm32f746'");
//   board.sram_bytes = r.size("sram_bytes");
//   board.clock_hz = r.optional<int64_t>("clock_hz", 0);
//   r.finish();   // throws on unknown keys
//
// All errors are std::invalid_argument (bad input, exit code 2 in the CLI).
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "util/file_io.h"  // write_file_atomically, for the JSON writers

namespace tinynas::util {

// Reads and parses a JSON file; a syntax error names the file, line and column.
nlohmann::json read_json_file(const std::string& path);

// The file of a named config: name_or_path is either a path (it contains '/' or ends in .json) or
// a name under <config_dir>/<folder>/ ("stm32f746" -> boards/stm32f746.json). An unknown name
// throws std::invalid_argument listing the known ones: "unknown board 'x' (known boards: ...)".
std::string resolve_named_config(const std::string& name_or_path, const std::string& config_dir,
                                 const std::string& folder, const std::string& what);

// "string", "integer", "number", "array", ... for messages.
const char* json_type_name(const nlohmann::json& value);

class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& object, std::string context);

  bool has(const std::string& key) const { return object_.contains(key); }
  // Marks key as known and returns its value; throws if missing.
  const nlohmann::json& at(const std::string& key);

  template <typename T>
  T get(const std::string& key) {
    return convert<T>(key, at(key));
  }
  template <typename T>
  T optional(const std::string& key, T fallback) {
    known_.insert(key);
    return has(key) ? convert<T>(key, object_.at(key)) : fallback;
  }
  // Marks key as known without reading it (a key read only when present), so that finish() lists
  // it among the keys the object may have.
  void allow(const std::string& key) { known_.insert(key); }
  // A byte size: a positive integer or a string such as "320K" (see byte_size.h).
  int64_t size(const std::string& key);
  int64_t optional_size(const std::string& key, int64_t fallback);

  // Throws naming the first key that no get/optional/at call asked for.
  void finish() const;
  const std::string& context() const { return context_; }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  template <typename T>
  T convert(const std::string& key, const nlohmann::json& value) const {
    if constexpr (std::is_same_v<T, bool>) {
      if (!value.is_boolean())
        fail(key, std::string("must be true or false, got ") + json_type_name(value));
    } else if constexpr (std::is_integral_v<T>) {
      if (!value.is_number_integer())
        fail(key, std::string("must be an integer, got ") + json_type_name(value));
      // get<T> would wrap 3000000000 to a negative int: a message about the wrong number.
      if (!integer_fits<T>(value)) fail(key, "is out of range, got " + value.dump());
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!value.is_number())
        fail(key, std::string("must be a number, got ") + json_type_name(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!value.is_string())
        fail(key, std::string("must be a string, got ") + json_type_name(value));
    }
    try {
      return value.get<T>();
    } catch (const nlohmann::json::exception& e) {
      fail(key, e.what());
    }
  }

  template <typename T>
  static bool integer_fits(const nlohmann::json& value) {
    const uint64_t max = static_cast<uint64_t>(std::numeric_limits<T>::max());
    if (value.is_number_unsigned()) return value.get<uint64_t>() <= max;
    const int64_t v = value.get<int64_t>();
    if (v < 0)
      return std::is_signed_v<T> && v >= static_cast<int64_t>(std::numeric_limits<T>::min());
    return static_cast<uint64_t>(v) <= max;
  }

  const nlohmann::json& object_;
  std::string context_;
  std::set<std::string> known_;
};

}  // namespace tinynas::util
