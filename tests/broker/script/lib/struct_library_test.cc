// The `struct` library as Redis 7.0.15 runs it: every reply below is what Debian's redis-server
// answered for the same script (tests/python/test_lua_struct_oracle.py compares hundreds more
// with a live redis-server).
#include "broker/script/lib/struct_library.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class StructLibraryTest : public EngineTest {
 protected:
  std::string Eval(const std::string& script) { return RunArgs({"EVAL", script, "0"}); }
};

TEST_F(StructLibraryTest, PacksIntegersOfEverySizeInBothByteOrders) {
  EXPECT_EQ(Eval("return struct.pack('<hI3>hI3', -2, 65536, -2, 65536)"),
            std::string("$10\r\n\xfe\xff\x00\x00\x01\xff\xfe\x01\x00\x00\r\n", 17));
  // Past 8 bytes only the low 64 bits of a C long are kept; the rest is zeros.
  EXPECT_EQ(Eval("return struct.pack('>i9', -1)"),
            std::string("$9\r\n\x00\xff\xff\xff\xff\xff\xff\xff\xff\r\n", 15));
}

TEST_F(StructLibraryTest, UnpacksWithOffsetsAndPreviousSizes) {
  EXPECT_EQ(Eval("return {struct.unpack('>i3i9i16I16', struct.pack('>i3i9i16I16', -3, -9, -16, "
                 "16))}"),
            "*5\r\n:-3\r\n:-9\r\n:-16\r\n:16\r\n:45\r\n");
  EXPECT_EQ(Eval("return {struct.unpack('bc0s', struct.pack('b', 3) .. 'xyzab\\0')}"),
            "*3\r\n$3\r\nxyz\r\n$2\r\nab\r\n:8\r\n");
  EXPECT_EQ(Eval("return {struct.unpack('i', 'abcdefgh', 5)}"), "*2\r\n:1751606885\r\n:9\r\n");
}

TEST_F(StructLibraryTest, SizesAndAlignment) {
  EXPECT_EQ(Eval("return {struct.size('bhi'), struct.size('!bhi'), struct.size('!4bd')}"),
            "*3\r\n:7\r\n:8\r\n:12\r\n");
}

TEST_F(StructLibraryTest, ErrorsCarryRedisTexts) {
  const std::string unpack = Eval("return {struct.unpack('bc0', struct.pack('b', 30) .. 'xyz')}");
  EXPECT_EQ(
      unpack.rfind("-ERR user_script:1: bad argument #2 to 'unpack' (data string too short)", 0),
      0u)
      << unpack;
  const std::string align = Eval("return struct.size('!3')");
  EXPECT_EQ(align.rfind("-ERR user_script:1: alignment 3 is not a power of 2", 0), 0u) << align;
  const std::string option = Eval("return struct.pack('z', 1)");
  EXPECT_EQ(option.rfind("-ERR user_script:1: bad argument #1 to 'pack' (invalid format option "
                         "'z')",
                         0),
            0u)
      << option;
  const std::string big = Eval("return struct.pack('i33', 1)");
  EXPECT_EQ(big.rfind("-ERR user_script:1: integral size 33 is larger than limit of 32", 0), 0u)
      << big;
}

}  // namespace
}  // namespace drayman::testing
