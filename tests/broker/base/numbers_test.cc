#include "broker/base/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace drayman {
namespace {

TEST(ParseInt64Test, AcceptsWhatRedisString2llAccepts) {
  int64_t value = 0;
  EXPECT_TRUE(ParseInt64("0", &value));
  EXPECT_EQ(value, 0);
  EXPECT_TRUE(ParseInt64("-1", &value));
  EXPECT_EQ(value, -1);
  EXPECT_TRUE(ParseInt64("9223372036854775807", &value));
  EXPECT_EQ(value, std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &value));
  EXPECT_EQ(value, std::numeric_limits<int64_t>::min());
}

TEST(ParseInt64Test, RejectsWhatRedisRejectsAndLeavesTheOutputAlone) {
  int64_t value = 42;
  for (const char* text :
       {"", "-", "+1", " 1", "1 ", "01", "-0", "-01", "1.5", "1e3", "0x10", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "12abc"}) {
    EXPECT_FALSE(ParseInt64(text, &value)) << text;
    EXPECT_EQ(value, 42) << text;
  }
}

TEST(ParseDoubleTest, AcceptsScoresAndTimeouts) {
  double value = 0;
  EXPECT_TRUE(ParseDouble("1.5", &value));
  EXPECT_EQ(value, 1.5);
  EXPECT_TRUE(ParseDouble("1e+20", &value));
  EXPECT_EQ(value, 1e20);
  EXPECT_TRUE(ParseDouble("+inf", &value));
  EXPECT_TRUE(std::isinf(value) && value > 0);
  EXPECT_TRUE(ParseDouble("-inf", &value));
  EXPECT_TRUE(std::isinf(value) && value < 0);
  EXPECT_TRUE(ParseDouble("0x10", &value));
  EXPECT_EQ(value, 16);
  // Gradual underflow to a subnormal is kept (redis-server: ZADD z 1e-320 m is accepted).
  EXPECT_TRUE(ParseDouble("1e-320", &value));
  EXPECT_GT(value, 0);
  // No length limit: "1." and 6000 zeros is 1 (redis-server accepts it as a score).
  EXPECT_TRUE(ParseDouble("1." + std::string(6000, '0'), &value));
  EXPECT_EQ(value, 1);
}

TEST(ParseDoubleTest, RejectsBlanksNanOverflowAndUnderflowToZero) {
  double value = 7;
  for (const char* text : {"", " 1", "1 ", "abc", "nan", "1e400", "-1e400", "1e-400", "1.5x"}) {
    EXPECT_FALSE(ParseDouble(text, &value)) << text;
  }
  EXPECT_EQ(value, 7);
}

TEST(ParseLongDoubleTest, FollowsIncrbyfloat) {
  long double value = 0;
  EXPECT_TRUE(ParseLongDouble("10.50", &value));
  EXPECT_EQ(value, 10.5L);
  EXPECT_TRUE(ParseLongDouble("inf", &value));  // INCRBYFLOAT then refuses the infinite sum
  EXPECT_TRUE(std::isinf(value));
  // A long double subnormal sets ERANGE but is kept (redis-server: INCRBYFLOAT x 1e-4940 is "0").
  EXPECT_TRUE(ParseLongDouble("1e-4940", &value));
  EXPECT_GT(value, 0);
  EXPECT_FALSE(ParseLongDouble("1e-5000", &value));
  EXPECT_FALSE(ParseLongDouble("1e5000", &value));
  EXPECT_FALSE(ParseLongDouble(" 1", &value));
  EXPECT_FALSE(ParseLongDouble("1 ", &value));
  EXPECT_FALSE(ParseLongDouble("nan", &value));
  EXPECT_FALSE(ParseLongDouble("", &value));
  // Redis parses at most MAX_LONG_DOUBLE_CHARS - 1 bytes.
  EXPECT_TRUE(ParseLongDouble("1." + std::string(kMaxLongDoubleChars - 3, '0'), &value));
  EXPECT_FALSE(ParseLongDouble("1." + std::string(kMaxLongDoubleChars - 2, '0'), &value));
}

TEST(FormatLongDoubleTest, PrintsIncrbyfloatResultsLikeRedis) {
  // Each expectation is redis-server's INCRBYFLOAT reply for the same sum.
  EXPECT_EQ(FormatLongDouble(10.5L), "10.5");
  EXPECT_EQ(FormatLongDouble(5200.0L), "5200");
  EXPECT_EQ(FormatLongDouble(1e17L), "100000000000000000");
  EXPECT_EQ(FormatLongDouble(0.1L + 0.2L), "0.3");
  EXPECT_EQ(FormatLongDouble(3.0L + 1.1L), "4.1");
  EXPECT_EQ(FormatLongDouble(1.23456789012345678901L), "1.23456789012345679");
  EXPECT_EQ(FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(FormatLongDouble(1e-400L), "0");
  long double sum = 0;
  ASSERT_TRUE(ParseLongDouble("1e20", &sum));
  sum += 10.5L;
  // 1e20 + 10.5 rounds to the nearest long double: redis-server replies the same digits.
  EXPECT_EQ(FormatLongDouble(sum), "100000000000000000008");
}

TEST(FormatInt64Test, PrintsTheWholeRange) {
  EXPECT_EQ(FormatInt64(0), "0");
  EXPECT_EQ(FormatInt64(-42), "-42");
  EXPECT_EQ(FormatInt64(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
}

TEST(AddOverflowsTest, DetectsBothEnds) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_FALSE(AddOverflows(kMax - 1, 1));
  EXPECT_TRUE(AddOverflows(kMax, 1));
  EXPECT_FALSE(AddOverflows(kMin + 1, -1));
  EXPECT_TRUE(AddOverflows(kMin, -1));
  EXPECT_FALSE(AddOverflows(kMin, kMax));
  EXPECT_FALSE(AddOverflows(-1, kMin + 1));
  EXPECT_TRUE(AddOverflows(-2, kMin + 1));
}

TEST(ParseScanCursorTest, FollowsStrtoul) {
  uint64_t cursor = 99;
  EXPECT_TRUE(ParseScanCursor("0", &cursor));
  EXPECT_EQ(cursor, 0u);
  EXPECT_TRUE(ParseScanCursor("", &cursor));  // redis-server: SCAN "" is SCAN 0
  EXPECT_EQ(cursor, 0u);
  EXPECT_TRUE(ParseScanCursor("007", &cursor));
  EXPECT_EQ(cursor, 7u);
  EXPECT_TRUE(ParseScanCursor("+5", &cursor));
  EXPECT_EQ(cursor, 5u);
  EXPECT_TRUE(ParseScanCursor("-1", &cursor));
  EXPECT_EQ(cursor, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(ParseScanCursor("18446744073709551615", &cursor));
  EXPECT_FALSE(ParseScanCursor("18446744073709551616", &cursor));
  EXPECT_FALSE(ParseScanCursor(" 1", &cursor));
  EXPECT_FALSE(ParseScanCursor("1 ", &cursor));
  EXPECT_FALSE(ParseScanCursor("abc", &cursor));
  EXPECT_FALSE(ParseScanCursor("0x1", &cursor));
  // As strtoul sees a C string, a NUL ends the cursor (redis-server: SCAN "5\0x" is SCAN 5).
  EXPECT_TRUE(ParseScanCursor(std::string_view("12\0x", 4), &cursor));
  EXPECT_EQ(cursor, 12u);
  EXPECT_TRUE(ParseScanCursor(std::string_view("\0", 1), &cursor));
  EXPECT_EQ(cursor, 0u);
  EXPECT_FALSE(ParseScanCursor(std::string_view("1x\0", 3), &cursor));
}

}  // namespace
}  // namespace drayman
