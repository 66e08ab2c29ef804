// One block slot of the supernet: an elastic MBConv block or an elastic residual block, as the
// slot's stage says (nas::StageSpec::block). The modules hold the slot's largest configuration;
// set_active() picks the configuration nas::network_topology derives for a sub-net, forward()
// computes it and extract() cuts its weights out. An MBConv slot registers its layers under the
// names it always had ("expand", "dw", ...), so older checkpoints load. LibTorch header: include
// only from supernet/ sources and tests.
//
//   DynamicBlock slot(largest, /*kernels=*/{3, 5, 7}, options);
//   slot->set_active(topology.blocks[i]);
//   torch::Tensor y = slot->forward(x);
#pragma once

#include <torch/torch.h>

#include <vector>

#include "memory_model/float_weights.h"
#include "nas/network_topology.h"
#include "supernet/dynamic_mbconv.h"
#include "supernet/dynamic_residual.h"
#include "supernet/options.h"

namespace tinynas::supernet {

class DynamicBlockImpl : public torch::nn::Module {
 public:
  // kernels: the slot's kernel choices, ascending.
  DynamicBlockImpl(const nas::NetworkBlock& largest, const std::vector<int>& kernels,
                   const SupernetOptions& options);
  torch::Tensor forward(const torch::Tensor& x);

  // active: a configuration of this slot (the network derives it from the arch with
  // nas::network_topology); throws std::logic_error for another slot's block.
  void set_active(const nas::NetworkBlock& active);
  const nas::NetworkBlock& active() const { return active_; }
  int active_kernel() const { return active_.kernel; }
  int active_middle() const { return active_.middle_channels; }
  void extract(std::vector<memory::LayerWeights>& out) const;
  void append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const;
  // Importance-sorts the middle channels (see MBConvLayers / ResidualLayers::sort_channels).
  void sort_channels();

  const nas::NetworkBlock largest;
  MBConvLayers mbconv;      // an MBConv slot's layers (null otherwise)
  ResidualLayers residual;  // a residual slot's layers (null otherwise)

 private:
  // The slot's own layers: mbconv or residual, as its kind says.
  BlockLayersBase& layers();
  const BlockLayersBase& layers() const;

  nas::NetworkBlock active_;
};
TORCH_MODULE(DynamicBlock);

}  // namespace tinynas::supernet
