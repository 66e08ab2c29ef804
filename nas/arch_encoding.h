// The accuracy predictor's view of an arch (Once-for-All): a fixed-length 0/1 vector with a
// one-hot resolution, then for every block slot of every stage (its maximum depth) a one-hot
// kernel and a one-hot expansion. Slots that depth removed stay all zero, so depth is encoded by
// which slots are empty. Width is not encoded: a predictor belongs to one supernet, of one width.
//
//   ArchEncoder enc(space, {24, 28, 32});
//   std::vector<float> x = enc.encode(arch);   // enc.size() values
#pragma once

#include <vector>

#include "nas/arch.h"
#include "nas/search_space.h"

namespace tinynas::nas {

class ArchEncoder {
 public:
  // resolutions: those the predictor knows (ascending, no duplicates); throws
  // std::invalid_argument when empty.
  ArchEncoder(const SearchSpace& space, std::vector<int> resolutions);

  int size() const { return size_; }
  const std::vector<int>& resolutions() const { return resolutions_; }

  // Throws std::invalid_argument when the arch's resolution is not one of resolutions(), or a
  // stage is deeper, or a kernel / expansion is not in the space.
  std::vector<float> encode(const Arch& arch) const;

 private:
  std::vector<int> resolutions_, kernels_, expands_;
  std::vector<int> stage_max_depth_;
  int size_ = 0;
};

}  // namespace tinynas::nas
