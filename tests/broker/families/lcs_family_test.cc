// LCS as redis-cli transcripts, checked against redis-server 7.0.15 (the Python oracle test
// replays the same lines on both servers, in RESP2 and RESP3).
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

using LcsFamilyTest = EngineTest;

TEST_F(LcsFamilyTest, SubsequenceLengthAndIndexes) {
  EXPECT_EQ(Run("MSET k1 ohmytext k2 mynewtext"), "+OK\r\n");
  EXPECT_EQ(Run("LCS k1 k2"), "$6\r\nmytext\r\n");
  EXPECT_EQ(Run("LCS k1 k2 LEN"), ":6\r\n");
  EXPECT_EQ(Run("LCS k1 k2 IDX"),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(Run("LCS k1 k2 IDX MINMATCHLEN 4 WITHMATCHLEN"),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            "$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(Run("LCS k1 nosuch"), "$0\r\n\r\n");
}

TEST_F(LcsFamilyTest, Errors) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("LCS k k LEN IDX"),
            "-ERR If you want both the length and indexes, please just use IDX.\r\n");
  EXPECT_EQ(Run("LCS k k MINMATCHLEN"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LCS k k MINMATCHLEN x"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("RPUSH l a"), ":1\r\n");
  EXPECT_EQ(Run("LCS k l FOO"), "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len 1048576"), "+OK\r\n");
  EXPECT_EQ(Run("SET big " + std::string(600, 'a')), "+OK\r\n");
  EXPECT_EQ(Run("LCS big big LEN"),
            "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n");
}

TEST_F(LcsFamilyTest, Resp3IdxIsAMap) {
  Resp3();
  EXPECT_EQ(Run("MSET a abc b abc"), "+OK\r\n");
  EXPECT_EQ(Run("LCS a b IDX WITHMATCHLEN"),
            "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:2\r\n*2\r\n:0\r\n:2\r\n:3\r\n"
            "$3\r\nlen\r\n:3\r\n");
}

}  // namespace
}  // namespace drayman::testing
