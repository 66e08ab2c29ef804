#include "data/mnist.h"

#include <zlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

namespace tinynas::data {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

// The whole (decompressed) file; gzread passes plain files through.
std::string read_idx(const std::string& dir, const std::string& stem) {
  std::string path = dir + "/" + stem + ".gz";
  if (!std::filesystem::exists(path)) path = dir + "/" + stem;
  if (!std::filesystem::exists(path))
    throw std::invalid_argument("MNIST file '" + dir + "/" + stem + "(.gz)' does not exist");
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw std::invalid_argument("cannot open '" + path + "'");
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    const int got = gzread(file.get(), buffer, sizeof buffer);
    if (got < 0) throw std::invalid_argument("'" + path + "' is corrupt or truncated");
    if (got == 0) break;
    bytes.append(buffer, static_cast<size_t>(got));
  }
  int code = 0;
  gzerror(file.get(), &code);
  if (code < 0) throw std::invalid_argument("'" + path + "' is corrupt or truncated");
  return bytes;
}

uint32_t big_endian(const std::string& b, size_t at) {
  const auto u = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(b[i])); };
  return u(at) << 24 | u(at + 1) << 16 | u(at + 2) << 8 | u(at + 3);
}

}  // namespace

ImageSet read_mnist(const std::string& dir, const std::string& split) {
  if (split != "train" && split != "test")
    throw std::invalid_argument("MNIST split must be train or test, got '" + split + "'");
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images = read_idx(dir, prefix + "-images-idx3-ubyte");
  const std::string labels = read_idx(dir, prefix + "-labels-idx1-ubyte");
  const std::string where = dir + "/" + prefix;
  if (images.size() < 16 || big_endian(images, 0) != 0x803)
    throw std::invalid_argument(where + "-images-idx3-ubyte is not an idx3 image file");
  if (labels.size() < 8 || big_endian(labels, 0) != 0x801)
    throw std::invalid_argument(where + "-labels-idx1-ubyte is not an idx1 label file");
  const size_t n = big_endian(images, 4);
  ImageSet set;
  set.height = static_cast<int>(big_endian(images, 8));
  set.width = static_cast<int>(big_endian(images, 12));
  set.channels = 1;
  if (images.size() != 16 + n * static_cast<size_t>(set.image_bytes()))
    throw std::invalid_argument(
        where + "-images-idx3-ubyte is truncated: " + std::to_string(images.size()) +
        " bytes for " + std::to_string(n) + " images");
  if (big_endian(labels, 4) != n || labels.size() != 8 + n)
    throw std::invalid_argument(where + "-labels-idx1-ubyte does not hold " + std::to_string(n) +
                                " labels (truncated or from another split)");
  for (int c = 0; c < 10; ++c) set.classes.push_back(std::to_string(c));
  set.pixels.assign(images.begin() + 16, images.end());
  set.labels.resize(n);
  for (size_t i = 0; i < n; ++i) {
    set.labels[i] = static_cast<unsigned char>(labels[8 + i]);
    if (set.labels[i] > 9)
      throw std::invalid_argument(where + "-labels-idx1-ubyte has label " +
                                  std::to_string(set.labels[i]) + " at index " + std::to_string(i));
  }
  return set;
}

}  // namespace tinynas::data
