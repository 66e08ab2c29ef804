#include "data/image_decode.h"

// clang-format off
#include <cstdio>   // jpeglib.h needs FILE and size_t first
#include <csetjmp>
#include <jpeglib.h>
#include <png.h>
// clang-format on

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace tinynas::data {
namespace {

// libjpeg reports errors through a callback that must not return; we jump back to the decoder
// (no C++ objects with destructors live between setjmp and the jump).
struct JpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

void jpeg_silent(j_common_ptr, int) {}  // libraries never print; warnings are counted instead

// Returns an empty string on success, the library's message otherwise.
std::string decode_jpeg(const std::string& bytes, int channels, DecodedImage& out) {
  jpeg_decompress_struct info;
  JpegErrors errors;
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fail;
  errors.manager.emit_message = jpeg_silent;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&info);
    return errors.message;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  out.height = static_cast<int>(info.output_height);
  out.width = static_cast<int>(info.output_width);
  out.channels = channels;
  out.pixels.resize(static_cast<size_t>(out.height) * out.width * channels);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row =
        out.pixels.data() + static_cast<size_t>(info.output_scanline) * out.width * channels;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  // A truncated file decodes with "premature end of data" warnings: that is a broken data set.
  const bool damaged = errors.manager.num_warnings > 0;
  jpeg_destroy_decompress(&info);
  return damaged ? "corrupt or truncated JPEG data" : "";
}

std::string decode_png(const std::string& bytes, int channels, DecodedImage& out) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return image.message;
  image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  out.height = static_cast<int>(image.height);
  out.width = static_cast<int>(image.width);
  out.channels = channels;
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) {
    std::string message = image.message;
    png_image_free(&image);
    return message;
  }
  return "";
}

}  // namespace

bool is_image_file_name(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto ends = [&](const std::string& s) {
    return lower.size() >= s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".jpg") || ends(".jpeg") || ends(".png");
}

DecodedImage decode_image(const std::string& bytes, int channels, const std::string& name) {
  if (channels != 1 && channels != 3)
    throw std::invalid_argument(name + ": channels must be 1 or 3, got " +
                                std::to_string(channels));
  const auto at = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  DecodedImage out;
  std::string error;
  if (bytes.size() >= 3 && at(0) == 0xFF && at(1) == 0xD8 && at(2) == 0xFF) {
    error = decode_jpeg(bytes, channels, out);
  } else if (bytes.size() >= 8 && at(0) == 0x89 && bytes.compare(1, 3, "PNG") == 0) {
    error = decode_png(bytes, channels, out);
  } else {
    error = bytes.empty() ? "empty file" : "neither a JPEG nor a PNG file";
  }
  if (!error.empty()) throw std::invalid_argument(name + ": " + error);
  return out;
}

}  // namespace tinynas::data
