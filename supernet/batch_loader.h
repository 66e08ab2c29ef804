// Training and evaluation batches from an ImageSet as float [N, C, H, W] tensors in channels_last
// layout (supernet/memory_format.h): per-epoch seeded shuffle (training), random crop after zero
// padding and horizontal flip (training and BN re-calibration), per-channel normalisation.
// Batches are prepared on worker threads ahead of the consumer. Every batch's randomness comes
// from (seed, epoch, batch index), so a resumed run sees exactly the batches it would have seen.
// LibTorch header: include only from supernet/ sources and tests.
//
//   BatchLoader loader(train, {128, /*shuffle=*/true, augment, norm, seed, /*workers=*/1});
//   loader.start_epoch(epoch, /*first_batch=*/0);
//   while (auto batch = loader.next()) step(batch->images, batch->labels);
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <deque>
#include <future>
#include <optional>
#include <vector>

#include "data/image_set.h"
#include "supernet/options.h"

namespace tinynas::supernet {

struct Normalization {
  std::vector<float> mean, std;  // per channel, of pixels scaled to [0, 1]
};

struct Batch {
  torch::Tensor images;  // float [N, C, H, W], channels_last, normalised
  torch::Tensor labels;  // int64 [N]
};

struct LoaderOptions {
  int batch_size = 128;
  bool shuffle = true;     // a seeded order per epoch, without the last partial batch
  AugmentOptions augment;  // AugmentOptions::none() for the images as they are
  Normalization norm;
  uint64_t seed = 0;
  int workers = 1;  // 0: prepare batches on the calling thread
};

class BatchLoader {
 public:
  // set must outlive the loader.
  BatchLoader(const data::ImageSet& set, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  int64_t batches_per_epoch() const;
  // Begins an epoch at batch first_batch (a resumed epoch skips the ones already done).
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  std::optional<Batch> next();

  // Batch `index` of `epoch`, computed on the calling thread (what the workers run).
  Batch make_batch(int64_t epoch, int64_t index) const;

 private:
  void fill_queue();

  const data::ImageSet& set_;
  LoaderOptions options_;
  std::vector<int64_t> order_;
  int64_t epoch_ = 0;
  int64_t next_scheduled_ = 0;
  std::deque<std::future<Batch>> queue_;
};

// Bilinear resize to resolution x resolution (no-op when already that size).
torch::Tensor resize(const torch::Tensor& images, int resolution);

}  // namespace tinynas::supernet
