#include "engine/codegen/emit_context.h"

#include <cstdint>
#include <stdexcept>

namespace tinynas::engine {

std::string EmitContext::io_dims() const {
  const memory::Shape in = graph.tensor(op.input).shape;
  const memory::Shape out = graph.tensor(op.output).shape;
  return std::to_string(in.h) + ", " + std::to_string(in.w) + ", " + std::to_string(in.c) + ", " +
         std::to_string(out.h) + ", " + std::to_string(out.w) + ", " + std::to_string(out.c);
}

std::string c_int_literal(int64_t v) {
  if (v == INT32_MIN) return "(-2147483647 - 1)";
  return std::to_string(v);
}

std::string EmitContext::arena(int64_t offset) {
  return "tinynas_arena + " + std::to_string(offset);
}

std::string EmitContext::scratch(int64_t needed) const {
  if (scratch_offset < 0 || scratch_size < needed)
    throw std::logic_error("op " + op.name() + " has no scratch buffer of " +
                           std::to_string(needed) + " bytes in the plan");
  return arena(scratch_offset);
}

}  // namespace tinynas::engine
