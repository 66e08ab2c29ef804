#include "supernet/static_network.h"

#include <algorithm>
#include <stdexcept>

#include "supernet/memory_format.h"

namespace tinynas::supernet {
namespace {

using memory::OpType;

torch::Tensor tensor(const memory::FloatTensor& t) {
  std::vector<int64_t> shape(t.shape.begin(), t.shape.end());
  return torch::from_blob(const_cast<float*>(t.data.data()), shape, torch::kFloat).clone();
}

torch::Tensor vec(const std::vector<float>& v) {
  return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())},
                          torch::kFloat)
      .clone();
}

}  // namespace

StaticNetworkImpl::StaticNetworkImpl(const memory::Graph& graph,
                                     const memory::FloatWeights& weights)
    : graph_(graph) {
  memory::check_weights_match(graph, weights);
  for (const memory::Op& op : graph.ops()) {
    Layer layer;
    if (memory::has_weights(op)) {
      const memory::LayerWeights& l = *weights.find(op.name());
      std::string name = op.name();  // torch buffer names may not contain '.'
      std::replace(name.begin(), name.end(), '.', '_');
      torch::Tensor w = tensor(l.weight);
      // OHWI is OIHW in channels_last layout: a view, no copy.
      if (op.type != OpType::kLinear) w = channels_last(w.permute({0, 3, 1, 2}));
      layer.weight = register_buffer(name + "_weight", w);
      if (l.bias) layer.bias = register_buffer(name + "_bias", tensor(*l.bias));
      if (l.bn) {
        layer.gamma = register_buffer(name + "_gamma", vec(l.bn->gamma));
        layer.beta = register_buffer(name + "_beta", vec(l.bn->beta));
        layer.mean = register_buffer(name + "_mean", vec(l.bn->mean));
        layer.var = register_buffer(name + "_var", vec(l.bn->var));
        layer.eps = l.bn->eps;
      }
    }
    layers_.push_back(std::move(layer));
  }
}

torch::Tensor StaticNetworkImpl::forward(const torch::Tensor& x) {
  return run(x, nullptr);
}

torch::Tensor StaticNetworkImpl::forward(const torch::Tensor& x, const ForwardProbe& probe) {
  return run(x, &probe);
}

torch::Tensor StaticNetworkImpl::run(const torch::Tensor& x, const ForwardProbe* probe) {
  std::vector<torch::Tensor> t(graph_.tensors().size());
  t[static_cast<size_t>(graph_.input())] = channels_last(x);
  const auto& ops = graph_.ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    const memory::Op& op = ops[i];
    const Layer& l = layers_[i];
    const torch::Tensor& in = t[static_cast<size_t>(op.input)];
    torch::Tensor y;
    switch (op.type) {
      case OpType::kConv2d:
        y = torch::conv2d(in, l.weight, {}, op.stride, op.pad);
        break;
      case OpType::kDepthwiseConv2d:
        y = torch::conv2d(in, l.weight, {}, op.stride, op.pad, 1, in.size(1));
        break;
      case OpType::kAdd:
        y = in + t[static_cast<size_t>(op.input2)];
        break;
      case OpType::kGlobalAvgPool:
        if (probe && probe->on_pooled_input) probe->on_pooled_input(in);
        y = in.mean({2, 3}, /*keepdim=*/true);
        break;
      case OpType::kLinear:
        y = torch::linear(in.flatten(1), l.weight, l.bias);
        break;
      case OpType::kMaxPool2d:
        y = torch::max_pool2d(in, op.kernel, op.stride, op.pad);
        break;
    }
    if (l.gamma.defined()) {
      if (probe) {
        if (probe->on_batch_norm) probe->on_batch_norm(y);
        // The batch's own statistics; the stored ones are neither read nor updated.
        y = torch::batch_norm(y, l.gamma, l.beta, {}, {}, true, 0.0, l.eps, false);
      } else {
        y = torch::batch_norm(y, l.gamma, l.beta, l.mean, l.var, false, 0.0, l.eps, false);
      }
    }
    if (op.activation == memory::Activation::kRelu6) {
      y = torch::hardtanh(y, 0, 6);
      if (probe && probe->on_activation) probe->on_activation(y);
    }
    t[static_cast<size_t>(op.output)] = y;
  }
  return t[static_cast<size_t>(graph_.output())];
}

}  // namespace tinynas::supernet
