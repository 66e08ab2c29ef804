#include "data/image_folder.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "data/image_decode.h"
#include "data/tar_gz.h"
#include "util/file_io.h"

namespace tinynas::data {
namespace fs = std::filesystem;
namespace {

// (class, file name) -> decoded image; the map keeps both in sorted order.
using Images = std::map<std::pair<std::string, std::string>, DecodedImage>;

// Splits "a/b/train/cat/1.jpg" into class and file when the third-last component is the split.
bool class_and_file(const std::string& path, const std::string& split, std::string& cls,
                    std::string& file) {
  std::vector<std::string> parts;
  std::stringstream in(path);
  for (std::string part; std::getline(in, part, '/');)
    if (!part.empty() && part != ".") parts.push_back(part);
  if (parts.size() < 3 || parts[parts.size() - 3] != split) return false;
  cls = parts[parts.size() - 2];
  file = parts.back();
  return is_image_file_name(file);
}

std::string read_file(const fs::path& path) {
  std::optional<std::string> bytes = util::read_file(path.string());
  if (!bytes) throw std::invalid_argument("cannot read image '" + path.string() + "'");
  return std::move(*bytes);
}

}  // namespace

std::string source_stamp(const std::string& root) {
  std::error_code ec;
  const auto size = fs::is_regular_file(root, ec) ? fs::file_size(root, ec) : 0;
  const auto time = fs::last_write_time(root, ec).time_since_epoch().count();
  return fs::absolute(root, ec).string() + "|" + std::to_string(size) + "|" + std::to_string(time);
}

ImageSet read_image_folder(const std::string& root, const std::string& split, int channels) {
  Images images;
  const auto add = [&](const std::string& cls, const std::string& file, const std::string& where,
                       const std::string& bytes) {
    images[{cls, file}] = decode_image(bytes, channels, where);
  };
  if (!fs::exists(root)) throw std::invalid_argument("data set '" + root + "' does not exist");
  if (fs::is_directory(root)) {
    const fs::path dir = fs::path(root) / split;
    if (!fs::is_directory(dir))
      throw std::invalid_argument("data set '" + root + "' has no '" + split + "' folder");
    for (const auto& cls : fs::directory_iterator(dir)) {
      if (!cls.is_directory()) continue;
      for (const auto& f : fs::directory_iterator(cls.path())) {
        const std::string name = f.path().filename().string();
        if (f.is_regular_file() && is_image_file_name(name))
          add(cls.path().filename().string(), name, f.path().string(), read_file(f.path()));
      }
    }
  } else if (is_tar_name(root)) {
    std::string cls, file;
    for_each_tar_entry(
        root, [&](const std::string& name) { return class_and_file(name, split, cls, file); },
        [&](const std::string& name, std::string bytes) {
          class_and_file(name, split, cls, file);
          add(cls, file, root + ":" + name, bytes);
        });
  } else {
    throw std::invalid_argument("data set '" + root +
                                "' must be a folder or a .tar / .tar.gz archive");
  }
  if (images.empty())
    throw std::invalid_argument("data set '" + root + "' has no images under '" + split +
                                "/<class>/' (expected .jpg, .jpeg or .png files)");

  ImageSet set;
  const DecodedImage& first = images.begin()->second;
  set.height = first.height;
  set.width = first.width;
  set.channels = channels;
  set.pixels.reserve(images.size() * static_cast<size_t>(set.image_bytes()));
  for (const auto& [key, img] : images) {
    if (img.height != set.height || img.width != set.width)
      throw std::invalid_argument("data set '" + root + "': " + split + "/" + key.first + "/" +
                                  key.second + " is " + std::to_string(img.width) + "x" +
                                  std::to_string(img.height) + ", the others " +
                                  std::to_string(set.width) + "x" + std::to_string(set.height));
    if (set.classes.empty() || set.classes.back() != key.first) set.classes.push_back(key.first);
    set.labels.push_back(static_cast<int32_t>(set.classes.size() - 1));
    set.pixels.insert(set.pixels.end(), img.pixels.begin(), img.pixels.end());
  }
  return set;
}

}  // namespace tinynas::data
