// Host verification of a generated C project: compile it with the host C compiler (C99, -Wall
// -Wextra -Werror, optionally with AddressSanitizer + UBSan) together with a small harness that
// reads int8 inputs from a file and writes the outputs, run it through util::run_process, and
// compare the outputs byte for byte with the reference interpreter.
//
//   HostModel exe("model/", {});                       // compiles into a temporary folder
//   std::vector<int8_t> out = exe.run(inputs, n);      // n inputs, concatenated
//   VerifyResult r = compare_outputs(expected, out, TINYNAS_OUTPUT_BYTES);
//
// The harness scribbles a different byte pattern over the whole arena before every inference
// (then writes the input), so code that reads a buffer it did not write shows up as a mismatch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/quant_model.h"

namespace tinynas::engine {

struct HostBuildOptions {
  std::string compiler = "gcc";
  bool sanitize = false;   // -fsanitize=address,undefined (-O1 -g)
  double timeout_s = 600;  // per compile and per run
};

class HostModel {
 public:
  // Compiles model_dir/*.c and the harness. Throws util::ProgramNotFound when the compiler is
  // missing and std::runtime_error (with the compiler's messages) when the code does not build.
  HostModel(const std::string& model_dir, const HostBuildOptions& options);
  ~HostModel();
  HostModel(const HostModel&) = delete;
  HostModel& operator=(const HostModel&) = delete;

  // Runs `count` inputs (concatenated in `inputs`) and returns the concatenated outputs. Throws
  // std::runtime_error when the program fails (a sanitizer report, a crash, a timeout). Safe to
  // call from several threads at once (each call runs its own process on its own files).
  std::vector<int8_t> run(const std::vector<int8_t>& inputs, int count) const;

  double compile_seconds() const { return compile_seconds_; }

 private:
  std::string work_dir_;
  std::string executable_;
  HostBuildOptions options_;
  double compile_seconds_ = 0;
};

struct VerifyResult {
  int inputs = 0;
  int mismatched_inputs = 0;
  int64_t mismatched_bytes = 0;
  int max_abs_diff = 0;
  std::string first_mismatch;  // "input 3, byte 17: expected -5, got -4"; empty when exact
  bool exact() const { return mismatched_bytes == 0; }
};

// expected and actual: outputs of equal length, output_bytes per input.
VerifyResult compare_outputs(const std::vector<int8_t>& expected, const std::vector<int8_t>& actual,
                             int output_bytes);

// count uniform random int8 inputs of `bytes` each, concatenated, reproducible from seed.
std::vector<int8_t> random_int8_inputs(int count, int64_t bytes, uint64_t seed);

// The reference interpreter on count concatenated inputs.
std::vector<int8_t> run_reference_batch(const QuantModel& model, const std::vector<int8_t>& inputs,
                                        int count);

}  // namespace tinynas::engine
