#include "util/duration.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace tinynas::util {
namespace {

TEST(DurationTest, ReadsHoursMinutesSecondsAndPlainSeconds) {
  EXPECT_DOUBLE_EQ(parse_duration("2h30m"), 9000);
  EXPECT_DOUBLE_EQ(parse_duration("90m"), 5400);
  EXPECT_DOUBLE_EQ(parse_duration("45s"), 45);
  EXPECT_DOUBLE_EQ(parse_duration("1h2m3s"), 3723);
  EXPECT_DOUBLE_EQ(parse_duration("1.5h"), 5400);
  EXPECT_DOUBLE_EQ(parse_duration("5400"), 5400);
}

TEST(DurationTest, RejectsWhatIsNotAPositiveDuration) {
  for (const char* text :
       {"", "0", "0m", "-5m", "2x", "h", "1h1h", "30m1h", "5m30", "1..5h", "abc", "1e400"})
    EXPECT_THROW(parse_duration(text), std::invalid_argument) << text;
}

TEST(DurationTest, FormatsForPeople) {
  EXPECT_EQ(format_duration(9000), "2h30m");
  EXPECT_EQ(format_duration(725), "12m05s");
  EXPECT_EQ(format_duration(45), "45s");
  EXPECT_EQ(format_duration(-3), "0s");
}

}  // namespace
}  // namespace tinynas::util
