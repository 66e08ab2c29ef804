#include "pipeline/data_input.h"

#include <filesystem>
#include <stdexcept>

#include "data/dataset.h"
#include "engine/input_preprocessing.h"

namespace tinynas::pipeline {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool has_idx_files(const fs::path& dir) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.find("-idx3-ubyte") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string DataPath::kind_name() const {
  switch (kind) {
    case DataKind::kRawFloat:
      return "raw float32";
    case DataKind::kMnist:
      return "MNIST";
    case DataKind::kImageFolder:
      return "image folder";
  }
  return "?";
}

DataPath detect_data_path(const std::string& path, const std::string& option) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (path.empty() || !fs::exists(status))
    throw std::invalid_argument(option + ": '" + path + "' does not exist");
  DataPath data;
  data.path = path;
  if (fs::is_directory(status)) {
    if (has_idx_files(path)) {
      data.kind = DataKind::kMnist;
    } else if (fs::is_directory(fs::path(path) / "train", ec) ||
               fs::is_directory(fs::path(path) / "test", ec)) {
      data.kind = DataKind::kImageFolder;
    } else {
      throw std::invalid_argument(
          option + ": the folder '" + path +
          "' holds neither MNIST idx files (train-images-idx3-ubyte...) nor an image folder's "
          "train/ or test/ (<split>/<class>/*.jpg|png)");
    }
    return data;
  }
  if (!fs::is_regular_file(status))
    throw std::invalid_argument(option + ": '" + path + "' is neither a file nor a folder");
  const bool archive =
      ends_with(path, ".tar.gz") || ends_with(path, ".tgz") || ends_with(path, ".tar");
  data.kind = archive ? DataKind::kImageFolder : DataKind::kRawFloat;
  return data;
}

std::string default_cache_dir(const std::string& dir, const std::string& data_path) {
  fs::path data = fs::path(data_path).lexically_normal();
  if (data.filename().empty()) data = data.parent_path();  // "mnist/" -> "mnist"
  std::string name = data.filename().string();
  if (name.empty() || name == "." || name == "..") name = "data";
  fs::path parent = fs::absolute(fs::path(dir)).lexically_normal();
  if (parent.filename().empty()) parent = parent.parent_path();
  return (parent.parent_path() / ".cache" / name).string();
}

data::ImageSet load_image_split(const DataPath& data, const std::string& split, int channels,
                                const std::string& cache_dir, const std::string& option) {
  if (!data.images())
    throw std::invalid_argument(option + ": '" + data.path + "' is not an image data set");
  data::DatasetSpec spec;
  spec.path = data.path;
  if (data.kind == DataKind::kMnist) {
    spec.kind = "mnist";
    spec.channels = 1;
  } else {
    spec.kind = "image_folder";
    if (channels != 1 && channels != 3)
      throw std::invalid_argument(option +
                                  ": images decode to 1 or 3 channels, the network input " +
                                  "has " + std::to_string(channels));
    spec.channels = channels;
  }
  try {
    data::ImageSet set = data::load_split(spec, split, cache_dir);
    if (set.size() == 0) throw std::invalid_argument("the " + split + " split holds no images");
    return set;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(option + " (" + data.kind_name() + " '" + data.path + "', " +
                                split + " split): " + e.what());
  }
}

std::vector<std::vector<float>> images_to_inputs(const data::ImageSet& set,
                                                 const memory::InputNormalization& norm,
                                                 const memory::Shape& input,
                                                 const std::string& option) {
  try {
    const engine::ImagePreprocessor prep(norm, set.height, set.width, set.channels, input);
    std::vector<std::vector<float>> inputs;
    inputs.reserve(static_cast<size_t>(set.size()));
    for (int64_t i = 0; i < set.size(); ++i) inputs.push_back(prep(set.image(i)));
    return inputs;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(option + ": " + e.what());
  }
}

std::string image_size_text(const data::ImageSet& set) {
  return std::to_string(set.height) + "x" + std::to_string(set.width) + "x" +
         std::to_string(set.channels);
}

}  // namespace tinynas::pipeline
