// Repr: redis-server 7.0.15's sdscatrepr output (as MONITOR shows arguments).
#include "broker/resp/repr.h"

#include <gtest/gtest.h>

namespace drayman {
namespace {

TEST(ReprTest, QuotesAndEscapesLikeRedis) {
  EXPECT_EQ(Repr(""), "\"\"");
  EXPECT_EQ(Repr("plain text 123"), "\"plain text 123\"");
  EXPECT_EQ(Repr("*3\r\n$3\r\nSET\r\n"), "\"*3\\r\\n$3\\r\\nSET\\r\\n\"");
  EXPECT_EQ(Repr("a\"b\\c\td\ae\bf"), "\"a\\\"b\\\\c\\td\\ae\\bf\"");
  EXPECT_EQ(Repr(std::string_view("\x00\x7f\xff", 3)), "\"\\x00\\x7f\\xff\"");
  std::string out = "prefix ";
  AppendRepr(out, "x");
  EXPECT_EQ(out, "prefix \"x\"");
}

}  // namespace
}  // namespace drayman
