// A fresh folder under the system temp dir for one test, removed with everything in it at the end.
//
//   tinynas::testing::TempDir dir;
//   std::string config = dir.file("bad.json", "{");   // writes the file, returns its path
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace tinynas::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tinynas_test_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // The path of name inside the folder.
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  // Writes text to name inside the folder and returns the file's path.
  std::string file(const std::string& name, const std::string& text) const {
    const std::filesystem::path p = path_ / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace tinynas::testing
