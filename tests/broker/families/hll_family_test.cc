// PFADD, PFCOUNT, PFMERGE, PFDEBUG as redis-cli transcripts, checked against redis-server 7.0.15
// (tests/python/test_hll_oracle.py replays the same kind of lines on both servers).
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

using HllFamilyTest = EngineTest;

TEST_F(HllFamilyTest, AddCountAndTheCachedCardinality) {
  EXPECT_EQ(Run("PFADD h a b c"), ":1\r\n");
  EXPECT_EQ(Run("PFADD h a"), ":0\r\n");
  EXPECT_EQ(Run("GET h"),
            std::string("$27\r\nHYLL\x01\0\0\0\0\0\0\0\0\0\0\x80", 21) +
                "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a\r\n");
  EXPECT_EQ(Run("PFCOUNT h"), ":3\r\n");
  // The count is cached in the header, little-endian, with the stale bit cleared.
  EXPECT_EQ(Run("GETRANGE h 8 15"), std::string("$8\r\n\x03\0\0\0\0\0\0\0\r\n", 14));
  EXPECT_EQ(Run("OBJECT ENCODING h"), "$3\r\nraw\r\n");
  EXPECT_EQ(Run("PFADD fresh"), ":1\r\n");
  EXPECT_EQ(Run("PFADD fresh"), ":0\r\n");
  EXPECT_EQ(Run("PFCOUNT h fresh nosuch"), ":3\r\n");
  EXPECT_EQ(Run("PFCOUNT nosuch"), ":0\r\n");
}

TEST_F(HllFamilyTest, NotAHyperLogLog) {
  EXPECT_EQ(Run("SET s foo"), "+OK\r\n");
  EXPECT_EQ(Run("PFADD s a"), "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(Run("PFCOUNT s"), "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
  EXPECT_EQ(Run("RPUSH l a"), ":1\r\n");
  EXPECT_EQ(Run("PFCOUNT l"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("SET bad \"HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80"
                "\\x7f\\xfe\""),
            "+OK\r\n");
  EXPECT_EQ(Run("PFCOUNT bad"), "-INVALIDOBJ Corrupted HLL object detected\r\n");
  EXPECT_EQ(Run("PFMERGE d bad"), "-INVALIDOBJ Corrupted HLL object detected\r\n");
  EXPECT_EQ(Run("EXISTS d"), ":0\r\n");
}

TEST_F(HllFamilyTest, MergeAndDebug) {
  EXPECT_EQ(Run("PFADD a 1 2 3"), ":1\r\n");
  EXPECT_EQ(Run("PFADD b 3 4"), ":1\r\n");
  EXPECT_EQ(Run("PFMERGE c a b"), "+OK\r\n");
  EXPECT_EQ(Run("PFCOUNT c"), ":4\r\n");
  EXPECT_EQ(Run("PFDEBUG ENCODING c"), "+sparse\r\n");
  EXPECT_EQ(Run("PFDEBUG TODENSE c"), ":1\r\n");
  EXPECT_EQ(Run("PFDEBUG TODENSE c"), ":0\r\n");
  EXPECT_EQ(Run("PFDEBUG ENCODING c"), "+dense\r\n");
  EXPECT_EQ(Run("STRLEN c"), ":12304\r\n");
  EXPECT_EQ(Run("PFDEBUG DECODE c"), "-ERR HLL encoding is not sparse\r\n");
  EXPECT_EQ(Run("PFCOUNT c"), ":4\r\n");
  EXPECT_EQ(Run("PFDEBUG GETREG nosuch"), "-ERR The specified key does not exist\r\n");
  EXPECT_EQ(Run("PFDEBUG FOO c"), "-ERR Unknown PFDEBUG subcommand 'FOO'\r\n");
  EXPECT_EQ(Run("PFMERGE e"), "+OK\r\n");
  EXPECT_EQ(Run("PFCOUNT e"), ":0\r\n");
}

TEST_F(HllFamilyTest, SparseMaxBytesIsAConfigParameter) {
  EXPECT_EQ(Run("CONFIG GET hll-sparse-max-bytes"),
            "*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n3000\r\n");
  EXPECT_EQ(Run("CONFIG SET hll-sparse-max-bytes 0"), "+OK\r\n");
  EXPECT_EQ(Run("PFADD h a"), ":1\r\n");
  EXPECT_EQ(Run("PFDEBUG ENCODING h"), "+dense\r\n");
}

TEST_F(HllFamilyTest, CacheUpdateInvalidatesWatch) {
  EXPECT_EQ(Run("PFADD h a"), ":1\r\n");
  EXPECT_EQ(Run("WATCH h"), "+OK\r\n");
  EXPECT_EQ(Run("PFCOUNT h"), ":1\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*-1\r\n");
  EXPECT_EQ(Run("WATCH h"), "+OK\r\n");
  EXPECT_EQ(Run("PFCOUNT h"), ":1\r\n");  // cached: nothing written
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*1\r\n+PONG\r\n");
}

}  // namespace
}  // namespace drayman::testing
