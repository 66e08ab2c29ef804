#include "nas/arch_encoding.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tinynas::nas {
namespace {

int index_of(const std::vector<int>& values, int v, const std::string& what) {
  const auto it = std::find(values.begin(), values.end(), v);
  if (it == values.end())
    throw std::invalid_argument(what + " " + std::to_string(v) +
                                " is not one the accuracy predictor was built for");
  return static_cast<int>(it - values.begin());
}

}  // namespace

ArchEncoder::ArchEncoder(const SearchSpace& space, std::vector<int> resolutions)
    : resolutions_(std::move(resolutions)),
      kernels_(space.all_kernels()),
      expands_(space.all_expands()) {
  if (resolutions_.empty())
    throw std::invalid_argument("the accuracy predictor needs at least one resolution");
  std::sort(resolutions_.begin(), resolutions_.end());
  resolutions_.erase(std::unique(resolutions_.begin(), resolutions_.end()), resolutions_.end());
  size_ = static_cast<int>(resolutions_.size());
  const int per_block = static_cast<int>(kernels_.size() + expands_.size());
  for (const StageSpec& stage : space.stages) {
    stage_max_depth_.push_back(stage.max_depth());
    size_ += stage.max_depth() * per_block;
  }
}

std::vector<float> ArchEncoder::encode(const Arch& arch) const {
  std::vector<float> x(static_cast<size_t>(size_), 0.0f);
  x[static_cast<size_t>(index_of(resolutions_, arch.resolution, "resolution"))] = 1.0f;
  if (arch.stages.size() != stage_max_depth_.size())
    throw std::invalid_argument("arch has " + std::to_string(arch.stages.size()) +
                                " stages, the accuracy predictor's space " +
                                std::to_string(stage_max_depth_.size()));
  size_t slot = resolutions_.size();
  const size_t per_block = kernels_.size() + expands_.size();
  for (size_t s = 0; s < arch.stages.size(); ++s) {
    const auto& blocks = arch.stages[s].blocks;
    if (static_cast<int>(blocks.size()) > stage_max_depth_[s])
      throw std::invalid_argument("stage " + std::to_string(s) + " has depth " +
                                  std::to_string(blocks.size()) + ", more than the space allows");
    for (size_t b = 0; b < blocks.size(); ++b) {
      const size_t base = slot + b * per_block;
      x[base + static_cast<size_t>(index_of(kernels_, blocks[b].kernel, "kernel"))] = 1.0f;
      x[base + kernels_.size() +
        static_cast<size_t>(index_of(expands_, blocks[b].expand, "expansion"))] = 1.0f;
    }
    slot += static_cast<size_t>(stage_max_depth_[s]) * per_block;
  }
  return x;
}

}  // namespace tinynas::nas
