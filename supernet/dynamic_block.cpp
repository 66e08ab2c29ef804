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

torch::Tensor DynamicBlockImpl::forward(const torch::Tensor& x) {
  return largest.kind == BlockKind::kResidual ? residual.run(x, active_) : mbconv.run(x, active_);
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
  if (largest.kind == BlockKind::kResidual) {
    residual.extract(active_, out);
  } else {
    mbconv.extract(active_, out);
  }
}

void DynamicBlockImpl::append_batch_norms(std::vector<DynamicBatchNorm2d>& out) const {
  if (largest.kind == BlockKind::kResidual) {
    residual.append_batch_norms(out);
  } else {
    mbconv.append_batch_norms(out);
  }
}

void DynamicBlockImpl::sort_channels() {
  if (largest.kind == BlockKind::kResidual) {
    residual.sort_channels();
  } else {
    mbconv.sort_channels();
  }
}

}  // namespace tinynas::supernet
