#include "util/json_reader.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/byte_size.h"

namespace tinynas::util {

nlohmann::json read_json_file(const std::string& path) {
  // A folder opens as an empty stream: say what it is rather than report a syntax error.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw std::invalid_argument("'" + path + "' is a folder, not a JSON file");
  const std::optional<std::string> file = read_file(path);
  if (!file)
    throw std::invalid_argument("cannot open '" + path + "': no such file or not readable");
  const std::string& text = *file;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Turn the byte offset into line and column so the user can find the mistake.
    size_t line = 1, column = 1;
    const size_t end = std::min(e.byte == 0 ? size_t{0} : e.byte - 1, text.size());
    for (size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    const size_t colon = what.find(": ", what.find("parse error"));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    throw std::invalid_argument(path + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                ": JSON syntax error: " + what);
  }
}

std::string resolve_named_config(const std::string& name_or_path, const std::string& config_dir,
                                 const std::string& folder, const std::string& what) {
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
  if (is_path) return name_or_path;
  const std::string dir = config_dir + "/" + folder;
  const std::string path = dir + "/" + name_or_path + ".json";
  if (std::filesystem::is_regular_file(path)) return path;
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown " + what + " '" + name_or_path + "' (known " + what +
                              "s: " + (list.empty() ? "none found in " + dir : list) + ")");
}

const char* json_type_name(const nlohmann::json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  return value.type_name();
}

ObjectReader::ObjectReader(const nlohmann::json& object, std::string context)
    : object_(object), context_(std::move(context)) {
  if (!object_.is_object())
    throw std::invalid_argument(context_ + ": expected a JSON object, got " +
                                json_type_name(object_));
}

void ObjectReader::fail(const std::string& key, const std::string& what) const {
  throw std::invalid_argument(context_ + ": '" + key + "' " + what);
}

const nlohmann::json& ObjectReader::at(const std::string& key) {
  known_.insert(key);
  if (!has(key)) fail(key, "is missing");
  return object_.at(key);
}

int64_t ObjectReader::size(const std::string& key) {
  const nlohmann::json& value = at(key);
  if (value.is_number_integer()) {
    const int64_t bytes = value.get<int64_t>();
    if (bytes <= 0) fail(key, "must be a positive size, got " + std::to_string(bytes));
    return bytes;
  }
  if (value.is_string()) {
    try {
      return parse_byte_size(value.get<std::string>());
    } catch (const std::invalid_argument& e) {
      fail(key, e.what());
    }
  }
  fail(key, std::string("must be a size (bytes or a string such as \"320K\"), got ") +
                json_type_name(value));
}

int64_t ObjectReader::optional_size(const std::string& key, int64_t fallback) {
  known_.insert(key);
  return has(key) ? size(key) : fallback;
}

void ObjectReader::finish() const {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (known_.count(it.key()) == 0) {
      std::string expected;
      for (const std::string& k : known_) expected += (expected.empty() ? "" : ", ") + k;
      throw std::invalid_argument(context_ + ": unknown key '" + it.key() +
                                  "' (known keys: " + expected + ")");
    }
  }
}

}  // namespace tinynas::util
