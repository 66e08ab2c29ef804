// Data for the int8 engine's commands: what a --calib-data / --data path is (raw float32 inputs,
// an MNIST idx folder, an image folder or its .tar.gz), its images decoded once through the
// supernet's torch-free readers (data, with their uint8 cache), and images turned into
// network inputs with the weights' normalisation (engine/input_preprocessing.h).
//
//   DataPath data = detect_data_path("../shared/datasets/cifar10-jpeg.tar.gz", "--calib-data");
//   data::ImageSet train = load_image_split(data, "train", 3, cache, "--calib-data");
//   std::vector<std::vector<float>> x = images_to_inputs(train, norm, input_shape, "--calib-data");
#pragma once

#include <string>
#include <vector>

#include "data/image_set.h"
#include "memory_model/float_weights.h"
#include "memory_model/graph.h"

namespace tinynas::pipeline {

enum class DataKind {
  kRawFloat,     // a regular file of little-endian float32 network inputs (HWC), concatenated
  kMnist,        // a folder with the MNIST idx files
  kImageFolder,  // a folder or .tar(.gz) / .tgz with <split>/<class>/*.{jpg,png}
};

struct DataPath {
  DataKind kind = DataKind::kRawFloat;
  std::string path;

  bool images() const { return kind != DataKind::kRawFloat; }
  std::string kind_name() const;  // "raw float32", "MNIST", "image folder"
};

// By the path alone: a folder with *-idx3-ubyte(.gz) files is MNIST, a folder with train/ or
// test/ an image folder, a .tar, .tar.gz or .tgz file an image folder archive, any other regular
// file raw float32. Throws std::invalid_argument naming `option` when the path does not exist or
// is a folder of neither kind.
DataPath detect_data_path(const std::string& path, const std::string& option);

// Where decoded splits are cached by default: <parent of dir>/.cache/<name of the data path>.
std::string default_cache_dir(const std::string& dir, const std::string& data_path);

// One split of an image data set (MNIST: "train" or "test"), image folders decoded to `channels`
// (1 or 3), cached in cache_dir (empty: no cache). Throws std::invalid_argument naming `option`
// when the split is missing or broken, or images cannot have `channels` channels.
data::ImageSet load_image_split(const DataPath& data, const std::string& split, int channels,
                                const std::string& cache_dir, const std::string& option);

// Every image of set as a network input of `input` shape (normalised, resized if needed). Throws
// std::invalid_argument naming `option` when the channels or normalisation do not fit the input.
std::vector<std::vector<float>> images_to_inputs(const data::ImageSet& set,
                                                 const memory::InputNormalization& norm,
                                                 const memory::Shape& input,
                                                 const std::string& option);

// "32x32x3".
std::string image_size_text(const data::ImageSet& set);

}  // namespace tinynas::pipeline
