// What the host needs to know about a generated model project before running it: the byte sizes of
// its input and output, read from the `#define TINYNAS_INPUT_BYTES 192` lines of model.h (the
// engine's contract). The firmware reports the same numbers back, and the two are compared.
//
//   ModelHeader h = read_model_header("model/");   // h.input_bytes, h.output_bytes
#pragma once

#include <cstdint>
#include <string>

namespace tinynas::firmware {

struct ModelHeader {
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  int64_t arena_bytes = -1;  // -1 when model.h defines it as an expression rather than a number
};

// Throws std::invalid_argument when model_dir/model.h is missing or lacks a positive integer
// TINYNAS_INPUT_BYTES / TINYNAS_OUTPUT_BYTES (the message names the macro).
ModelHeader read_model_header(const std::string& model_dir);

// The same, from model.h's text; `where` names the file in messages.
ModelHeader parse_model_header(const std::string& text, const std::string& where);

}  // namespace tinynas::firmware
