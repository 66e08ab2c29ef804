// The table of op definitions, indexed by OpType. One line per op type.
#include <stdexcept>
#include <string>

#include "memory_model/op_def.h"

namespace tinynas::memory {

extern const OpDef kConv2dDef;
extern const OpDef kDepthwiseConv2dDef;
extern const OpDef kAddDef;
extern const OpDef kGlobalAvgPoolDef;
extern const OpDef kLinearDef;
extern const OpDef kMaxPool2dDef;

namespace {

// In OpType order; op_def() checks that each entry sits at its own index.
const OpDef* const kRegistry[] = {
    &kConv2dDef, &kDepthwiseConv2dDef, &kAddDef, &kGlobalAvgPoolDef, &kLinearDef, &kMaxPool2dDef,
};
constexpr size_t kCount = sizeof kRegistry / sizeof kRegistry[0];

}  // namespace

const OpDef& op_def(OpType type) {
  const auto index = static_cast<size_t>(type);
  if (index >= kCount || kRegistry[index]->type != type)
    throw std::logic_error("op type " + std::to_string(index) + " is not registered");
  return *kRegistry[index];
}

const std::vector<OpType>& op_types() {
  static const std::vector<OpType> types = [] {
    std::vector<OpType> t;
    for (const OpDef* def : kRegistry) t.push_back(def->type);
    return t;
  }();
  return types;
}

bool op_type_from_name(const std::string& name, OpType* type) {
  for (const OpDef* def : kRegistry)
    if (name == def->name) {
      *type = def->type;
      return true;
    }
  return false;
}

int64_t WeightShape::count() const {
  if (rank == 0) return 0;
  int64_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[static_cast<size_t>(i)];
  return n;
}

namespace op_rules {

WeightShape no_weights(const Graph& /*graph*/, const Op& /*op*/) {
  return {};
}

int64_t no_macs(const Graph& /*graph*/, const Op& /*op*/) {
  return 0;
}

int64_t no_scratch(const Graph& /*graph*/, const Op& /*op*/, bool /*in_place*/) {
  return 0;
}

Shape same_padding_output(const Graph& graph, const Op& op, int channels) {
  if (op.kernel < 1 || op.stride < 1)
    throw std::invalid_argument("kernel and stride must be positive");
  if (op.pad != op.kernel / 2)
    throw std::invalid_argument(std::string(op_def(op.type).name) +
                                " padding must be kernel / 2 (its kernels assume it)");
  const Shape in = graph.tensor(op.input).shape;
  return Shape{(in.h + op.stride - 1) / op.stride, (in.w + op.stride - 1) / op.stride, channels};
}

Shape window_output(Shape in, const Op& op, int channels) {
  if (op.kernel < 1 || op.stride < 1)
    throw std::invalid_argument("kernel and stride must be positive");
  if (in.h + 2 * op.pad < op.kernel || in.w + 2 * op.pad < op.kernel)
    throw std::invalid_argument("window " + std::to_string(op.kernel) + "x" +
                                std::to_string(op.kernel) + " is larger than the padded input");
  return Shape{(in.h + 2 * op.pad - op.kernel) / op.stride + 1,
               (in.w + 2 * op.pad - op.kernel) / op.stride + 1, channels};
}

}  // namespace op_rules
}  // namespace tinynas::memory
