#include "engine/onnx_export.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/ops/engine_op.h"
#include "util/json_reader.h"

namespace tinynas::engine {

using memory::Activation;
using memory::Graph;
using memory::Op;

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
  if (t.producer >= 0 && engine_op(graph.op(t.producer).type).onnx_flat_output())
    return {1, t.shape.c};
  return {1, t.shape.c, t.shape.h, t.shape.w};
}

// What the op definitions write, into the protobuf graph.
class ProtoBuilder final : public OnnxBuilder {
 public:
  explicit ProtoBuilder(onnx::GraphProto& graph) : g_(graph) {}

  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<float>& values) override {
    add_float_initializer(g_, name, dims, values);
  }
  void node(const std::string& op_type, const std::string& name,
            const std::vector<std::string>& inputs, const std::string& output,
            const std::vector<OnnxAttribute>& attributes) override {
    onnx::NodeProto& n = add_node(g_, op_type, name, inputs, output);
    for (const OnnxAttribute& a : attributes) {
      if (a.is_list)
        add_ints(n, a.name, a.ints);
      else
        add_int(n, a.name, a.ints.at(0));
    }
  }
  void value_info(const std::string& name, const std::vector<int64_t>& dims) override {
    set_float_type(*g_.add_value_info(), name, dims);
  }

 private:
  onnx::GraphProto& g_;
};

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

  ProtoBuilder builder(g);
  bool uses_clip = false;
  for (const Op& op : graph.ops()) {
    const std::string name = op.name();
    const std::string& x = names[static_cast<size_t>(op.input)];
    const std::string& y = names[static_cast<size_t>(op.output)];
    const bool relu6 = op.activation == Activation::kRelu6;
    // With ReLU6 the op writes "<name>.conv" (or ".pre") and Clip writes y.
    const EngineOp& impl = engine_op(op.type);
    std::string pre = y;
    if (relu6) {
      pre = name + impl.onnx_pre_activation_suffix();
      set_float_type(*g.add_value_info(), pre, onnx_dims(graph, op.output));
    }
    std::vector<std::string> inputs = {x};
    if (op.input2 >= 0) inputs.push_back(names[static_cast<size_t>(op.input2)]);
    impl.to_onnx(builder, graph, op, weights.layer_of(op), inputs, pre);
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
