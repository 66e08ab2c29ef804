#include "engine/host_verify.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "engine/reference_interpreter.h"
#include "util/file_io.h"
#include "util/json_reader.h"
#include "util/process.h"

namespace tinynas::engine {
namespace fs = std::filesystem;

namespace {

constexpr const char* kHarness =
    R"(/* tinynas host harness: runs the model on every input in a file.
 * usage: harness INPUTS OUTPUTS   (raw int8, TINYNAS_INPUT_BYTES / TINYNAS_OUTPUT_BYTES each) */
#include <stdio.h>
#include <string.h>

#include "model.h"

int main(int argc, char **argv) {
  FILE *in, *out;
  unsigned n = 0;
  if (argc != 3) {
    fprintf(stderr, "usage: %s INPUTS OUTPUTS\n", argv[0]);
    return 2;
  }
  in = fopen(argv[1], "rb");
  out = fopen(argv[2], "wb");
  if (!in || !out) {
    fprintf(stderr, "cannot open the input or output file\n");
    return 2;
  }
  for (;;) {
    /* A different pattern over the whole arena every time: reading stale bytes shows. */
    memset(tinynas_arena, (int)((n * 37u + 11u) & 0xFF), TINYNAS_ARENA_BYTES);
    if (fread(tinynas_input(), 1, TINYNAS_INPUT_BYTES, in) != TINYNAS_INPUT_BYTES) break;
    if (tinynas_invoke() != 0) {
      fprintf(stderr, "tinynas_invoke failed on input %u\n", n);
      return 3;
    }
    if (fwrite(tinynas_output(), 1, TINYNAS_OUTPUT_BYTES, out) != TINYNAS_OUTPUT_BYTES) return 4;
    ++n;
  }
  fclose(in);
  return fclose(out) == 0 ? 0 : 4;
}
)";

std::string make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "tinynas-verify-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a temporary folder under " +
                             fs::temp_directory_path().string());
  return pattern;
}

std::string tail(const std::string& text, size_t n = 4000) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

}  // namespace

HostModel::HostModel(const std::string& model_dir, const HostBuildOptions& options)
    : options_(options) {
  if (!fs::is_regular_file(fs::path(model_dir) / "model.h"))
    throw std::invalid_argument("'" + model_dir + "' is not a generated model folder (no model.h)");
  std::vector<std::string> sources;
  for (const fs::directory_entry& e : fs::directory_iterator(model_dir))
    if (e.is_regular_file() && e.path().extension() == ".c")
      sources.push_back(fs::absolute(e.path()).string());
  std::sort(sources.begin(), sources.end());

  work_dir_ = make_temp_dir();
  util::write_file_atomically(work_dir_ + "/harness.c", kHarness);
  executable_ = work_dir_ + "/harness";
  std::vector<std::string> argv = {options.compiler, "-std=c99", "-Wall", "-Wextra", "-Werror"};
  if (options.sanitize) {
    for (const char* f : {"-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                          "-fno-omit-frame-pointer"})
      argv.push_back(f);
  } else {
    argv.push_back("-O2");
  }
  argv.push_back("-I" + fs::absolute(model_dir).string());
  argv.insert(argv.end(), sources.begin(), sources.end());
  argv.push_back(work_dir_ + "/harness.c");
  argv.push_back("-o");
  argv.push_back(executable_);
  util::ProcessOptions popts;
  popts.timeout_s = options.timeout_s;
  const util::ProcessResult r = util::run_process(argv, popts);
  compile_seconds_ = r.seconds;
  if (r.timed_out || r.exit_code != 0)
    throw std::runtime_error("compiling the generated C failed (" + util::format_command(argv) +
                             "):\n" + tail(r.err + r.out));
}

HostModel::~HostModel() {
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
}

std::vector<int8_t> HostModel::run(const std::vector<int8_t>& inputs, int count) const {
  // Files of their own per call, so several threads may run batches at once.
  static std::atomic<uint64_t> calls{0};
  const std::string id = std::to_string(calls.fetch_add(1));
  const std::string in_path = work_dir_ + "/inputs" + id + ".bin";
  const std::string out_path = work_dir_ + "/outputs" + id + ".bin";
  util::write_file_atomically(
      in_path, std::string(reinterpret_cast<const char*>(inputs.data()), inputs.size()));
  std::error_code ec;
  fs::remove(out_path, ec);
  util::ProcessOptions popts;
  popts.timeout_s = options_.timeout_s;
  const util::ProcessResult r = util::run_process({executable_, in_path, out_path}, popts);
  if (r.timed_out) throw std::runtime_error("the host model timed out");
  if (r.exit_code != 0)
    throw std::runtime_error("the host model failed (exit " + std::to_string(r.exit_code) + "):\n" +
                             tail(r.err + r.out));
  const std::string bytes = util::read_file(out_path).value_or("");
  fs::remove(in_path, ec);
  fs::remove(out_path, ec);
  std::vector<int8_t> out(bytes.begin(), bytes.end());
  if (count > 0 && out.size() % static_cast<size_t>(count) != 0)
    throw std::runtime_error("the host model wrote " + std::to_string(out.size()) + " bytes for " +
                             std::to_string(count) + " inputs");
  return out;
}

VerifyResult compare_outputs(const std::vector<int8_t>& expected, const std::vector<int8_t>& actual,
                             int output_bytes) {
  VerifyResult r;
  if (output_bytes <= 0) throw std::invalid_argument("output size must be positive");
  r.inputs = static_cast<int>(expected.size() / static_cast<size_t>(output_bytes));
  if (actual.size() != expected.size()) {
    r.mismatched_inputs = r.inputs;
    r.mismatched_bytes = static_cast<int64_t>(expected.size());
    r.first_mismatch = "expected " + std::to_string(expected.size()) + " output bytes, got " +
                       std::to_string(actual.size());
    return r;
  }
  for (int i = 0; i < r.inputs; ++i) {
    bool bad = false;
    for (int j = 0; j < output_bytes; ++j) {
      const size_t k = static_cast<size_t>(i) * output_bytes + j;
      if (expected[k] == actual[k]) continue;
      bad = true;
      ++r.mismatched_bytes;
      r.max_abs_diff = std::max(r.max_abs_diff, std::abs(expected[k] - actual[k]));
      if (r.first_mismatch.empty())
        r.first_mismatch = "input " + std::to_string(i) + ", byte " + std::to_string(j) +
                           ": expected " + std::to_string(expected[k]) + ", got " +
                           std::to_string(actual[k]);
    }
    r.mismatched_inputs += bad;
  }
  return r;
}

std::vector<int8_t> random_int8_inputs(int count, int64_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int8_t> v(static_cast<size_t>(count) * static_cast<size_t>(bytes));
  for (int8_t& x : v) x = static_cast<int8_t>(static_cast<uint8_t>(rng() >> 56));
  return v;
}

std::vector<int8_t> run_reference_batch(const QuantModel& model, const std::vector<int8_t>& inputs,
                                        int count) {
  const memory::Graph& g = model.graph;
  const auto in_bytes = static_cast<size_t>(g.tensor(g.input()).bytes());
  if (count < 0 || inputs.size() != in_bytes * static_cast<size_t>(count))
    throw std::invalid_argument("input batch size does not match the model");
  std::vector<int8_t> out;
  for (int i = 0; i < count; ++i) {
    const auto begin = inputs.begin() + static_cast<std::ptrdiff_t>(in_bytes * i);
    const std::vector<int8_t> y = run_reference(
        model, std::vector<int8_t>(begin, begin + static_cast<std::ptrdiff_t>(in_bytes)));
    out.insert(out.end(), y.begin(), y.end());
  }
  return out;
}

}  // namespace tinynas::engine
