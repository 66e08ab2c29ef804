#include "supernet/batch_loader.h"

#include <algorithm>
#include <numeric>

#include "nas/random.h"

namespace tinynas::supernet {

BatchLoader::BatchLoader(const data::ImageSet& set, LoaderOptions options)
    : set_(set), options_(std::move(options)) {
  if (options_.norm.mean.empty()) {
    options_.norm.mean.assign(static_cast<size_t>(set.channels), 0.5f);
    options_.norm.std.assign(static_cast<size_t>(set.channels), 0.25f);
  }
  order_.resize(static_cast<size_t>(set.size()));
  std::iota(order_.begin(), order_.end(), 0);
}

BatchLoader::~BatchLoader() {
  for (auto& f : queue_)
    if (f.valid()) f.wait();
}

int64_t BatchLoader::batches_per_epoch() const {
  const int64_t n = set_.size(), b = options_.batch_size;
  return options_.shuffle ? n / b : (n + b - 1) / b;
}

void BatchLoader::start_epoch(int64_t epoch, int64_t first_batch) {
  for (auto& f : queue_) f.wait();
  queue_.clear();
  epoch_ = epoch;
  next_scheduled_ = first_batch;
  std::iota(order_.begin(), order_.end(), 0);
  if (options_.shuffle) {
    nas::Rng rng = nas::Rng::for_stream(options_.seed ^ 0x5A17ULL, static_cast<uint64_t>(epoch));
    for (size_t i = order_.size(); i > 1; --i)
      std::swap(order_[i - 1], order_[static_cast<size_t>(rng.index(static_cast<int>(i)))]);
  }
  fill_queue();
}

void BatchLoader::fill_queue() {
  const size_t depth = static_cast<size_t>(options_.workers) + 1;
  while (options_.workers > 0 && queue_.size() < depth && next_scheduled_ < batches_per_epoch()) {
    const int64_t index = next_scheduled_++;
    queue_.push_back(
        std::async(std::launch::async, [this, index] { return make_batch(epoch_, index); }));
  }
}

std::optional<Batch> BatchLoader::next() {
  if (options_.workers == 0) {
    if (next_scheduled_ >= batches_per_epoch()) return std::nullopt;
    return make_batch(epoch_, next_scheduled_++);
  }
  if (queue_.empty()) return std::nullopt;
  Batch batch = queue_.front().get();
  queue_.pop_front();
  fill_queue();
  return batch;
}

Batch BatchLoader::make_batch(int64_t epoch, int64_t index) const {
  const int64_t b0 = index * options_.batch_size;
  const int64_t n = std::min<int64_t>(options_.batch_size, set_.size() - b0);
  const int h = set_.height, w = set_.width, c = set_.channels;
  // channels_last: the images' own HWC order, and the layout the networks compute in.
  torch::Tensor images = torch::empty(
      {n, c, h, w},
      torch::TensorOptions(torch::kFloat).memory_format(at::MemoryFormat::ChannelsLast));
  torch::Tensor labels = torch::empty({n}, torch::kLong);
  float* out = images.data_ptr<float>();
  int64_t* lab = labels.data_ptr<int64_t>();
  nas::Rng rng = nas::Rng::for_stream(options_.seed + 0x1000 * static_cast<uint64_t>(epoch + 1),
                                      static_cast<uint64_t>(index));
  const int pad = options_.augment.pad;
  std::vector<float> scale(c), shift(c);
  for (int k = 0; k < c; ++k) {
    scale[k] = 1.f / (255.f * options_.norm.std[k]);
    shift[k] = -options_.norm.mean[k] / options_.norm.std[k];
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t src = order_[static_cast<size_t>(b0 + i)];
    const uint8_t* img = set_.image(src);
    lab[i] = set_.labels[static_cast<size_t>(src)];
    const int dy = pad > 0 ? rng.index(2 * pad + 1) - pad : 0;
    const int dx = pad > 0 ? rng.index(2 * pad + 1) - pad : 0;
    const bool flip = options_.augment.flip && rng.chance(0.5);
    float* dst = out + i * c * h * w;
    for (int y = 0; y < h; ++y) {
      const int sy = y + dy;
      for (int x = 0; x < w; ++x) {
        const int sx = (flip ? w - 1 - x : x) + dx;
        const bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        for (int k = 0; k < c; ++k) {
          // Zero padding is black (0) before normalisation.
          const float v = inside ? img[(static_cast<int64_t>(sy) * w + sx) * c + k] : 0.f;
          dst[(static_cast<int64_t>(y) * w + x) * c + k] = v * scale[k] + shift[k];
        }
      }
    }
  }
  return {images, labels};
}

torch::Tensor resize(const torch::Tensor& images, int resolution) {
  if (images.size(2) == resolution && images.size(3) == resolution) return images;
  namespace F = torch::nn::functional;
  // In NCHW: LibTorch's channels_last bilinear kernel rounds differently, and the int8 engine's
  // preprocessing (engine/input_preprocessing.h) reproduces the NCHW one bit for bit.
  const torch::Tensor resized =
      F::interpolate(images.contiguous(), F::InterpolateFuncOptions()
                                              .size(std::vector<int64_t>{resolution, resolution})
                                              .mode(torch::kBilinear)
                                              .align_corners(false));
  return resized.contiguous(at::MemoryFormat::ChannelsLast);
}

}  // namespace tinynas::supernet
