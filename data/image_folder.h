// The image-folder data set layout: <root>/<split>/<class>/<image>.{jpg,png}, classes in sorted
// folder-name order (label 0 = first name). root is a folder or a .tar/.tar.gz archive holding
// that tree (CIFAR-10's cifar10-jpeg.tar.gz is read as is). All images of a split must have the
// same size; they are decoded to `channels` (1 or 3).
//
//   ImageSet train = read_image_folder("../shared/datasets/cifar10-jpeg.tar.gz", "train", 3);
#pragma once

#include <string>

#include "data/image_set.h"

namespace tinynas::data {

// Throws std::invalid_argument naming the path when root or the split is missing, holds no
// images, or an image is corrupt, truncated or of another size than the first.
ImageSet read_image_folder(const std::string& root, const std::string& split, int channels);

// Identifies root's current contents cheaply (path, size and modification time), for the cache.
std::string source_stamp(const std::string& root);

}  // namespace tinynas::data
