#include "data/image_set.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "util/file_io.h"
#include "util/json_reader.h"

namespace tinynas::data {
namespace {

constexpr char kMagic[8] = {'T', 'N', 'I', 'M', 'G', 'S', 'E', 'T'};
constexpr int32_t kVersion = 1;

void put_i64(std::string& out, int64_t v) {
  out.append(reinterpret_cast<const char*>(&v), 8);
}
void put_string(std::string& out, const std::string& s) {
  put_i64(out, static_cast<int64_t>(s.size()));
  out += s;
}

// Reads from a byte buffer; every read checks the bounds, so a truncated file is just "no cache".
struct Cursor {
  const std::string& bytes;
  size_t at = 0;
  bool ok = true;
  bool take(void* dst, size_t n) {
    if (!ok || bytes.size() - at < n) return ok = false;
    std::memcpy(dst, bytes.data() + at, n);
    at += n;
    return true;
  }
  int64_t i64() {
    int64_t v = 0;
    take(&v, 8);
    return v;
  }
  std::string string() {
    const int64_t n = i64();
    if (!ok || n < 0 || static_cast<size_t>(n) > bytes.size() - at) {
      ok = false;
      return {};
    }
    std::string s = bytes.substr(at, static_cast<size_t>(n));
    at += static_cast<size_t>(n);
    return s;
  }
};

}  // namespace

namespace {

// The seeded choice of subset(): a Fisher-Yates shuffle with our own index drawing (std::shuffle
// differs between standard libraries); the first n indices are kept.
std::vector<int64_t> shuffled_indices(int64_t size, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(size));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng() % (i + 1)]);
  return order;
}

ImageSet gather(const ImageSet& set, std::vector<int64_t> indices) {
  std::sort(indices.begin(), indices.end());
  ImageSet out;
  out.height = set.height;
  out.width = set.width;
  out.channels = set.channels;
  out.classes = set.classes;
  out.pixels.resize(indices.size() * static_cast<size_t>(set.image_bytes()));
  out.labels.resize(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    std::memcpy(out.pixels.data() + i * set.image_bytes(), set.image(indices[i]),
                static_cast<size_t>(set.image_bytes()));
    out.labels[i] = set.labels[static_cast<size_t>(indices[i])];
  }
  return out;
}

}  // namespace

ImageSet subset(const ImageSet& set, int64_t n, uint64_t seed) {
  if (n <= 0 || n >= set.size()) return set;
  std::vector<int64_t> order = shuffled_indices(set.size(), seed);
  order.resize(static_cast<size_t>(n));
  return gather(set, std::move(order));
}

ImageSet holdout(const ImageSet& set, int64_t n, uint64_t seed) {
  if (n <= 0 || n >= set.size()) return gather(set, {});
  std::vector<int64_t> order = shuffled_indices(set.size(), seed);
  return gather(set, std::vector<int64_t>(order.begin() + n, order.end()));
}

void channel_stats(const ImageSet& set, std::vector<float>& mean, std::vector<float>& std) {
  const int c = set.channels;
  std::vector<double> sum(c, 0.0), sq(c, 0.0);
  const size_t n = set.pixels.size();
  for (size_t i = 0; i < n; ++i) {
    const double v = set.pixels[i] / 255.0;
    sum[i % c] += v;
    sq[i % c] += v * v;
  }
  const double count = std::max<double>(1.0, static_cast<double>(n / std::max(c, 1)));
  mean.assign(c, 0.f);
  std.assign(c, 1.f);
  for (int k = 0; k < c; ++k) {
    const double m = sum[k] / count;
    mean[k] = static_cast<float>(m);
    std[k] = static_cast<float>(std::sqrt(std::max(1e-6, sq[k] / count - m * m)));
  }
}

void save_image_set(const std::string& path, const ImageSet& set, const std::string& stamp) {
  std::string out(kMagic, sizeof kMagic);
  put_i64(out, kVersion);
  put_string(out, stamp);
  put_i64(out, set.size());
  put_i64(out, set.height);
  put_i64(out, set.width);
  put_i64(out, set.channels);
  put_i64(out, set.num_classes());
  for (const std::string& c : set.classes) put_string(out, c);
  out.append(reinterpret_cast<const char*>(set.labels.data()), set.labels.size() * 4);
  out.append(reinterpret_cast<const char*>(set.pixels.data()), set.pixels.size());
  util::write_file_atomically(path, out);
}

std::optional<ImageSet> load_cached_image_set(const std::string& path, const std::string& stamp) {
  const std::optional<std::string> file = util::read_file(path);
  if (!file) return std::nullopt;
  const std::string& bytes = *file;
  Cursor c{bytes};
  char magic[sizeof kMagic];
  if (!c.take(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0)
    return std::nullopt;
  if (c.i64() != kVersion || c.string() != stamp) return std::nullopt;
  ImageSet set;
  const int64_t n = c.i64();
  set.height = static_cast<int>(c.i64());
  set.width = static_cast<int>(c.i64());
  set.channels = static_cast<int>(c.i64());
  const int64_t classes = c.i64();
  if (!c.ok || n < 0 || classes < 0 || classes > 100000 || set.height <= 0 || set.width <= 0 ||
      set.channels <= 0)
    return std::nullopt;
  for (int64_t i = 0; i < classes && c.ok; ++i) set.classes.push_back(c.string());
  const size_t pixel_bytes = static_cast<size_t>(n * set.image_bytes());
  if (!c.ok || bytes.size() - c.at != static_cast<size_t>(n) * 4 + pixel_bytes) return std::nullopt;
  set.labels.resize(static_cast<size_t>(n));
  set.pixels.resize(pixel_bytes);
  c.take(set.labels.data(), set.labels.size() * 4);
  c.take(set.pixels.data(), pixel_bytes);
  for (int32_t l : set.labels)
    if (l < 0 || l >= classes) return std::nullopt;
  return set;
}

}  // namespace tinynas::data
