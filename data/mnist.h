// The MNIST idx format: <dir>/train-images-idx3-ubyte(.gz) + train-labels-idx1-ubyte(.gz) and the
// t10k-* pair for the test split, gzip-compressed or not. 28x28 grey images, classes "0".."9".
//
//   ImageSet test = read_mnist("../shared/datasets/mnist", "test");
#pragma once

#include <string>

#include "data/image_set.h"

namespace tinynas::data {

// split: "train" or "test". Throws std::invalid_argument naming the file when it is missing,
// truncated, has the wrong magic number, or images and labels disagree in count.
ImageSet read_mnist(const std::string& dir, const std::string& split);

}  // namespace tinynas::data
