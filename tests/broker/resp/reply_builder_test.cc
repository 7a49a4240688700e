// Reply builder tests: raw bytes for every type in RESP2 and RESP3. The encodings were checked
// against Debian's redis-server 7.0.15 (HELLO 2 / HELLO 3 on raw sockets); double formatting
// follows Redis 7.2's d2string/fpconv_dtoa, which the 7.0 oracle cannot show (7.0 prints %.17g).
#include "broker/resp/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace drayman {
namespace {

class ReplyBuilderTest : public ::testing::TestWithParam<Protocol> {
 protected:
  ReplyBuilderTest() : reply_(&out_, GetParam()) {}
  bool resp3() const { return GetParam() == Protocol::kResp3; }
  std::string Take() {
    std::string taken;
    taken.swap(out_);
    return taken;
  }

  std::string out_;
  ReplyBuilder reply_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, ReplyBuilderTest,
                         ::testing::Values(Protocol::kResp2, Protocol::kResp3),
                         [](const auto& info) {
                           return info.param == Protocol::kResp2 ? std::string("Resp2")
                                                                 : std::string("Resp3");
                         });

TEST_P(ReplyBuilderTest, TypesSharedByBothProtocols) {
  reply_.SimpleString("OK");
  EXPECT_EQ(Take(), "+OK\r\n");
  reply_.Ok();
  EXPECT_EQ(Take(), "+OK\r\n");
  reply_.Integer(-42);
  EXPECT_EQ(Take(), ":-42\r\n");
  reply_.Integer(INT64_MIN);
  EXPECT_EQ(Take(), ":-9223372036854775808\r\n");
  reply_.Bulk(std::string("a\0b", 3));
  EXPECT_EQ(Take(), std::string("$3\r\na\0b\r\n", 9));
  reply_.Bulk("");
  EXPECT_EQ(Take(), "$0\r\n\r\n");
  reply_.ArrayHeader(2);
  reply_.Integer(1);
  reply_.Bulk("x");
  EXPECT_EQ(Take(), "*2\r\n:1\r\n$1\r\nx\r\n");
  reply_.EmptyArray();
  EXPECT_EQ(Take(), "*0\r\n");
}

TEST_P(ReplyBuilderTest, Errors) {
  reply_.Error("ERR syntax error");
  EXPECT_EQ(Take(), "-ERR syntax error\r\n");
  // CR and LF cannot appear in an error line; Redis turns them into spaces.
  reply_.Error("ERR bad\r\nthing");
  EXPECT_EQ(Take(), "-ERR bad  thing\r\n");
  reply_.Error("WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(reply_.error_count(), 3u);
  EXPECT_EQ(reply_.last_error_code(), "WRONGPASS");
}

TEST_P(ReplyBuilderTest, Nulls) {
  reply_.Null();
  EXPECT_EQ(Take(), resp3() ? "_\r\n" : "$-1\r\n");
  reply_.NullArray();
  EXPECT_EQ(Take(), resp3() ? "_\r\n" : "*-1\r\n");
}

TEST_P(ReplyBuilderTest, Map) {
  reply_.MapHeader(2);
  reply_.Bulk("a");
  reply_.Integer(1);
  reply_.Bulk("b");
  reply_.Integer(2);
  EXPECT_EQ(Take(), resp3() ? "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"
                            : "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
  reply_.MapHeader(0);
  EXPECT_EQ(Take(), resp3() ? "%0\r\n" : "*0\r\n");
}

TEST_P(ReplyBuilderTest, Set) {
  reply_.SetHeader(1);
  reply_.Bulk("m");
  EXPECT_EQ(Take(), resp3() ? "~1\r\n$1\r\nm\r\n" : "*1\r\n$1\r\nm\r\n");
}

TEST_P(ReplyBuilderTest, Push) {
  reply_.PushHeader(3);
  reply_.Bulk("message");
  reply_.Bulk("ch");
  reply_.Bulk("hi");
  EXPECT_EQ(Take(),
            std::string(resp3() ? ">" : "*") + "3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
}

TEST_P(ReplyBuilderTest, Boolean) {
  reply_.Bool(true);
  EXPECT_EQ(Take(), resp3() ? "#t\r\n" : ":1\r\n");
  reply_.Bool(false);
  EXPECT_EQ(Take(), resp3() ? "#f\r\n" : ":0\r\n");
}

TEST_P(ReplyBuilderTest, Verbatim) {
  reply_.Verbatim("txt", "# Keyspace\r\n");
  // The RESP3 length counts the "txt:" prefix, as redis-server's INFO reply does.
  EXPECT_EQ(Take(), resp3() ? "=16\r\ntxt:# Keyspace\r\n\r\n" : "$12\r\n# Keyspace\r\n\r\n");
  reply_.Verbatim("txt", "");
  EXPECT_EQ(Take(), resp3() ? "=4\r\ntxt:\r\n" : "$0\r\n\r\n");
}

TEST_P(ReplyBuilderTest, Doubles) {
  reply_.Double(3.14);
  EXPECT_EQ(Take(), resp3() ? ",3.14\r\n" : "$4\r\n3.14\r\n");
  reply_.Double(1e20);
  EXPECT_EQ(Take(), resp3() ? ",1e+20\r\n" : "$5\r\n1e+20\r\n");
  reply_.Double(std::numeric_limits<double>::infinity());
  EXPECT_EQ(Take(), resp3() ? ",inf\r\n" : "$3\r\ninf\r\n");
  reply_.Double(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(Take(), resp3() ? ",-inf\r\n" : "$4\r\n-inf\r\n");
  reply_.Double(std::nan(""));
  EXPECT_EQ(Take(), resp3() ? ",nan\r\n" : "$3\r\nnan\r\n");
  reply_.Double(2);
  EXPECT_EQ(Take(), resp3() ? ",2\r\n" : "$1\r\n2\r\n");
}

TEST_P(ReplyBuilderTest, ProtocolCanChangeBetweenReplies) {
  reply_.set_protocol(Protocol::kResp3);
  reply_.Null();
  reply_.set_protocol(Protocol::kResp2);
  reply_.Null();
  EXPECT_EQ(Take(), "_\r\n$-1\r\n");
}

TEST_P(ReplyBuilderTest, HelpIsStatusLines) {
  reply_.Help("CONFIG", {"GET <pattern>", "    Return parameters."});
  EXPECT_EQ(Take(),
            "*5\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+GET <pattern>\r\n+    Return parameters.\r\n+HELP\r\n+    Prints this help.\r\n");
}

// Redis 7.2's d2string: integers within 2^62 as integers, otherwise shortest round-trip digits
// laid out by fpconv_dtoa's emit_digits. (Redis 7.0 printed "%.17g": 3.14 as
// "3.1400000000000001".)
TEST(FormatDoubleTest, IntegersAndSpecialValues) {
  EXPECT_EQ(FormatDouble(0.0), "0");
  EXPECT_EQ(FormatDouble(-0.0), "-0");
  EXPECT_EQ(FormatDouble(3), "3");
  EXPECT_EQ(FormatDouble(-17), "-17");
  EXPECT_EQ(FormatDouble(1e15), "1000000000000000");
  EXPECT_EQ(FormatDouble(1e18), "1000000000000000000");
  EXPECT_EQ(FormatDouble(4611686018427387904.0), "4611686018427387904");  // 2^62
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatDouble(std::nan("")), "nan");
}

TEST(FormatDoubleTest, ShortestDigitsInFpconvLayout) {
  EXPECT_EQ(FormatDouble(3.14), "3.14");
  EXPECT_EQ(FormatDouble(-0.5), "-0.5");
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(123456.789), "123456.789");
  // fpconv keeps plain decimals only while the exponent of the last digit is above -7 or the
  // value is below 10^4, so a Python time.time() score turns scientific (7.0 gave
  // "1724003600.5678232").
  EXPECT_EQ(FormatDouble(1724003600.5678232), "1.7240036005678232e+9");
  EXPECT_EQ(FormatDouble(1724003600.5), "1724003600.5");
  // Plain decimals down to exponent -7 digits after the point...
  EXPECT_EQ(FormatDouble(0.000001), "0.000001");
  EXPECT_EQ(FormatDouble(0.001234), "0.001234");
  // ...then scientific, with the exponent's digits and no padding.
  EXPECT_EQ(FormatDouble(1e-7), "1e-7");
  EXPECT_EQ(FormatDouble(0.0001234), "1.234e-4");
  EXPECT_EQ(FormatDouble(5e-324), "5e-324");
  // Above 2^62 values are integral but printed from their shortest digits.
  EXPECT_EQ(FormatDouble(9223372036854775808.0), "9223372036854776000");  // 2^63
  EXPECT_EQ(FormatDouble(12345678901234567890.0), "12345678901234567000");
  EXPECT_EQ(FormatDouble(1e19), "1e+19");
  EXPECT_EQ(FormatDouble(1e20), "1e+20");
  EXPECT_EQ(FormatDouble(-1.5e300), "-1.5e+300");
  EXPECT_EQ(FormatDouble(1.7976931348623157e308), "1.7976931348623157e+308");
}

TEST(FormatDoubleTest, RoundTrips) {
  for (double value :
       {0.1, 1.0 / 3, 2.0 / 3, 1e-300, 123.456e200, 9007199254740993.0, 4.35, 0.07, 1e23, 5e-7}) {
    EXPECT_EQ(std::stod(FormatDouble(value)), value) << FormatDouble(value);
    EXPECT_EQ(std::stod(FormatDouble(-value)), -value) << FormatDouble(-value);
  }
}

}  // namespace
}  // namespace drayman
