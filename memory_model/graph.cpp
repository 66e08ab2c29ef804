#include "memory_model/graph.h"

#include <stdexcept>

namespace tinynas::memory {

const char* to_string(OpType type) {
  switch (type) {
    case OpType::kConv2d:
      return "conv2d";
    case OpType::kDepthwiseConv2d:
      return "depthwise_conv2d";
    case OpType::kAdd:
      return "add";
    case OpType::kGlobalAvgPool:
      return "global_avg_pool";
    case OpType::kLinear:
      return "linear";
  }
  return "?";
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
    case LayerRole::kFeatureMix:
      return "mix";
    case LayerRole::kPool:
      return "pool";
    case LayerRole::kClassifier:
      return "classifier";
  }
  return "?";
}

std::string Op::name() const {
  if (block < 0) return to_string(role);
  return "b" + std::to_string(block) + "." + to_string(role);
}

int Graph::add_tensor(Shape shape, int producer) {
  tensors_.push_back(Tensor{shape, producer});
  return static_cast<int>(tensors_.size()) - 1;
}

int Graph::add_op(Op op, Shape out_shape) {
  const int index = static_cast<int>(ops_.size());
  op.output = add_tensor(out_shape, index);
  ops_.push_back(op);
  return op.output;
}

int Graph::add_input(Shape shape) {
  input_ = add_tensor(shape, -1);
  return input_;
}

int Graph::add_conv(OpType type, LayerRole role, int block, int input, int out_channels, int kernel,
                    int stride, Activation activation) {
  const Shape in = tensor(input).shape;
  if (type == OpType::kDepthwiseConv2d && out_channels != in.c)
    throw std::invalid_argument("depthwise conv must keep the channel count");
  Op op;
  op.type = type;
  op.role = role;
  op.block = block;
  op.input = input;
  op.kernel = kernel;
  op.stride = stride;
  op.pad = kernel / 2;
  op.activation = activation;
  const Shape out{(in.h + stride - 1) / stride, (in.w + stride - 1) / stride, out_channels};
  return add_op(op, out);
}

int Graph::add_residual(int block, int skip, int body) {
  if (!(tensor(skip).shape == tensor(body).shape))
    throw std::invalid_argument("residual add needs operands of equal shape");
  Op op;
  op.type = OpType::kAdd;
  op.role = LayerRole::kResidual;
  op.block = block;
  op.input = body;
  op.input2 = skip;
  return add_op(op, tensor(body).shape);
}

int Graph::add_global_avg_pool(int input) {
  Op op;
  op.type = OpType::kGlobalAvgPool;
  op.role = LayerRole::kPool;
  op.input = input;
  return add_op(op, Shape{1, 1, tensor(input).shape.c});
}

int Graph::add_linear(int input, int out_features) {
  Op op;
  op.type = OpType::kLinear;
  op.role = LayerRole::kClassifier;
  op.input = input;
  return add_op(op, Shape{1, 1, out_features});
}

void Graph::clear() {
  tensors_.clear();
  ops_.clear();
  input_ = output_ = -1;
}

}  // namespace tinynas::memory
