// The board bench's result block (firmware/target/hil_result.h) read on the host: the bytes a
// probe read from the board's RAM (or QEMU's result.bin) decoded into a struct, with the state and
// timer named for messages.
//
//   ResultBlock b = parse_result_block(bytes);      // throws std::runtime_error when malformed
//   if (b.state == ResultState::kDone) ... b.ticks_median, b.layer_ticks, b.output_hash ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::firmware {

enum class ResultState { kUnknown, kRunning, kDone, kError, kFault };

struct ResultBlock {
  uint32_t magic = 0;
  uint32_t version = 0;
  uint32_t block_bytes = 0;
  ResultState state = ResultState::kUnknown;
  uint32_t state_word = 0;  // as read
  uint32_t error_code = 0;
  uint32_t error_value = 0;
  uint32_t run_id = 0;
  uint32_t timer_source = 0;  // HIL_TIMER_DWT / HIL_TIMER_SYSTICK
  uint32_t clock_hz = 0;
  uint32_t config_flags = 0;
  uint32_t flash_wait_states = 0;
  uint32_t runs = 0;
  uint32_t runs_done = 0;
  uint32_t layers = 0;
  uint32_t input_bytes = 0;
  uint32_t output_bytes = 0;
  uint32_t arena_bytes = 0;
  uint32_t output_hash = 0;
  uint32_t hash_mismatches = 0;
  uint32_t stack_peak_bytes = 0;
  uint32_t guard_status = 0;
  uint32_t guard_offset = 0;
  uint32_t fault_pc = 0;
  uint32_t fault_cfsr = 0;
  uint32_t fault_hfsr = 0;
  uint32_t marks = 0;
  uint32_t max_runs = 0;
  uint64_t ticks_min = 0;
  uint64_t ticks_median = 0;
  uint64_t ticks_max = 0;
  uint64_t timer_overhead_ticks = 0;
  uint64_t marker_calibration_ticks = 0;
  std::vector<uint64_t> run_ticks;    // min(runs_done, max_runs) values
  std::vector<uint64_t> layer_ticks;  // `layers` values (the last timed run)
};

// Bytes of the fixed header (layer ticks follow it).
uint32_t result_header_bytes();

// Decodes the header and, when `bytes` holds them, the layer ticks. Throws std::runtime_error when
// the bytes are too short for the header or the magic / version is not the harness's.
ResultBlock parse_result_block(const std::vector<uint8_t>& bytes);

// "running", "done", "error", "fault", or the word in hex.
std::string state_name(const ResultBlock& block);
// "DWT cycle counter" / "SysTick".
std::string timer_name(uint32_t timer_source);
// "icache, dcache, ART, PLL, DWT unlocked" (empty when none).
std::string config_names(uint32_t config_flags);
// FNV-1a 32 as the firmware computes it, for host-side comparisons.
uint32_t fnv1a32(const std::vector<int8_t>& bytes);

}  // namespace tinynas::firmware
