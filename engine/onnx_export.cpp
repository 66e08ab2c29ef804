#include "engine/onnx_export.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/quantizer.h"
#include "util/json_reader.h"

namespace tinynas::engine {

using memory::Activation;
using memory::Graph;
using memory::LayerWeights;
using memory::Op;
using memory::OpType;
using memory::Shape;

namespace {

const char* const kInputName = "input";
const char* const kOutputName = "logits";
const char* const kClipMin = "relu6.min";
const char* const kClipMax = "relu6.max";

void add_float_initializer(onnx::GraphProto& g, const std::string& name,
                           const std::vector<int64_t>& dims, const std::vector<float>& data) {
  onnx::TensorProto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->mutable_float_data()->Add(data.begin(), data.end());
}

void set_float_type(onnx::ValueInfoProto& v, const std::string& name,
                    const std::vector<int64_t>& dims) {
  v.set_name(name);
  onnx::TypeProto_Tensor* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto* shape = t->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

void add_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void add_int(onnx::NodeProto& n, const std::string& name, int64_t value) {
  onnx::AttributeProto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

onnx::NodeProto& add_node(onnx::GraphProto& g, const std::string& type, const std::string& name,
                          const std::vector<std::string>& inputs, const std::string& output) {
  onnx::NodeProto* n = g.add_node();
  n->set_op_type(type);
  n->set_name(name);
  for (const std::string& in : inputs) n->add_input(in);
  n->add_output(output);
  return *n;
}

// NCHW dims of a graph tensor; a classifier's output is [1, classes].
std::vector<int64_t> onnx_dims(const Graph& graph, int tensor) {
  const memory::Tensor& t = graph.tensor(tensor);
  if (t.producer >= 0 && graph.op(t.producer).type == OpType::kLinear) return {1, t.shape.c};
  return {1, t.shape.c, t.shape.h, t.shape.w};
}

// Conv weights OHWI (depthwise [C, kh, kw, 1]) to OIHW, with BN folded in exactly as the
// quantiser folds it (fold_batch_norm), so the ONNX model is the network the engine quantises.
void folded_conv(const Graph& graph, const Op& op, const LayerWeights& l, std::vector<float>& w,
                 std::vector<float>& b) {
  const FoldedLayer folded = fold_batch_norm(l);
  const int out = l.weight.shape[0];
  const int k = op.kernel;
  const int in = op.type == OpType::kDepthwiseConv2d ? 1 : graph.op_in_channels(op);
  w.assign(folded.weight.size(), 0.0f);
  b = folded.bias;
  for (int o = 0; o < out; ++o) {
    const auto oc = static_cast<size_t>(o);
    for (int ky = 0; ky < k; ++ky)
      for (int kx = 0; kx < k; ++kx)
        for (int i = 0; i < in; ++i) {
          const size_t src = ((oc * k + static_cast<size_t>(ky)) * k + kx) * in + i;
          const size_t dst = ((oc * in + static_cast<size_t>(i)) * k + ky) * k + kx;
          w[dst] = folded.weight[src];
        }
  }
}

}  // namespace

onnx::ModelProto make_onnx_model(const Graph& graph, const memory::FloatWeights& weights,
                                 const OnnxExportOptions& options) {
  memory::check_weights_match(graph, weights);
  if (graph.input() < 0 || graph.output() < 0)
    throw std::invalid_argument("ONNX export: the graph has no input or no output");

  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("tinynas");
  if (!options.producer_version.empty()) model.set_producer_version(options.producer_version);
  if (!options.doc_string.empty()) model.set_doc_string(options.doc_string);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);

  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name(options.graph_name);

  // Tensor names: the input, then each op's output under the op's name; the graph output "logits".
  std::vector<std::string> names(graph.tensors().size());
  names[static_cast<size_t>(graph.input())] = kInputName;
  for (const Op& op : graph.ops()) names[static_cast<size_t>(op.output)] = op.name();
  names[static_cast<size_t>(graph.output())] = kOutputName;

  set_float_type(*g.add_input(), kInputName, onnx_dims(graph, graph.input()));
  set_float_type(*g.add_output(), kOutputName, onnx_dims(graph, graph.output()));

  bool uses_clip = false;
  for (const Op& op : graph.ops()) {
    const std::string name = op.name();
    const std::string& x = names[static_cast<size_t>(op.input)];
    const std::string& y = names[static_cast<size_t>(op.output)];
    const bool relu6 = op.activation == Activation::kRelu6;
    // With ReLU6 the op writes "<name>.conv" (or ".pre") and Clip writes y.
    std::string pre = y;
    if (relu6) {
      pre = name +
            (op.type == OpType::kConv2d || op.type == OpType::kDepthwiseConv2d ? ".conv" : ".pre");
      set_float_type(*g.add_value_info(), pre, onnx_dims(graph, op.output));
    }
    switch (op.type) {
      case OpType::kConv2d:
      case OpType::kDepthwiseConv2d: {
        const LayerWeights& l = *weights.find(name);
        std::vector<float> w, b;
        folded_conv(graph, op, l, w, b);
        const int out = l.weight.shape[0];
        const bool dw = op.type == OpType::kDepthwiseConv2d;
        const int in = dw ? 1 : graph.op_in_channels(op);
        add_float_initializer(g, name + ".weight", {out, in, op.kernel, op.kernel}, w);
        add_float_initializer(g, name + ".bias", {out}, b);
        onnx::NodeProto& n = add_node(g, "Conv", name, {x, name + ".weight", name + ".bias"}, pre);
        add_ints(n, "kernel_shape", {op.kernel, op.kernel});
        add_ints(n, "pads", {op.pad, op.pad, op.pad, op.pad});
        add_ints(n, "strides", {op.stride, op.stride});
        add_ints(n, "dilations", {1, 1});
        add_int(n, "group", dw ? out : 1);
        break;
      }
      case OpType::kAdd:
        add_node(g, "Add", name, {x, names[static_cast<size_t>(op.input2)]}, pre);
        break;
      case OpType::kGlobalAvgPool:
        add_node(g, "GlobalAveragePool", name, {x}, pre);
        break;
      case OpType::kLinear: {
        const LayerWeights& l = *weights.find(name);
        const Shape in = graph.tensor(op.input).shape;
        const int out = l.weight.shape[0];
        const int n_in = l.weight.shape[1];
        // Columns reordered from the HWC flattening the weights use to ONNX's CHW one (the same
        // order when the input is 1x1, as after the pool).
        std::vector<float> w(l.weight.data.size());
        for (int o = 0; o < out; ++o)
          for (int h = 0; h < in.h; ++h)
            for (int xw = 0; xw < in.w; ++xw)
              for (int c = 0; c < in.c; ++c) {
                const size_t row = static_cast<size_t>(o) * static_cast<size_t>(n_in);
                w[row + (static_cast<size_t>(c) * in.h + h) * in.w + xw] =
                    l.weight.data[row + (static_cast<size_t>(h) * in.w + xw) * in.c + c];
              }
        std::vector<float> b =
            l.bias ? l.bias->data : std::vector<float>(static_cast<size_t>(out), 0.0f);
        add_float_initializer(g, name + ".weight", {out, n_in}, w);
        add_float_initializer(g, name + ".bias", {out}, b);
        const std::string flat = name + ".flatten";
        add_int(add_node(g, "Flatten", flat, {x}, flat), "axis", 1);
        set_float_type(*g.add_value_info(), flat, {1, n_in});
        onnx::NodeProto& n =
            add_node(g, "Gemm", name, {flat, name + ".weight", name + ".bias"}, pre);
        add_int(n, "transB", 1);
        break;
      }
    }
    if (relu6) {
      add_node(g, "Clip", name + ".relu6", {pre, kClipMin, kClipMax}, y);
      uses_clip = true;
    }
    if (op.output != graph.output())
      set_float_type(*g.add_value_info(), y, onnx_dims(graph, op.output));
  }
  if (uses_clip) {
    add_float_initializer(g, kClipMin, {}, {0.0f});
    add_float_initializer(g, kClipMax, {}, {6.0f});
  }
  return model;
}

void write_onnx_model(const std::string& path, const Graph& graph,
                      const memory::FloatWeights& weights, const OnnxExportOptions& options) {
  const onnx::ModelProto model = make_onnx_model(graph, weights, options);
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    throw std::runtime_error("cannot serialise the ONNX model for '" + path + "'");
  try {
    util::write_file_atomically(path, bytes);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot write ONNX model '" + path + "': " + e.what());
  }
}

}  // namespace tinynas::engine
