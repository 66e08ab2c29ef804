#include "data/tar_gz.h"

#include <zlib.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace tinynas::data {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

int64_t octal(const char* field, size_t n) {
  int64_t v = 0;
  for (size_t i = 0; i < n && field[i]; ++i) {
    if (field[i] == ' ') continue;
    if (field[i] < '0' || field[i] > '7') return -1;
    v = v * 8 + (field[i] - '0');
  }
  return v;
}

std::string field(const char* p, size_t n) {
  return std::string(p, strnlen(p, n));
}

}  // namespace

bool is_tar_name(const std::string& path) {
  const auto ends = [&](const std::string& s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".tar") || ends(".tar.gz") || ends(".tgz");
}

void for_each_tar_entry(const std::string& path,
                        const std::function<bool(const std::string&)>& want,
                        const std::function<void(const std::string&, std::string)>& visit) {
  // gzopen reads plain (uncompressed) files transparently.
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw std::invalid_argument("cannot open data archive '" + path + "'");
  gzbuffer(file.get(), 1 << 17);
  const auto read = [&](char* dst, size_t n) {
    size_t done = 0;
    while (done < n) {
      const int got = gzread(file.get(), dst + done, static_cast<unsigned>(n - done));
      if (got <= 0) {
        int code = 0;
        const char* message = gzerror(file.get(), &code);
        throw std::invalid_argument("data archive '" + path + "' is truncated or corrupt" +
                                    (code < 0 ? std::string(" (") + message + ")" : ""));
      }
      done += static_cast<size_t>(got);
    }
  };
  char header[512];
  std::string long_name;
  for (;;) {
    read(header, sizeof header);
    bool zero = true;
    for (char c : header) zero = zero && c == 0;
    if (zero) return;  // end-of-archive marker
    if (std::memcmp(header + 257, "ustar", 5) != 0 && octal(header + 148, 8) < 0)
      throw std::invalid_argument("'" + path + "' is not a tar archive");
    const int64_t size = octal(header + 124, 12);
    if (size < 0) throw std::invalid_argument("'" + path + "' has a corrupt tar header");
    const char type = header[156];
    std::string name = field(header, 100);
    const std::string prefix = field(header + 345, 155);
    if (!prefix.empty()) name = prefix + "/" + name;
    if (!long_name.empty()) name = std::move(long_name), long_name.clear();
    const int64_t padded = (size + 511) / 512 * 512;
    const bool regular = type == '0' || type == '\0';
    if (type == 'L' || (regular && want(name))) {
      std::string bytes(static_cast<size_t>(padded), '\0');
      read(bytes.data(), bytes.size());
      bytes.resize(static_cast<size_t>(size));
      if (type == 'L')
        long_name = field(bytes.data(), bytes.size());
      else
        visit(name, std::move(bytes));
    } else {
      if (padded > 0 && gzseek(file.get(), static_cast<z_off_t>(padded), SEEK_CUR) < 0)
        throw std::invalid_argument("data archive '" + path + "' is truncated");
    }
  }
}

}  // namespace tinynas::data
