#include "supernet/dynamic_block.h"

#include <stdexcept>
#include <string>

namespace tinynas::supernet {

using nas::BlockKind;

DynamicBlockImpl::DynamicBlockImpl(const nas::NetworkBlock& largest_,
                                   const std::vector<int>& kernels, const SupernetOptions& o)
    : largest(largest_), active_(largest_) {
  if (largest.kind == BlockKind::kResidual) {
    residual.create(*this, "", largest, kernels.back(), o);
  } else {
    mbconv.create(*this, "", largest, kernels, o);
  }
}

BlockLayersBase& DynamicBlockImpl::layers() {
  if (largest.kind == BlockKind::kResidual) return residual;
  return mbconv;
}

const BlockLayersBase& DynamicBlockImpl::layers() const {
  if (largest.kind == BlockKind::kResidual) return residual;
  return mbconv;
}

torch::Tensor DynamicBlockImpl::forward(const torch::Tensor& x) {
  return layers().run(x, active_);
}

void DynamicBlockImpl::set_active(const nas::NetworkBlock& active) {
  if (active.kind != largest.kind || active.in_channels != largest.in_channels ||
      active.out_channels != largest.out_channels || active.stride != largest.stride ||
      active.middle_channels > largest.middle_channels || active.kernel > largest.kernel ||
      active.projection != largest.projection || (active.has_expand && !largest.has_expand))
    throw std::logic_error("supernet block " + std::to_string(largest.index) +
                           ": the active block does not belong to this slot");
  active_ = active;
}

void DynamicBlockImpl::extract(std::vector<memory::LayerWeights>& out) const {
  layers().extract(active_, out);
}

void DynamicBlockImpl::append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const {
  layers().append_batch_norms(out);
}

void DynamicBlockImpl::sort_channels() {
  layers().sort_channels();
}

}  // namespace tinynas::supernet
