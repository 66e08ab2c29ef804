#include "util/byte_size.h"

#include <gtest/gtest.h>

namespace tinynas::util {
namespace {

TEST(ByteSizeTest, BinaryUnitsAsDatasheetsMeanThem) {
  EXPECT_EQ(parse_byte_size("320K"), 320 * 1024);
  EXPECT_EQ(parse_byte_size("320KB"), 320 * 1024);
  EXPECT_EQ(parse_byte_size("320kib"), 320 * 1024);
  EXPECT_EQ(parse_byte_size("1M"), 1024 * 1024);
  EXPECT_EQ(parse_byte_size("2MiB"), 2 * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("4096"), 4096);
  for (const char* bad : {"0", "-1", "abc", "320Q", "", "1.5M", "K"})
    EXPECT_THROW(parse_byte_size(bad), std::invalid_argument) << bad;
  EXPECT_EQ(format_byte_size(320 * 1024), "320K");
  EXPECT_EQ(format_byte_size(1024 * 1024), "1M");
}

}  // namespace
}  // namespace tinynas::util
