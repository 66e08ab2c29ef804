// The table of engine op implementations: one line per op type, in any order.
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
  struct Entry {
    OpType type;
    const EngineOp* op;
  };
  static const Entry kRegistry[] = {
      {OpType::kConv2d, &conv2d_engine_op()},
      {OpType::kDepthwiseConv2d, &depthwise_conv2d_engine_op()},
      {OpType::kAdd, &add_engine_op()},
      {OpType::kGlobalAvgPool, &global_avg_pool_engine_op()},
      {OpType::kLinear, &linear_engine_op()},
      {OpType::kMaxPool2d, &max_pool2d_engine_op()},
  };
  for (const Entry& e : kRegistry)
    if (e.type == type) return *e.op;
  throw std::logic_error("op type " + std::string(memory::to_string(type)) +
                         " has no engine implementation");
}

std::string EngineOp::params_definition(const ParamsContext& ctx) const {
  throw std::logic_error("op " + ctx.op.name() + " has no parameters to define");
}

}  // namespace tinynas::engine
