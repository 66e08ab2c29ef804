// The ground truth of the int8 engine: a QuantModel run op by op with plain integer loops written
// for clarity, not speed. The generated C must match it byte for byte (host_verify.h), and every C
// kernel is unit-tested against the per-op functions below.
//
//   std::vector<int8_t> logits = run_reference(model, input);        // input: HWC int8
//   auto all = run_reference_all(model, input);                      // every tensor, by id
#pragma once

#include <cstdint>
#include <vector>

#include "engine/quant_model.h"

namespace tinynas::engine {

// One op of model applied to its operands (x2: the second operand of an add, else empty).
std::vector<int8_t> reference_op(const QuantModel& model, int op_index,
                                 const std::vector<int8_t>& x, const std::vector<int8_t>& x2);

// Throws std::invalid_argument when the input has the wrong size.
std::vector<std::vector<int8_t>> run_reference_all(const QuantModel& model,
                                                   const std::vector<int8_t>& input);
std::vector<int8_t> run_reference(const QuantModel& model, const std::vector<int8_t>& input);

// Float input -> int8 with the input tensor's scale and zero point (round half away from zero).
std::vector<int8_t> quantize_input(const QuantModel& model, const std::vector<float>& input);

}  // namespace tinynas::engine
