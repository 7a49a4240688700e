// The `cmsgpack` library as Redis 7.0.15 runs it: every reply below is what Debian's redis-server
// answered for the same script (tests/python/test_lua_cmsgpack_oracle.py compares hundreds more
// with a live redis-server, malformed input included).
#include "broker/script/lib/cmsgpack_library.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class CmsgpackLibraryTest : public EngineTest {
 protected:
  std::string Eval(const std::string& script) { return RunArgs({"EVAL", script, "0"}); }
};

TEST_F(CmsgpackLibraryTest, PacksIntegersAtEncodingBoundaries) {
  EXPECT_EQ(Eval("return cmsgpack.pack(127, 128, -32, -33, 65536, -2^63)"),
            std::string("$20\r\n\x7f\xcc\x80\xe0\xd0\xdf\xce\x00\x01\x00\x00"
                        "\xd3\x80\x00\x00\x00\x00\x00\x00\x00\r\n",
                        27));
}

TEST_F(CmsgpackLibraryTest, ArraysMapsAndNestingLimit) {
  EXPECT_EQ(Eval("return cmsgpack.pack({1, 2}, {[1] = 1, [3] = 3})"),
            std::string("$8\r\n\x92\x01\x02\x82\x01\x01\x03\x03\r\n", 14));
  // The 17th nested table is packed as nil.
  const std::string deep = Eval(
      "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end "
      "return cmsgpack.pack(t)");
  EXPECT_EQ(deep, "$17\r\n" + std::string(16, '\x91') + "\xc0\r\n");
}

TEST_F(CmsgpackLibraryTest, UnpackOffsetsAndErrors) {
  EXPECT_EQ(Eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}"), "*2\r\n:2\r\n:2\r\n");
  EXPECT_EQ(Eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)}"),
            "*3\r\n:-1\r\n:2\r\n:3\r\n");
  const std::string bad = Eval("return {cmsgpack.unpack('\\196\\1a')}");
  EXPECT_EQ(bad.rfind("-ERR user_script:1: Bad data format in input.", 0), 0u) << bad;
  const std::string missing = Eval("return {cmsgpack.unpack('\\217\\5ab')}");
  EXPECT_EQ(missing.rfind("-ERR user_script:1: Missing bytes in input.", 0), 0u) << missing;
}

}  // namespace
}  // namespace drayman::testing
