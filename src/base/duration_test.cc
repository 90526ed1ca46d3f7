#include "base/duration.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(Duration, ParsesUnitsAndGroups) {
  EXPECT_EQ(*ParseDuration("250ms"), Millis(250));
  EXPECT_EQ(*ParseDuration("2s"), Millis(2000));
  EXPECT_EQ(*ParseDuration("1m30s"), Millis(90000));
  EXPECT_EQ(*ParseDuration("1h"), Millis(3600000));
  EXPECT_EQ(*ParseDuration("0"), Millis(0));
}

TEST(Duration, RejectsWithAMessageThatSaysWhatWasExpected) {
  for (const char* bad : {"", "2", "s", "2x", "1.5s", "-1s", "2 s"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.error().find("expected digits with a unit"), std::string::npos) << d.error();
  }
}

// Every duration ends up as a steady-clock deadline in nanoseconds: values that would overflow
// it are refused, never wrapped round to a short time.
TEST(Duration, RejectsWhatWouldOverflowADeadline) {
  for (const char* big : {"2562048h", "9223372036854775807ms", "1099511627776h", "100001h",
                          "99999h99999h", "360000001s"}) {
    auto d = ParseDuration(big);
    ASSERT_FALSE(d.ok()) << big << " gave " << d->count();
    EXPECT_NE(d.error().find("longer than the longest duration faultline takes (100000h)"),
              std::string::npos)
        << d.error();
  }
  EXPECT_EQ(*ParseDuration("100000h"), kMaxDuration);
  EXPECT_FALSE(ParseDurationRange("1s..200000h").ok());
  // The deadline of the longest duration still lies in the future.
  auto now = std::chrono::steady_clock::now();
  EXPECT_GT(now + kMaxDuration, now);
}

TEST(Duration, FormatsElapsedTimesInOneShape) {
  EXPECT_EQ(FormatElapsed(Millis(850)), "850ms");
  EXPECT_EQ(FormatElapsed(Millis(30000)), "30.0s");
  EXPECT_EQ(FormatElapsed(Millis(30001)), "30.0s");
  EXPECT_EQ(FormatElapsed(Millis(95380)), "95.3s");
}

TEST(Duration, ParsesRanges) {
  auto r = ParseDurationRange("2s..10s");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lo, Millis(2000));
  EXPECT_EQ(r->hi, Millis(10000));
  EXPECT_FALSE(r->fixed());
  EXPECT_TRUE(ParseDurationRange("5s")->fixed());
  EXPECT_FALSE(ParseDurationRange("10s..2s").ok());
  EXPECT_FALSE(ParseDurationRange("1s..x").ok());
}

TEST(Duration, FormatsAsItParses) {
  for (int64_t ms : {0, 250, 2000, 90000, 3600000, 3723004}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(Millis(ms))), Millis(ms)) << ms;
  }
  EXPECT_EQ(FormatDuration(Millis(90000)), "1m30s");
}

}  // namespace
}  // namespace faultline
