// Runs the built tinynas executable in end-to-end tests (TINYNAS_EXECUTABLE names it) and checks
// the bad-input contract: exit code 2 and a message on stderr naming the problem.
//
//   util::ProcessResult r = tinynas::testing::run_tinynas({"search", "--quiet"});
//   tinynas::testing::expect_bad_input({"search", "--sram", "0"}, "invalid size '0'");
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/process.h"

namespace tinynas::testing {

inline util::ProcessResult run_tinynas(std::vector<std::string> args) {
  args.insert(args.begin(), TINYNAS_EXECUTABLE);
  util::ProcessOptions options;
  options.timeout_s = 300;  // generous: the sanitizer build and a busy CI machine are slow
  return util::run_process(args, options);
}

inline void expect_bad_input(const std::vector<std::string>& args, const std::string& message) {
  const util::ProcessResult r = run_tinynas(args);
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  EXPECT_EQ(r.exit_code, 2) << joined << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos)
      << joined << "\nexpected '" << message << "' in stderr: " << r.err;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace tinynas::testing
