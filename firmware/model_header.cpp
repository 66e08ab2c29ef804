#include "firmware/model_header.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/file_io.h"

namespace tinynas::firmware {
namespace {

std::string trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// The value of `#define NAME 123` (also `(123)`, `123u` and a trailing comment), -1 when it is not
// a plain number, and -2 when NAME is not defined.
int64_t define_value(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::string rest = trim(line);
    if (rest.empty() || rest[0] != '#') continue;
    rest = trim(rest.substr(1));
    if (rest.compare(0, 7, "define ") != 0 && rest.compare(0, 7, "define\t") != 0) continue;
    rest = trim(rest.substr(7));
    if (rest.compare(0, name.size(), name) != 0 || rest.size() == name.size() ||
        (rest[name.size()] != ' ' && rest[name.size()] != '\t'))
      continue;
    std::string value = trim(rest.substr(name.size()));
    const size_t comment = value.find("/");
    if (comment != std::string::npos) value = trim(value.substr(0, comment));
    if (value.size() >= 2 && value.front() == '(' && value.back() == ')')
      value = trim(value.substr(1, value.size() - 2));
    while (!value.empty() && std::string("uUlL").find(value.back()) != std::string::npos)
      value.pop_back();
    if (value.empty() || value.size() > 15 ||
        value.find_first_not_of("0123456789") != std::string::npos)
      return -1;
    return std::stoll(value);
  }
  return -2;
}

int64_t required(const std::string& text, const std::string& name, const std::string& where) {
  const int64_t value = define_value(text, name);
  if (value == -2) throw std::invalid_argument(where + ": does not define " + name);
  if (value <= 0)
    throw std::invalid_argument(where + ": " + name + " must be a positive integer literal");
  return value;
}

}  // namespace

ModelHeader parse_model_header(const std::string& text, const std::string& where) {
  ModelHeader header;
  header.input_bytes = required(text, "TINYNAS_INPUT_BYTES", where);
  header.output_bytes = required(text, "TINYNAS_OUTPUT_BYTES", where);
  const int64_t arena = define_value(text, "TINYNAS_ARENA_BYTES");
  header.arena_bytes = arena > 0 ? arena : -1;
  return header;
}

ModelHeader read_model_header(const std::string& model_dir) {
  const std::filesystem::path path = std::filesystem::path(model_dir) / "model.h";
  const std::optional<std::string> text = util::read_file(path.string());
  if (!text)
    throw std::invalid_argument("model folder '" + model_dir +
                                "' has no readable model.h (expected a project written by "
                                "tinynas export)");
  return parse_model_header(*text, path.string());
}

}  // namespace tinynas::firmware
