// The network graph IR: tensors with int8 HWC shapes and the ops that read and write them, in
// execution order. It is what the cost model prices, what the scheduler plans memory for and what
// the engine generates code from; it knows nothing about search spaces.
//
//   Graph g;
//   int x = g.add_input({48, 48, 3});
//   int y = g.add_conv(OpType::kConv2d, LayerRole::kStem, /*block=*/-1, x, 24, 3, 2,
//   Activation::kRelu6);
//   ...
//   g.set_output(logits);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::memory {

// Activation tensor shape, height x width x channels (HWC, the layout the engine uses).
struct Shape {
  int h = 0;
  int w = 0;
  int c = 0;

  int64_t elements() const { return int64_t{h} * w * c; }
  bool operator==(const Shape& o) const { return h == o.h && w == o.w && c == o.c; }
};

enum class OpType {
  kConv2d,           // regular convolution (groups = 1); 1x1 is a pointwise conv
  kDepthwiseConv2d,  // groups = channels, channel multiplier 1
  kAdd,              // element-wise residual add of two tensors of equal shape
  kGlobalAvgPool,    // HxWxC -> 1x1xC
  kLinear,           // fully connected on a 1x1xC tensor, with bias
  kMaxPool2d,        // kernel x kernel max over windows, explicit padding
};
// What each type means to the memory model lives in its OpDef (op_def.h, memory_model/ops/).

enum class Activation { kNone, kRelu6 };

// What an op is for in a network (MBConv or residual blocks); names and reports derive from it.
enum class LayerRole {
  kStem,
  kExpand,      // 1x1 expansion of an MBConv block
  kDepthwise,   // kxk depthwise of a block
  kProject,     // linear 1x1 projection of a block
  kResidual,    // shortcut add of a block (identity or projected skip)
  kConv1,       // first kxk convolution of a residual (ResNet basic) block
  kConv2,       // second kxk convolution of a residual block
  kShortcut,    // 1x1 projection of a residual block's skip where the shape changes
  kFeatureMix,  // optional 1x1 conv before pooling
  kPool,        // global average pooling before the classifier
  kClassifier,
  kMaxPool,  // a max-pooling layer
};

const char* to_string(OpType type);
const char* to_string(LayerRole role);
// The role called name ("expand"), or false.
bool layer_role_from_name(const std::string& name, LayerRole* role);

struct Tensor {
  Shape shape;
  int producer = -1;  // index of the op that writes it; -1 for the graph input

  // Activations are int8: one byte per element.
  int64_t bytes() const { return shape.elements(); }
};

struct Op {
  OpType type = OpType::kConv2d;
  LayerRole role = LayerRole::kStem;
  int block = -1;  // MBConv block index (0 = the fixed first block); -1 outside blocks
  int input = -1;
  int input2 = -1;  // second operand of two-operand ops (kAdd)
  int output = -1;
  int kernel = 1;
  int stride = 1;
  int pad = 0;  // symmetric padding on every side; convs: kernel / 2 ("same" output size)
  Activation activation = Activation::kNone;

  // "stem", "b3.expand", "b3.dw", "b3.project", "b3.add", "b3.conv1", "b3.conv2", "b3.shortcut",
  // "mix", "pool", "classifier", "maxpool".
  std::string name() const;
};

class Graph {
 public:
  int add_input(Shape shape);
  // Any registered op: type, role, block, operands and attributes set in op (output is ignored);
  // the output shape comes from the op's OpDef. out_channels: for ops that choose their channel
  // count (conv, linear). Throws std::invalid_argument for operands that do not exist yet or an
  // op its OpDef rejects. Returns the output tensor.
  int add(Op op, int out_channels = 0);
  // kConv2d or kDepthwiseConv2d with 'same' padding; the output is ceil(in / stride) spatially.
  int add_conv(OpType type, LayerRole role, int block, int input, int out_channels, int kernel,
               int stride, Activation activation);
  // activation: ReLU6 after the sum (residual blocks), none for MBConv's linear bottleneck.
  int add_residual(int block, int skip, int body, Activation activation = Activation::kNone);
  int add_global_avg_pool(int input);
  int add_linear(int input, int out_features);
  int add_max_pool(int block, int input, int kernel, int stride, int pad);
  void set_output(int tensor) { output_ = tensor; }
  // Gives a tensor another shape than its op's rule: only for planning a graph whose ops run on
  // parts of their tensors (patch_plan.h's tile graph). Throws std::out_of_range for no tensor.
  void set_tensor_shape(int tensor, Shape shape) {
    tensors_.at(static_cast<size_t>(tensor)).shape = shape;
  }

  const std::vector<Tensor>& tensors() const { return tensors_; }
  const std::vector<Op>& ops() const { return ops_; }
  const Tensor& tensor(int id) const { return tensors_[static_cast<size_t>(id)]; }
  const Op& op(int id) const { return ops_[static_cast<size_t>(id)]; }
  int input() const { return input_; }
  int output() const { return output_; }

  // Number of input channels an op's weights see (depthwise: 1 per output channel).
  int op_in_channels(const Op& op) const { return tensor(op.input).shape.c; }

  void reserve(size_t ops) {
    ops_.reserve(ops);
    tensors_.reserve(ops + 1);
  }
  void clear();

 private:
  int add_tensor(Shape shape, int producer);

  std::vector<Tensor> tensors_;
  std::vector<Op> ops_;
  int input_ = -1;
  int output_ = -1;
};

}  // namespace tinynas::memory
