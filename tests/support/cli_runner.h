// Runs the built tinynas executable in end-to-end tests (TINYNAS_EXECUTABLE names it) and checks
// the error contract: no crash, no hang, exit code 2 for bad input (1 for a runtime failure) and a
// message on stderr naming the problem.
//
//   util::ProcessResult r = tinynas::testing::run_tinynas({"search", "--quiet"});
//   tinynas::testing::expect_bad_input({"search", "--sram", "0"}, "invalid size '0'");
//   tinynas::testing::expect_failure({"verify", "m/", "--compiler", "nocc"}, 1, "'nocc'");
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/process.h"

namespace tinynas::testing {

// The default timeout is generous: the sanitizer build and a busy CI machine are slow.
inline util::ProcessResult run_tinynas(std::vector<std::string> args, double timeout_s = 300) {
  args.insert(args.begin(), TINYNAS_EXECUTABLE);
  util::ProcessOptions options;
  options.timeout_s = timeout_s;
  return util::run_process(args, options);
}

// The errors tinynas ended with: stderr from its first "tinynas: error:" or "tinynas: failed:" on
// (a train --nproc launcher's summary follows its rank's error), all of it when there is none (a
// usage text), so a log line that merely mentions a file cannot stand in for a message about it.
inline std::string final_error(const std::string& err) {
  const size_t start = std::min(err.find("tinynas: error: "), err.find("tinynas: failed: "));
  return start == std::string::npos ? err : err.substr(start);
}

// tinynas ARGS ends by itself within timeout_s, without a signal, with exit_code and message in
// its final error.
inline void expect_failure(const std::vector<std::string>& args, int exit_code,
                           const std::string& message, double timeout_s = 300) {
  const util::ProcessResult r = run_tinynas(args, timeout_s);
  const std::string command = "tinynas " + util::format_command(args);
  EXPECT_FALSE(r.timed_out) << command << "\nhung: still running after " << timeout_s << " s";
  EXPECT_EQ(r.term_signal, 0) << command << "\ncrashed with signal " << r.term_signal
                              << "\nstderr: " << r.err;
  EXPECT_EQ(r.exit_code, exit_code) << command << "\nstderr: " << r.err;
  EXPECT_NE(final_error(r.err).find(message), std::string::npos)
      << command << "\nexpected '" << message << "' in the error: " << r.err;
}

inline void expect_bad_input(const std::vector<std::string>& args, const std::string& message) {
  expect_failure(args, 2, message);
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace tinynas::testing
