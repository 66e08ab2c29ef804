#include "memory_model/graph.h"

#include <stdexcept>

#include "memory_model/op_def.h"

namespace tinynas::memory {

const char* to_string(OpType type) {
  return op_def(type).name;
}

const char* to_string(LayerRole role) {
  switch (role) {
    case LayerRole::kStem:
      return "stem";
    case LayerRole::kExpand:
      return "expand";
    case LayerRole::kDepthwise:
      return "dw";
    case LayerRole::kProject:
      return "project";
    case LayerRole::kResidual:
      return "add";
    case LayerRole::kConv1:
      return "conv1";
    case LayerRole::kConv2:
      return "conv2";
    case LayerRole::kShortcut:
      return "shortcut";
    case LayerRole::kFeatureMix:
      return "mix";
    case LayerRole::kPool:
      return "pool";
    case LayerRole::kClassifier:
      return "classifier";
    case LayerRole::kMaxPool:
      return "maxpool";
  }
  return "?";
}

bool layer_role_from_name(const std::string& name, LayerRole* role) {
  static constexpr LayerRole kAll[] = {
      LayerRole::kStem,     LayerRole::kExpand,     LayerRole::kDepthwise, LayerRole::kProject,
      LayerRole::kResidual, LayerRole::kFeatureMix, LayerRole::kPool,      LayerRole::kClassifier,
      LayerRole::kMaxPool,  LayerRole::kConv1,      LayerRole::kConv2,     LayerRole::kShortcut,
  };
  for (LayerRole r : kAll)
    if (name == to_string(r)) {
      *role = r;
      return true;
    }
  return false;
}

std::string Op::name() const {
  if (block < 0) return to_string(role);
  return "b" + std::to_string(block) + "." + to_string(role);
}

int Graph::add_tensor(Shape shape, int producer) {
  tensors_.push_back(Tensor{shape, producer});
  return static_cast<int>(tensors_.size()) - 1;
}

int Graph::add(Op op, int out_channels) {
  const OpDef& def = op_def(op.type);
  const int n_tensors = static_cast<int>(tensors_.size());
  if (op.input < 0 || op.input >= n_tensors)
    throw std::invalid_argument(std::string(def.name) + " reads a tensor that does not exist yet");
  if (def.operands == 2 && (op.input2 < 0 || op.input2 >= n_tensors))
    throw std::invalid_argument(std::string(def.name) +
                                " reads a second tensor that does not exist yet");
  if (def.operands == 1) op.input2 = -1;
  const Shape out = def.output_shape(*this, op, out_channels);
  const int index = static_cast<int>(ops_.size());
  op.output = add_tensor(out, index);
  ops_.push_back(op);
  return op.output;
}

int Graph::add_input(Shape shape) {
  input_ = add_tensor(shape, -1);
  return input_;
}

int Graph::add_conv(OpType type, LayerRole role, int block, int input, int out_channels, int kernel,
                    int stride, Activation activation) {
  Op op;
  op.type = type;
  op.role = role;
  op.block = block;
  op.input = input;
  op.kernel = kernel;
  op.stride = stride;
  op.pad = kernel / 2;
  op.activation = activation;
  return add(op, out_channels);
}

int Graph::add_residual(int block, int skip, int body, Activation activation) {
  Op op;
  op.type = OpType::kAdd;
  op.role = LayerRole::kResidual;
  op.block = block;
  op.input = body;
  op.input2 = skip;
  op.activation = activation;
  return add(op);
}

int Graph::add_global_avg_pool(int input) {
  Op op;
  op.type = OpType::kGlobalAvgPool;
  op.role = LayerRole::kPool;
  op.input = input;
  return add(op);
}

int Graph::add_linear(int input, int out_features) {
  Op op;
  op.type = OpType::kLinear;
  op.role = LayerRole::kClassifier;
  op.input = input;
  return add(op, out_features);
}

int Graph::add_max_pool(int block, int input, int kernel, int stride, int pad) {
  Op op;
  op.type = OpType::kMaxPool2d;
  op.role = LayerRole::kMaxPool;
  op.block = block;
  op.input = input;
  op.kernel = kernel;
  op.stride = stride;
  op.pad = pad;
  return add(op);
}

void Graph::clear() {
  tensors_.clear();
  ops_.clear();
  input_ = output_ = -1;
}

}  // namespace tinynas::memory
