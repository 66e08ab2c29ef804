// Reads the regular files of a .tar.gz (or plain .tar) archive in one pass, so an image-folder
// data set can be used straight from its download without unpacking. POSIX ustar and GNU long
// names are understood; other entries (folders, links) are skipped.
//
//   for_each_tar_entry("cifar10-jpeg.tar.gz", [&](const std::string& name) { return wanted(name);
//   },
//                      [&](const std::string& name, std::string bytes) { ... });
#pragma once

#include <functional>
#include <string>

namespace tinynas::data {

// want(name) decides whether an entry's bytes are read (others are skipped). Throws
// std::invalid_argument naming the archive when it is missing, truncated or not a tar archive.
void for_each_tar_entry(const std::string& path,
                        const std::function<bool(const std::string&)>& want,
                        const std::function<void(const std::string&, std::string)>& visit);

bool is_tar_name(const std::string& path);  // .tar, .tar.gz, .tgz

}  // namespace tinynas::data
