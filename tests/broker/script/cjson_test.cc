// cjson (third_party/lua-cjson-2.1.0, with Drayman's fixes) through EVAL: every reply below is
// what Debian's redis-server 7.0.15 answered for the same script, except where a comment says
// Redis's answer came from undefined behaviour.
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class CjsonTest : public EngineTest {
 protected:
  std::string Eval(const std::string& script) { return RunArgs({"EVAL", script, "0"}); }
};

TEST_F(CjsonTest, EncodesAndDecodesAsRedis) {
  EXPECT_EQ(Eval("return cjson.encode({1, 'a', true, false, cjson.null, 1.5, -0.25, 1e300})"),
            "$40\r\n[1,\"a\",true,false,null,1.5,-0.25,1e+300]\r\n");
  EXPECT_EQ(Eval("return cjson.decode('{\"a\":[1,2,{\"b\":null}]}').a[3].b == cjson.null"),
            ":1\r\n");
  EXPECT_EQ(Eval("return cjson.decode('[1,2,\"\\\\u00e9\\\\ud83d\\\\ude00\"]')[3]"),
            "$6\r\n\xc3\xa9\xf0\x9f\x98\x80\r\n");
  EXPECT_EQ(Eval("return cjson.encode(cjson.decode('\"\\\\u0000\\\\n\"'))"),
            "$10\r\n\"\\u0000\\n\"\r\n");
  EXPECT_EQ(Eval("return cjson.encode(string.rep('\"', 3) .. '\\0' .. string.char(200))"),
            "$15\r\n\"\\\"\\\"\\\"\\u0000\xc8\"\r\n");
}

// Strings are escaped block by block now: lengths across block boundaries, all escaped.
TEST_F(CjsonTest, LongEscapedStrings) {
  EXPECT_EQ(Eval("return #cjson.encode(string.rep('\"', 5000))"), ":10002\r\n");
  EXPECT_EQ(Eval("return #cjson.encode(string.rep('\\1', 8193))"), ":49160\r\n");
  EXPECT_EQ(Eval("local s = string.rep('ab\\n', 3000) return cjson.decode(cjson.encode(s)) == s"),
            ":1\r\n");
  EXPECT_EQ(Eval("local c = cjson.new() c.encode_keep_buffer(false) "
                 "return c.encode({a=string.rep('x', 10)})"),
            "$18\r\n{\"a\":\"xxxxxxxxxx\"}\r\n");
}

TEST_F(CjsonTest, ErrorsAsRedis) {
  EXPECT_EQ(Eval("return cjson.decode('x')"),
            "-ERR user_script:1: Expected value but found invalid token at character 1 script: "
            "5f58dd5cefb3eb0313af3534f36be4b83e79ae80, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return cjson.decode(string.rep('[', 1001))"),
            "-ERR user_script:1: Found too many nested data structures (1001) at character 1001 "
            "script: 2ddae80deeddb6a86c3c4e3c22b92b4350e40b1f, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return cjson.decode('\"\\\\ud800\"')"),
            "-ERR user_script:1: Expected value but found invalid unicode escape code at "
            "character 2 script: 614364f6c9d9a8370605ddedbdbe5d726346f810, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("local t = {} local cur = t for i = 1, 1001 do cur[1] = {} cur = cur[1] end "
                 "return cjson.encode(t)"),
            "-ERR user_script:1: Cannot serialise, excessive nesting (1001) script: "
            "edb2a3473c3d27c747c3fa38b20f7dcb85e288b7, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return cjson.encode(0/0)"),
            "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: "
            "d3f8d4e745d6587b04e9dd216e0d4631f0a306d9, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return cjson.encode(function() end)"),
            "-ERR user_script:1: Cannot serialise function: type not supported script: "
            "c6600573aa08cdf0af5da6e0ef682db69a3acc00, on @user_script:1.\r\n");
}

// Depth limits raised to 2^31-1 by a script: the Lua stack still bounds the C recursion.
TEST_F(CjsonTest, UnlimitedDepthIsStillBounded) {
  EXPECT_EQ(Eval("local c = cjson.new() c.encode_max_depth(2147483647) local t = {} "
                 "local cur = t for i = 1, 100000 do cur[1] = {} cur = cur[1] end "
                 "return #c.encode(t)"),
            "-ERR user_script:1: Cannot serialise, excessive nesting (7998) script: "
            "a05efa69eed1af22ad0a93e2d0b88d3d5f26a40e, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("local c = cjson.new() c.encode_max_depth(2147483647) local t = {} "
                 "local cur = t for i = 1, 100000 do cur.k = {} cur = cur.k end "
                 "return #c.encode(t)"),
            "-ERR user_script:1: Cannot serialise, excessive nesting (4000) script: "
            "7d7cbaed38fc15f40a7fe279d8c7dcb0069263da, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("local c = cjson.new() c.decode_max_depth(2147483647) "
                 "return #c.decode(string.rep('[', 100000) .. string.rep(']', 100000))"),
            "-ERR user_script:1: Found too many nested data structures (7999) at character 7999 "
            "script: 43eff6197c13dec3101225640de52d0c3d1049c9, on @user_script:1.\r\n");
}

TEST_F(CjsonTest, ArrayKeysBeyondAnInt) {
  EXPECT_EQ(Eval("return cjson.encode({[2^31]=1})"), "$16\r\n{\"2147483648\":1}\r\n");
  EXPECT_EQ(Eval("return cjson.encode({[2147483647]=1})"),
            "-ERR user_script:1: Cannot serialise table: excessively sparse array script: "
            "6f5e25e0b46bc996c238827f0b430af18b0243fc, on @user_script:1.\r\n");
  // Redis converted 2^40 to an int (undefined behaviour) and answered [2], losing a key; such a
  // table is an object here.
  EXPECT_EQ(Eval("return cjson.decode(cjson.encode({[2^40]=1, [1]=2}))['1099511627776']"),
            ":1\r\n");
  // The sparse ratio check multiplied in an int: 3 * (2^31-1) overflowed.
  EXPECT_EQ(Eval("local c = cjson.new() c.encode_sparse_array(false, 2147483647, 10) "
                 "return c.encode({1,2,3})"),
            "$7\r\n[1,2,3]\r\n");
}

}  // namespace
}  // namespace drayman::testing
