// Helpers shared by the firmware tests: a temporary folder, the fixture model's expected outputs
// computed on the host, and skips when the ARM toolchain or QEMU is not installed.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "util/process.h"

namespace tinynas::firmware::testing {

using tinynas::testing::TempDir;

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline const char* fixture_model_dir() {
  return TINYNAS_TEST_FIXTURE_MODEL;
}

// The fixture's input and output sizes (tests/firmware/fixture_model/model.h and model.json).
constexpr int kFixtureBytes = 192;

// `count` fixture inputs covering the whole int8 range (both saturation ends included).
inline std::vector<int8_t> fixture_inputs(int count) {
  std::vector<int8_t> inputs(static_cast<size_t>(count) * kFixtureBytes);
  uint32_t state = 12345;
  for (size_t i = 0; i < inputs.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    inputs[i] = static_cast<int8_t>(static_cast<uint8_t>(state >> 24));
  }
  inputs[0] = 127;   // + 1 + 0 saturates high
  inputs[2] = -128;  // + 1 - 7 saturates low
  return inputs;
}

// The fixture model computed on the host: out[i] = saturate(in[i] + 1 + bias[i % 3]).
inline std::vector<int8_t> fixture_expected(const std::vector<int8_t>& inputs) {
  const int bias[3] = {0, 5, -7};
  std::vector<int8_t> out(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    int v = inputs[i] + 1 + bias[(i % kFixtureBytes) % 3];
    out[i] = static_cast<int8_t>(v > 127 ? 127 : v < -128 ? -128 : v);
  }
  return out;
}

// Why QEMU tests cannot run here, or "" when arm-none-eabi-gcc and qemu-system-arm are installed.
inline std::string missing_arm_tools() {
  for (const char* tool : {"arm-none-eabi-gcc", "arm-none-eabi-size", "qemu-system-arm"})
    if (!util::program_available(tool))
      return std::string(tool) +
             " is not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi "
             "qemu-system-arm)";
  return "";
}

}  // namespace tinynas::firmware::testing

#define TINYNAS_SKIP_WITHOUT_ARM_TOOLS()                                                   \
  do {                                                                                     \
    const std::string missing = ::tinynas::firmware::testing::missing_arm_tools();         \
    if (!missing.empty()) GTEST_SKIP() << "needs the ARM toolchain and QEMU: " << missing; \
  } while (0)
