// The `bit` library against LuaBitOp as Redis 7.0.15 runs it: every reply below is what Debian's
// redis-server answered for the same script (SHA-1s in error texts included).
#include "broker/script/lib/bit_library.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class BitLibraryTest : public EngineTest {
 protected:
  std::string Eval(const std::string& script) { return RunArgs({"EVAL", script, "0"}); }
};

TEST_F(BitLibraryTest, ToHexWidthsAndCase) {
  EXPECT_EQ(Eval("return {bit.tohex(65535, 2147483647), bit.tohex(-1, -8), bit.tohex(255, 0), "
                 "bit.tohex(255, -3), bit.tohex(1), bit.tohex(2^32+5, 4)}"),
            "*6\r\n$8\r\n0000ffff\r\n$8\r\nFFFFFFFF\r\n$0\r\n\r\n$3\r\n0FF\r\n$8\r\n00000001\r\n"
            "$4\r\n0005\r\n");
  // Width -2^31 has no positive counterpart: it counts as the widest upper-case request.
  EXPECT_EQ(Eval("return bit.tohex(65535, -2147483648)"), "$8\r\n0000FFFF\r\n");
  EXPECT_EQ(Eval("return bit.tohex('0x10', '2')"), "$2\r\n10\r\n");
}

TEST_F(BitLibraryTest, ToBitNormalisesLikeLuaBitOp) {
  EXPECT_EQ(Eval("return {bit.tobit(2^31), bit.tobit(2^32+7), bit.tobit(-1), bit.tobit(1.5), "
                 "bit.tobit(2.5), bit.tobit(-2.5), bit.tobit(2^53+3), bit.tobit(1e300)}"),
            "*8\r\n:-2147483648\r\n:7\r\n:-1\r\n:2\r\n:2\r\n:-2\r\n:2\r\n:-2013235812\r\n");
  EXPECT_EQ(Eval("return {bit.tobit(-2^31 - 1), bit.tobit(0/0), bit.tobit(1/0), bit.tobit(-0.5), "
                 "bit.tobit(0.5)}"),
            "*5\r\n:2147483647\r\n:0\r\n:0\r\n:0\r\n:0\r\n");
}

TEST_F(BitLibraryTest, LogicalOperations) {
  EXPECT_EQ(Eval("return {bit.bnot(0), bit.band(0xff, 0x0f, 0x3c), bit.bor(1, 2, 4, 8), "
                 "bit.bxor(0xff, 0x0f, 1), bit.band(7)}"),
            "*5\r\n:-1\r\n:12\r\n:15\r\n:241\r\n:7\r\n");
}

TEST_F(BitLibraryTest, ShiftsAndRotations) {
  EXPECT_EQ(Eval("return {bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(1, 33), "
                 "bit.rshift(-1, 28), bit.arshift(-256, 4), bit.arshift(256, -28), "
                 "bit.rol(0x12345678, 0), bit.rol(0x12345678, 12), bit.ror(0x12345678, 12), "
                 "bit.ror(1, 32), bit.rol(1, -1), bit.bswap(0x12345678)}"),
            "*12\r\n:-2147483648\r\n:1\r\n:2\r\n:15\r\n:-16\r\n:16\r\n:305419896\r\n"
            ":1164411171\r\n:1736516421\r\n:1\r\n:-2147483648\r\n:2018915346\r\n");
}

TEST_F(BitLibraryTest, ArgumentErrors) {
  EXPECT_EQ(Eval("return bit.band('x')"),
            "-ERR user_script:1: bad argument #1 to 'band' (number expected, got string) script: "
            "d35c9a1d4f4825ae2c0656c3cb8c9f397ca6d9b1, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return bit.bor(1, {})"),
            "-ERR user_script:1: bad argument #2 to 'bor' (number expected, got table) script: "
            "7340156a959cd187c2d0bbbe30e001b97eacfa96, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return bit.tohex()"),
            "-ERR user_script:1: bad argument #1 to 'tohex' (number expected, got no value) "
            "script: bbebe1b19aaebf97fcec4b5510d6e6a9817e9192, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return bit.tohex(1, nil)"),
            "-ERR user_script:1: bad argument #2 to 'tohex' (number expected, got nil) script: "
            "a371c52406761939e731eaf561be8634ccb2af98, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return bit.band(1, 'x', 3)"),
            "-ERR user_script:1: bad argument #2 to 'band' (number expected, got string) script: "
            "67b73e2930e25243e3c441ed764b43775506d71e, on @user_script:1.\r\n");
}

}  // namespace
}  // namespace drayman::testing
