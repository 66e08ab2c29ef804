// A plain (static) float network run straight from a lowered graph and its FloatWeights: the
// extracted sub-net as an ordinary network, with no elastic machinery, in eval mode (BN uses the
// stored statistics). Its output equals the supernet's for the same arch, which the tests check;
// it is also the float reference for the int8 engine. LibTorch header.
//
//   StaticNetwork net(nas::lower(arch, space), memory::load_float_weights("subnet/"));
//   torch::Tensor logits = net->forward(images);   // N x C x H x W, float
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::supernet {

// What a training-free proxy sees of a forward pass (supernet/zero_cost_proxy.h): BatchNorm
// normalises with the batch's own statistics, as at initialisation in training mode, and each
// callback that is set gets the tensors as they are computed.
struct ForwardProbe {
  std::function<void(const torch::Tensor& bn_input)> on_batch_norm;
  std::function<void(const torch::Tensor& activated)> on_activation;   // after each ReLU6
  std::function<void(const torch::Tensor& features)> on_pooled_input;  // global pool's input
};

class StaticNetworkImpl : public torch::nn::Module {
 public:
  // Throws std::invalid_argument when the weights do not fit the graph.
  StaticNetworkImpl(const memory::Graph& graph, const memory::FloatWeights& weights);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor forward(const torch::Tensor& x, const ForwardProbe& probe);

 private:
  struct Layer {
    torch::Tensor weight, bias;            // torch layout (OIHW / [out, in])
    torch::Tensor gamma, beta, mean, var;  // empty without BN
    double eps = 0;
  };
  torch::Tensor run(const torch::Tensor& x, const ForwardProbe* probe);

  memory::Graph graph_;
  std::vector<Layer> layers_;  // per op (empty for ops without weights)
};
TORCH_MODULE(StaticNetwork);

}  // namespace tinynas::supernet
