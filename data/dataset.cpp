#include "data/dataset.h"

#include <filesystem>
#include <stdexcept>

#include "data/image_folder.h"
#include "data/mnist.h"
#include "data/synthetic.h"

namespace tinynas::data {

ImageSet load_split(const DatasetSpec& spec, const std::string& split,
                    const std::string& cache_dir) {
  if (spec.kind == "synthetic")
    return synthetic_images(split == "train" ? spec.synthetic_train : spec.synthetic_test,
                            spec.synthetic_size, spec.synthetic_size, spec.channels,
                            spec.synthetic_classes, split == "train" ? 1 : 2);
  if (spec.kind != "image_folder" && spec.kind != "mnist")
    throw std::invalid_argument("data kind '" + spec.kind +
                                "' is unknown (image_folder, mnist or synthetic)");
  if (spec.path.empty()) throw std::invalid_argument("data: 'path' is empty");
  if (!std::filesystem::exists(spec.path))
    throw std::invalid_argument("data set '" + spec.path + "' does not exist");
  const std::string stamp =
      spec.kind + "|" + std::to_string(spec.channels) + "|" + split + "|" + source_stamp(spec.path);
  const std::string cache = cache_dir.empty() ? "" : cache_dir + "/" + split + ".u8";
  if (!cache.empty())
    if (auto cached = load_cached_image_set(cache, stamp)) return std::move(*cached);
  ImageSet set = spec.kind == "mnist" ? read_mnist(spec.path, split)
                                      : read_image_folder(spec.path, split, spec.channels);
  if (!cache.empty()) {
    std::filesystem::create_directories(cache_dir);
    save_image_set(cache, set, stamp);
  }
  return set;
}

}  // namespace tinynas::data
