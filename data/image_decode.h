// Decodes one JPEG or PNG file held in memory into HWC uint8 pixels with the requested number of
// channels (1 = grey, 3 = RGB; colour and grey inputs are converted). The format is recognised by
// its signature, not the file name. A corrupt or truncated file throws std::invalid_argument
// naming `name`.
//
//   DecodedImage img = decode_image(file_bytes, 3, "train/cat/0001.jpg");
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::data {

struct DecodedImage {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels
};

DecodedImage decode_image(const std::string& bytes, int channels, const std::string& name);

// True for the file names the image-folder reader picks up (.jpg, .jpeg, .png, any case).
bool is_image_file_name(const std::string& name);

}  // namespace tinynas::data
