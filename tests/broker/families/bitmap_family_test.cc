// Bitmap family (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) as redis-cli
// transcripts. Every reply, error text and propagated command below was checked against
// redis-server 7.0.15 (tests/python/test_bitmaps_sort_lcs_oracle.py replays the same lines on
// both servers; tools/redis_aof_oracle.py printed Redis's AOF for the propagation cases).
#include <string>
#include <string_view>
#include <vector>

#include "broker/persistence/propagation.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr char kWrongType[] =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr char kSyntax[] = "-ERR syntax error\r\n";
constexpr char kNotInteger[] = "-ERR value is not an integer or out of range\r\n";
constexpr char kBadOffset[] = "-ERR bit offset is not an integer or out of range\r\n";
constexpr char kBadType[] =
    "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.\r\n";

class RecordingSink : public PropagationSink {
 public:
  void Append(std::string_view resp) override { stream += resp; }
  std::string stream;
};

using BitmapFamilyTest = EngineTest;

TEST_F(BitmapFamilyTest, SetbitGrowsTheStringAndAnswersTheOldBit) {
  EXPECT_EQ(Run("SETBIT b 7 1"), ":0\r\n");
  EXPECT_EQ(Run("GET b"), "$1\r\n\x01\r\n");
  EXPECT_EQ(Run("SETBIT b 7 1"), ":1\r\n");
  EXPECT_EQ(Run("SETBIT b 0 1"), ":0\r\n");
  EXPECT_EQ(Run("GET b"), "$1\r\n\x81\r\n");
  EXPECT_EQ(Run("SETBIT b 17 1"), ":0\r\n");
  EXPECT_EQ(Run("STRLEN b"), ":3\r\n");
  EXPECT_EQ(RunArgs({"GET", "b"}), std::string("$3\r\n\x81\x00\x40\r\n", 9));
  EXPECT_EQ(Run("GETBIT b 0"), ":1\r\n");
  EXPECT_EQ(Run("GETBIT b 1"), ":0\r\n");
  EXPECT_EQ(Run("GETBIT b 17"), ":1\r\n");
  EXPECT_EQ(Run("GETBIT b 1000"), ":0\r\n");
  EXPECT_EQ(Run("GETBIT nosuch 3"), ":0\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING b"), "$3\r\nraw\r\n");
}

TEST_F(BitmapFamilyTest, SetbitErrorsComeInRedisOrder) {
  EXPECT_EQ(Run("SETBIT b -1 1"), kBadOffset);
  EXPECT_EQ(Run("SETBIT b abc 1"), kBadOffset);
  EXPECT_EQ(Run("SETBIT b 01 1"), kBadOffset);
  EXPECT_EQ(Run("SETBIT b 4294967296 1"), kBadOffset);
  EXPECT_EQ(Run("GETBIT b 4294967296"), kBadOffset);
  EXPECT_EQ(Run("SETBIT b 1 2"), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(Run("SETBIT b 1 x"), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(Run("RPUSH l a"), ":1\r\n");
  EXPECT_EQ(Run("SETBIT l x 1"), kBadOffset);  // the offset is checked before the key
  EXPECT_EQ(Run("SETBIT l 0 1"), kWrongType);
  EXPECT_EQ(Run("GETBIT l 0"), kWrongType);
}

TEST_F(BitmapFamilyTest, OffsetsFollowProtoMaxBulkLen) {
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len 1048576"), "+OK\r\n");
  EXPECT_EQ(Run("SETBIT x 8388608 1"), kBadOffset);
  EXPECT_EQ(Run("SETBIT x 8388607 1"), ":0\r\n");
  EXPECT_EQ(Run("STRLEN x"), ":1048576\r\n");
  EXPECT_EQ(Run("BITFIELD x GET u8 #1048576"), kBadOffset);
  EXPECT_EQ(Run("BITFIELD x GET u8 #1048575"), "*1\r\n:1\r\n");
}

TEST_F(BitmapFamilyTest, TheLogReplayerIsNotLimitedByProtoMaxBulkLen) {
  // Redis's mustObeyClient: what was accepted once replays even after the limit was lowered. The
  // AOF replayer is an internal client without an ACL user.
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len 1048576"), "+OK\r\n");
  client_->user = nullptr;
  EXPECT_EQ(Run("SETBIT x 8388608 1"), ":0\r\n");
  EXPECT_EQ(Run("STRLEN x"), ":1048577\r\n");
}

TEST_F(BitmapFamilyTest, StringsAndBitsShareBytes) {
  EXPECT_EQ(Run("SET n 123"), "+OK\r\n");
  EXPECT_EQ(Run("GETBIT n 2"), ":1\r\n");  // '1' is 0x31
  EXPECT_EQ(Run("GETBIT n 4"), ":0\r\n");
  EXPECT_EQ(Run("SETBIT n 6 1"), ":0\r\n");
  EXPECT_EQ(Run("GET n"), "$3\r\n323\r\n");
  EXPECT_EQ(Run("APPEND n \"\\xff\""), ":4\r\n");
  EXPECT_EQ(Run("BITCOUNT n 3 3"), ":8\r\n");
  EXPECT_EQ(Run("SET e v EX 100"), "+OK\r\n");
  EXPECT_EQ(Run("SETBIT e 3 1"), ":1\r\n");  // 'v' is 0x76
  EXPECT_EQ(Run("TTL e"), ":100\r\n");       // SETBIT keeps the expiry
}

TEST_F(BitmapFamilyTest, Bitcount) {
  EXPECT_EQ(Run("SET s foobar"), "+OK\r\n");
  EXPECT_EQ(Run("BITCOUNT s"), ":26\r\n");
  EXPECT_EQ(Run("BITCOUNT s 0 0"), ":4\r\n");
  EXPECT_EQ(Run("BITCOUNT s 1 1"), ":6\r\n");
  EXPECT_EQ(Run("BITCOUNT s 1 1 BYTE"), ":6\r\n");
  EXPECT_EQ(Run("BITCOUNT s 5 30 BIT"), ":17\r\n");
  EXPECT_EQ(Run("BITCOUNT s 7 7 bit"), ":0\r\n");
  EXPECT_EQ(Run("BITCOUNT s -1 -1"), ":4\r\n");
  EXPECT_EQ(Run("BITCOUNT s -1 -2 foo"), ":0\r\n");  // the empty range wins over the syntax
  EXPECT_EQ(Run("BITCOUNT s 0 1 foo"), kSyntax);
  EXPECT_EQ(Run("BITCOUNT s 0"), kSyntax);
  EXPECT_EQ(Run("BITCOUNT s a 1"), kNotInteger);
  EXPECT_EQ(Run("BITCOUNT nosuch a b c d"), ":0\r\n");  // a missing key answers before parsing
  EXPECT_EQ(Run("RPUSH l a"), ":1\r\n");
  EXPECT_EQ(Run("BITCOUNT l"), kWrongType);
}

TEST_F(BitmapFamilyTest, Bitpos) {
  EXPECT_EQ(RunArgs({"SET", "s", std::string("\xff\xf0\x00", 3)}), "+OK\r\n");
  EXPECT_EQ(Run("BITPOS s 0"), ":12\r\n");
  EXPECT_EQ(Run("BITPOS s 1 2"), ":-1\r\n");
  EXPECT_EQ(Run("BITPOS s 1 7 15 BIT"), ":7\r\n");
  EXPECT_EQ(Run("BITPOS s 0 0 7 BIT"), ":-1\r\n");
  EXPECT_EQ(Run("BITPOS s 0 5 3 BIT"), ":-1\r\n");
  EXPECT_EQ(Run("SET ones \"\\xff\\xff\""), "+OK\r\n");
  EXPECT_EQ(Run("BITPOS ones 0"), ":16\r\n");  // past the end: zeros follow
  EXPECT_EQ(Run("BITPOS ones 0 1"), ":16\r\n");
  EXPECT_EQ(Run("BITPOS ones 0 3 BIT"), kNotInteger);  // the fifth argument is the end
  EXPECT_EQ(Run("BITPOS ones 0 0 -1"), ":-1\r\n");     // an explicit end: no zero in range
  EXPECT_EQ(Run("SET e \"\""), "+OK\r\n");
  EXPECT_EQ(Run("BITPOS e 0"), ":-1\r\n");
  EXPECT_EQ(Run("BITPOS nosuch 0"), ":0\r\n");
  EXPECT_EQ(Run("BITPOS nosuch 1 x y"), ":-1\r\n");
  EXPECT_EQ(Run("BITPOS s 2"), "-ERR The bit argument must be 1 or 0.\r\n");
  EXPECT_EQ(Run("BITPOS s x"), kNotInteger);
  EXPECT_EQ(Run("BITPOS s 1 0 1 foo"), kSyntax);
  EXPECT_EQ(Run("BITPOS s 1 0 1 BIT x"), kSyntax);
}

TEST_F(BitmapFamilyTest, Bitop) {
  EXPECT_EQ(Run("SET a \"\\x0f\\xf0\""), "+OK\r\n");
  EXPECT_EQ(Run("SET b \"\\xff\""), "+OK\r\n");
  EXPECT_EQ(Run("BITOP AND d a b"), ":2\r\n");
  EXPECT_EQ(RunArgs({"GET", "d"}), std::string("$2\r\n\x0f\x00\r\n", 8));
  EXPECT_EQ(Run("BITOP OR d a b"), ":2\r\n");
  EXPECT_EQ(Run("GET d"), "$2\r\n\xff\xf0\r\n");
  EXPECT_EQ(Run("BITOP XOR d a b"), ":2\r\n");
  EXPECT_EQ(Run("GET d"), "$2\r\n\xf0\xf0\r\n");
  EXPECT_EQ(Run("BITOP NOT d a"), ":2\r\n");
  EXPECT_EQ(Run("GET d"), "$2\r\n\xf0\x0f\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING d"), "$3\r\nraw\r\n");
  EXPECT_EQ(Run("BITOP NOT d a b"), "-ERR BITOP NOT must be called with a single source key.\r\n");
  EXPECT_EQ(Run("BITOP nand d a b"), kSyntax);
  EXPECT_EQ(Run("BITOP AND d nosuch1 nosuch2"), ":0\r\n");
  EXPECT_EQ(Run("EXISTS d"), ":0\r\n");  // an empty result deletes the destination
  EXPECT_EQ(Run("RPUSH l x"), ":1\r\n");
  EXPECT_EQ(Run("BITOP OR d a l"), kWrongType);
  EXPECT_EQ(Run("BITOP OR l a"), ":2\r\n");  // the destination's type does not matter
  EXPECT_EQ(Run("TYPE l"), "+string\r\n");
}

TEST_F(BitmapFamilyTest, BitfieldGetSetIncrby) {
  EXPECT_EQ(Run("BITFIELD bf SET u8 0 255"), "*1\r\n:0\r\n");
  EXPECT_EQ(Run("BITFIELD bf GET u8 0 GET i8 0 GET u4 4 GET i4 4"),
            "*4\r\n:255\r\n:-1\r\n:15\r\n:-1\r\n");
  EXPECT_EQ(Run("BITFIELD bf INCRBY u8 0 1"), "*1\r\n:0\r\n");
  EXPECT_EQ(Run("BITFIELD bf OVERFLOW SAT INCRBY u8 0 300"), "*1\r\n:255\r\n");
  EXPECT_EQ(Run("BITFIELD bf OVERFLOW FAIL INCRBY u8 0 1"), "*1\r\n$-1\r\n");
  EXPECT_EQ(Run("BITFIELD bf OVERFLOW WRAP INCRBY i8 0 200"), "*1\r\n:-57\r\n");
  EXPECT_EQ(Run("BITFIELD bf SET i8 #1 -128 GET i8 #1 GET u8 #1"), "*3\r\n:0\r\n:-128\r\n:128\r\n");
  EXPECT_EQ(Run("BITFIELD bf OVERFLOW SAT SET i8 0 1000 SET u8 8 -5 GET i8 0 GET u8 8"),
            "*4\r\n:-57\r\n:128\r\n:127\r\n:255\r\n");
  EXPECT_EQ(Run("BITFIELD bf INCRBY i64 0 9223372036854775807 INCRBY i64 0 1"),
            "*2\r\n:-281474976710657\r\n:-281474976710656\r\n");
  EXPECT_EQ(Run("BITFIELD bf OVERFLOW SAT INCRBY i64 0 -9223372036854775808"),
            "*1\r\n:-9223372036854775808\r\n");
  EXPECT_EQ(Run("BITFIELD bf OVERFLOW FAIL INCRBY i64 0 -1"), "*1\r\n$-1\r\n");
  EXPECT_EQ(Run("BITFIELD bf SET u63 3 9223372036854775807 GET u63 3"),
            "*2\r\n:0\r\n:9223372036854775807\r\n");
  EXPECT_EQ(Run("BITFIELD nosuch GET u8 0 GET i16 100"), "*2\r\n:0\r\n:0\r\n");
  EXPECT_EQ(Run("EXISTS nosuch"), ":0\r\n");
  EXPECT_EQ(Run("BITFIELD bf"), "*0\r\n");
}

TEST_F(BitmapFamilyTest, BitfieldSaturatesHugeNegativeSetsLikeRedis) {
  // Redis's signed overflow test wraps around for values near INT64_MIN and saturates them to
  // the type's maximum; one past that range they saturate to the minimum.
  EXPECT_EQ(Run("BITFIELD q OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0"),
            "*2\r\n:0\r\n:127\r\n");
  EXPECT_EQ(Run("BITFIELD q OVERFLOW SAT SET i8 0 -9223372036854775681 GET i8 0"),
            "*2\r\n:127\r\n:127\r\n");
  EXPECT_EQ(Run("BITFIELD q OVERFLOW SAT SET i8 0 -9223372036854775680 GET i8 0"),
            "*2\r\n:127\r\n:-128\r\n");
  EXPECT_EQ(Run("BITFIELD q OVERFLOW SAT SET i64 0 -9223372036854775808 GET i64 0"),
            "*2\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n");
}

TEST_F(BitmapFamilyTest, BitfieldErrors) {
  EXPECT_EQ(Run("BITFIELD bf GET u64 0"), kBadType);
  EXPECT_EQ(Run("BITFIELD bf GET i65 0"), kBadType);
  EXPECT_EQ(Run("BITFIELD bf GET i0 0"), kBadType);
  EXPECT_EQ(Run("BITFIELD bf GET U8 0"), kBadType);
  EXPECT_EQ(Run("BITFIELD bf GET u8 #-1"), kBadOffset);
  EXPECT_EQ(Run("BITFIELD bf GET u8 #"), kBadOffset);
  EXPECT_EQ(Run("BITFIELD bf SET u8 0 x"), kNotInteger);
  EXPECT_EQ(Run("BITFIELD bf SET u8 0"), kSyntax);
  EXPECT_EQ(Run("BITFIELD bf OVERFLOW nope GET u8 0"), "-ERR Invalid OVERFLOW type specified\r\n");
  EXPECT_EQ(Run("BITFIELD_RO bf GET u8 0 GET i4 #1"), "*2\r\n:0\r\n:0\r\n");
  EXPECT_EQ(Run("BITFIELD_RO bf SET u8 0 1"),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(Run("BITFIELD_RO bf GET u8 x SET u8 0 1"), kBadOffset);  // parsing comes first
  EXPECT_EQ(Run("RPUSH l a"), ":1\r\n");
  EXPECT_EQ(Run("BITFIELD l GET u8 0"), kWrongType);
  EXPECT_EQ(Run("BITFIELD l"), kWrongType);
}

TEST_F(BitmapFamilyTest, BitfieldFailCreatesTheKeyWithoutAChange) {
  // Redis makes room before running the operations; a FAIL writes nothing and counts nothing.
  EXPECT_EQ(Run("BITFIELD nf OVERFLOW FAIL INCRBY u2 0 10"), "*1\r\n$-1\r\n");
  EXPECT_EQ(RunArgs({"GET", "nf"}), std::string("$1\r\n\x00\r\n", 7));
}

TEST_F(BitmapFamilyTest, WritesPropagateOnlyWhenSomethingChanged) {
  RecordingSink sink;
  engine_->AddPropagationSink(&sink);
  Run("SETBIT b 3 1");
  Run("SETBIT b 3 1");
  Run("BITFIELD b SET u8 0 16");  // already 16 (0x10): no change
  Run("BITFIELD b SET u8 0 1");
  Run("BITFIELD b GET u8 0");
  Run("BITFIELD nf OVERFLOW FAIL INCRBY u2 0 10");
  Run("BITOP AND x nosuch");
  Run("BITOP NOT x b");
  engine_->RemovePropagationSink(&sink);
  // oracle: the same lines; SETBIT b 3 1 (second), BITFIELD ... GET, the FAIL and the BITOP of
  // nothing onto a missing key wrote nothing.
  EXPECT_EQ(
      sink.stream,
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*4\r\n$6\r\nSETBIT\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\n1\r\n"
      "*6\r\n$8\r\nBITFIELD\r\n$1\r\nb\r\n$3\r\nSET\r\n$2\r\nu8\r\n$1\r\n0\r\n$1\r\n1\r\n"
      "*4\r\n$5\r\nBITOP\r\n$3\r\nNOT\r\n$1\r\nx\r\n$1\r\nb\r\n");
}

TEST_F(BitmapFamilyTest, Resp3RepliesKeepTheirTypes) {
  Resp3();
  EXPECT_EQ(Run("BITFIELD k OVERFLOW FAIL INCRBY u2 0 10 GET u2 0"), "*2\r\n_\r\n:0\r\n");
  EXPECT_EQ(Run("GETBIT k 0"), ":0\r\n");
}

}  // namespace
}  // namespace drayman::testing
