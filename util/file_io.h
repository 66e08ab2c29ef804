// Whole-file reads and atomic writes: the two ways tinynas touches files it does not stream.
//
//   std::optional<std::string> text = read_file("model/model.h");   // nullopt: cannot be opened
//   write_file_atomically("runs/x/result.json", text);               // temporary file, then rename
#pragma once

#include <optional>
#include <string>

namespace tinynas::util {

// The file's bytes, or nullopt when it cannot be opened (callers say what was expected there).
std::optional<std::string> read_file(const std::string& path);

// Writes text to path atomically (a temporary file in the same folder, then rename). Throws
// std::runtime_error naming the file when it cannot.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace tinynas::util
