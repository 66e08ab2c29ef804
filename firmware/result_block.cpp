#include "firmware/result_block.h"

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "firmware/target/hil_result.h"

namespace tinynas::firmware {
namespace {

// The offsets documented in hil_result.h hold on the host too (same alignment rules as AAPCS).
static_assert(offsetof(HilResultHeader, state) == 12);
static_assert(offsetof(HilResultHeader, output_hash) == 68);
static_assert(offsetof(HilResultHeader, ticks_min) == 112);
static_assert(offsetof(HilResultHeader, run_ticks) == 152);
static_assert(sizeof(HilResultHeader) == 152 + 8 * HIL_RESULT_MAX_RUNS);

uint32_t u32(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
         static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

uint64_t u64(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<uint64_t>(u32(b, at)) | static_cast<uint64_t>(u32(b, at + 4)) << 32;
}

std::string hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(value));
  return text;
}

}  // namespace

uint32_t result_header_bytes() {
  return static_cast<uint32_t>(sizeof(HilResultHeader));
}

ResultBlock parse_result_block(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < sizeof(HilResultHeader))
    throw std::runtime_error("result block: " + std::to_string(bytes.size()) +
                             " bytes, the header alone has " +
                             std::to_string(sizeof(HilResultHeader)));
  ResultBlock b;
#define TN_U32(field) b.field = u32(bytes, offsetof(HilResultHeader, field))
#define TN_U64(field) b.field = u64(bytes, offsetof(HilResultHeader, field))
  TN_U32(magic);
  TN_U32(version);
  if (b.magic != HIL_RESULT_MAGIC)
    throw std::runtime_error("result block: magic " + hex(b.magic) + ", expected " +
                             hex(HIL_RESULT_MAGIC) + " (not the bench firmware's block)");
  if (b.version != HIL_RESULT_VERSION)
    throw std::runtime_error("result block: version " + std::to_string(b.version) +
                             ", this tinynas reads version " + std::to_string(HIL_RESULT_VERSION));
  TN_U32(block_bytes);
  b.state_word = u32(bytes, offsetof(HilResultHeader, state));
  switch (b.state_word) {
    case HIL_STATE_RUNNING:
      b.state = ResultState::kRunning;
      break;
    case HIL_STATE_DONE:
      b.state = ResultState::kDone;
      break;
    case HIL_STATE_ERROR:
      b.state = ResultState::kError;
      break;
    case HIL_STATE_FAULT:
      b.state = ResultState::kFault;
      break;
    default:
      b.state = ResultState::kUnknown;
  }
  TN_U32(error_code);
  TN_U32(error_value);
  TN_U32(run_id);
  TN_U32(timer_source);
  TN_U32(clock_hz);
  TN_U32(config_flags);
  TN_U32(flash_wait_states);
  TN_U32(runs);
  TN_U32(runs_done);
  TN_U32(layers);
  TN_U32(input_bytes);
  TN_U32(output_bytes);
  TN_U32(arena_bytes);
  TN_U32(output_hash);
  TN_U32(hash_mismatches);
  TN_U32(stack_peak_bytes);
  TN_U32(guard_status);
  TN_U32(guard_offset);
  TN_U32(fault_pc);
  TN_U32(fault_cfsr);
  TN_U32(fault_hfsr);
  TN_U32(marks);
  TN_U32(max_runs);
  TN_U64(ticks_min);
  TN_U64(ticks_median);
  TN_U64(ticks_max);
  TN_U64(timer_overhead_ticks);
  TN_U64(marker_calibration_ticks);
#undef TN_U32
#undef TN_U64
  const uint32_t kept = b.runs_done < HIL_RESULT_MAX_RUNS ? b.runs_done : HIL_RESULT_MAX_RUNS;
  for (uint32_t i = 0; i < kept; ++i)
    b.run_ticks.push_back(u64(bytes, offsetof(HilResultHeader, run_ticks) + 8 * i));
  const size_t layers_at = sizeof(HilResultHeader);
  if (bytes.size() >= layers_at + 8 * static_cast<size_t>(b.layers))
    for (uint32_t i = 0; i < b.layers; ++i) b.layer_ticks.push_back(u64(bytes, layers_at + 8 * i));
  return b;
}

std::string state_name(const ResultBlock& block) {
  switch (block.state) {
    case ResultState::kRunning:
      return "running";
    case ResultState::kDone:
      return "done";
    case ResultState::kError:
      return "error";
    case ResultState::kFault:
      return "fault";
    default:
      return "unknown state word " + hex(block.state_word);
  }
}

std::string timer_name(uint32_t timer_source) {
  if (timer_source == HIL_TIMER_DWT) return "DWT cycle counter";
  if (timer_source == HIL_TIMER_SYSTICK) return "SysTick";
  return "unknown timer " + std::to_string(timer_source);
}

std::string config_names(uint32_t flags) {
  std::string names;
  auto add = [&](uint32_t bit, const char* name) {
    if (flags & bit) names += (names.empty() ? "" : ", ") + std::string(name);
  };
  add(HIL_CONFIG_PLL, "PLL");
  add(HIL_CONFIG_ART, "ART/prefetch");
  add(HIL_CONFIG_ICACHE, "I-cache");
  add(HIL_CONFIG_DCACHE, "D-cache");
  add(HIL_CONFIG_DWT_UNLOCKED, "DWT unlocked");
  return names;
}

uint32_t fnv1a32(const std::vector<int8_t>& bytes) {
  uint32_t hash = 2166136261u;
  for (int8_t v : bytes) {
    hash ^= static_cast<uint32_t>(static_cast<uint8_t>(v));
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace tinynas::firmware
