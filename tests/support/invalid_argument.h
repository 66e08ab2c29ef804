// The message of the std::invalid_argument a call throws, for tests of bad-input errors; an
// empty string and a test failure when it throws nothing.
//
//   EXPECT_NE(invalid_message([&] { load("missing"); }).find("missing"), std::string::npos);
#pragma once

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace tinynas::testing {

template <typename F>
std::string invalid_message(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument";
  return "";
}

}  // namespace tinynas::testing
