// The table of engine op implementations, indexed by OpType. One line per op type.
#include <stdexcept>
#include <string>

#include "engine/ops/engine_op.h"

namespace tinynas::engine {

const EngineOp& conv2d_engine_op();
const EngineOp& depthwise_conv2d_engine_op();
const EngineOp& add_engine_op();
const EngineOp& global_avg_pool_engine_op();
const EngineOp& linear_engine_op();
const EngineOp& max_pool2d_engine_op();

const EngineOp& engine_op(memory::OpType type) {
  using memory::OpType;
  // In OpType order; a missing entry is a build without the op's engine file.
  static const EngineOp* const kRegistry[] = {
      &conv2d_engine_op(),          &depthwise_conv2d_engine_op(), &add_engine_op(),
      &global_avg_pool_engine_op(), &linear_engine_op(),           &max_pool2d_engine_op(),
  };
  const auto index = static_cast<size_t>(type);
  if (index >= sizeof kRegistry / sizeof kRegistry[0])
    throw std::logic_error("op type " + std::string(memory::to_string(type)) +
                           " has no engine implementation");
  return *kRegistry[index];
}

std::string EngineOp::params_definition(const ParamsContext& ctx) const {
  throw std::logic_error("op " + ctx.op.name() + " has no parameters to define");
}

}  // namespace tinynas::engine
