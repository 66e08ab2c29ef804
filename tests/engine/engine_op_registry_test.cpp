// The engine's op registry covers every op type of the memory model, and its facts agree with
// the memory model's (pooling keeps quantisation only for unweighted ops; weighted ops print a
// tn_layer).
#include <gtest/gtest.h>

#include "engine/ops/engine_op.h"
#include "memory_model/op_def.h"

namespace tinynas::engine {
namespace {

TEST(EngineOpRegistry, EveryMemoryModelOpHasAnEngineImplementation) {
  for (memory::OpType type : memory::op_types()) {
    const memory::OpDef& def = memory::op_def(type);
    const EngineOp& impl = engine_op(type);
    memory::Op op;
    op.type = type;
    op.kernel = 3;
    op.stride = 1;
    EXPECT_FALSE(impl.describe(op).empty()) << def.name;
    // Each type has its own implementation (a type listed twice, or one implementation under two
    // types, would repeat one).
    for (memory::OpType other : memory::op_types())
      if (other != type) {
        EXPECT_NE(&engine_op(other), &impl) << def.name;
      }
    if (def.has_weights) {
      EXPECT_EQ(impl.params_type(), "tn_layer") << def.name;
      EXPECT_FALSE(impl.output_keeps_input_quant()) << def.name;
    }
  }
}

}  // namespace
}  // namespace tinynas::engine
