// SORT and SORT_RO as redis-cli transcripts. Every reply and error text below was checked against
// redis-server 7.0.15 (tests/python/test_bitmaps_sort_lcs_oracle.py replays the same kinds of
// lines on both servers; tools/redis_aof_oracle.py printed Redis's AOF for SORT ... STORE).
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
constexpr char kBadScore[] = "-ERR One or more scores can't be converted into double\r\n";

class RecordingSink : public PropagationSink {
 public:
  void Append(std::string_view resp) override { stream += resp; }
  std::string stream;
};

using SortFamilyTest = EngineTest;

TEST_F(SortFamilyTest, NumericAlphaDescAndLimit) {
  EXPECT_EQ(Run("RPUSH l 3 1 2 10 -5 1.5"), ":6\r\n");
  EXPECT_EQ(Run("SORT l"),
            "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
  EXPECT_EQ(Run("SORT l DESC LIMIT 0 2"), "*2\r\n$2\r\n10\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run("SORT l ALPHA LIMIT 0 3"), "*3\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(Run("SORT l LIMIT 10 1"), "*0\r\n");
  EXPECT_EQ(Run("SORT l LIMIT 4 -1"), "*2\r\n$1\r\n3\r\n$2\r\n10\r\n");
  EXPECT_EQ(Run("SORT l LIMIT x 1"), kNotInteger);
  EXPECT_EQ(Run("SORT l LIMIT 0"), kSyntax);
  EXPECT_EQ(Run("SORT l FOO"), kSyntax);
  EXPECT_EQ(Run("SORT nosuch"), "*0\r\n");
  EXPECT_EQ(Run("SET s v"), "+OK\r\n");
  EXPECT_EQ(Run("SORT s"), kWrongType);
  EXPECT_EQ(Run("SORT s FOO"), kSyntax);  // options are parsed before the key is looked up
}

TEST_F(SortFamilyTest, WeightsThatAreNotNumbers) {
  EXPECT_EQ(Run("RPUSH bad 1 x 3"), ":3\r\n");
  EXPECT_EQ(Run("SORT bad"), kBadScore);
  EXPECT_EQ(Run("SORT bad STORE d"), kBadScore);
  EXPECT_EQ(Run("EXISTS d"), ":0\r\n");
  EXPECT_EQ(Run("RPUSH nan nan"), ":1\r\n");
  EXPECT_EQ(Run("SORT nan"), kBadScore);
  EXPECT_EQ(Run("RPUSH big 1e400"), ":1\r\n");
  EXPECT_EQ(Run("SORT big"), kBadScore);
  // strtod rules: blanks before, hex, a NUL ends the number; equal weights compare the bytes.
  EXPECT_EQ(RunArgs({"RPUSH", "odd", " 2", "0x3", std::string("1\0x", 3), "1.0"}), ":4\r\n");
  EXPECT_EQ(Run("SORT odd"),
            std::string("*4\r\n$3\r\n1\0x\r\n$3\r\n1.0\r\n$2\r\n 2\r\n$3\r\n0x3\r\n", 39));
}

TEST_F(SortFamilyTest, ByNosortKeepsListAndSortedSetOrder) {
  EXPECT_EQ(Run("RPUSH l c a b"), ":3\r\n");
  EXPECT_EQ(Run("SORT l BY nosort"), "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("SORT l BY nosort DESC LIMIT 1 5"), "*2\r\n$1\r\na\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZADD z 3 a 1 b 2 c"), ":3\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING z"), "$8\r\nlistpack\r\n");
  EXPECT_EQ(Run("SORT z BY nosort DESC LIMIT 1 2"), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING z"), "$8\r\nskiplist\r\n");  // Redis converts it for good
  // A set is sorted ALPHA anyway when stored, so the log replays the same list.
  EXPECT_EQ(Run("SADD s c a b"), ":3\r\n");
  EXPECT_EQ(Run("SORT s BY nosort STORE d"), ":3\r\n");
  EXPECT_EQ(Run("LRANGE d 0 -1"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
}

TEST_F(SortFamilyTest, ByAndGetPatterns) {
  EXPECT_EQ(Run("RPUSH ids 3 1 2 4"), ":4\r\n");
  EXPECT_EQ(Run("MSET w_1 30 w_2 10 w_3 20"), "+OK\r\n");
  EXPECT_EQ(Run("HSET h_1 name one"), ":1\r\n");
  EXPECT_EQ(Run("HSET h_2 name two"), ":1\r\n");
  EXPECT_EQ(Run("SORT ids BY w_*"), "*4\r\n$1\r\n4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("SORT ids BY w_* GET # GET h_*->name LIMIT 0 2"),
            "*4\r\n$1\r\n4\r\n$-1\r\n$1\r\n2\r\n$3\r\ntwo\r\n");
  EXPECT_EQ(Run("SORT ids BY h_*->name ALPHA"),
            "*4\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n1\r\n$1\r\n2\r\n");  // missing weights first
  EXPECT_EQ(Run("SORT ids GET const LIMIT 0 1"), "*1\r\n$-1\r\n");
  EXPECT_EQ(Run("SORT ids BY w_* GET h_*->name STORE dst"), ":4\r\n");
  EXPECT_EQ(Run("LRANGE dst 0 -1"),
            "*4\r\n$0\r\n\r\n$3\r\ntwo\r\n$0\r\n\r\n$3\r\none\r\n");  // missing: empty strings
}

TEST_F(SortFamilyTest, StoreReplacesOrDeletesTheDestination) {
  EXPECT_EQ(Run("RPUSH l 2 1"), ":2\r\n");
  EXPECT_EQ(Run("SET dst v EX 100"), "+OK\r\n");
  EXPECT_EQ(Run("SORT l STORE dst"), ":2\r\n");
  EXPECT_EQ(Run("TTL dst"), ":-1\r\n");
  EXPECT_EQ(Run("TYPE dst"), "+list\r\n");
  EXPECT_EQ(Run("SORT l LIMIT 0 0 STORE dst"), ":0\r\n");
  EXPECT_EQ(Run("EXISTS dst"), ":0\r\n");
  EXPECT_EQ(Run("SORT l STORE a STORE b"), ":2\r\n");  // the last STORE wins
  EXPECT_EQ(Run("EXISTS a"), ":0\r\n");
  EXPECT_EQ(Run("SORT_RO l STORE b"), kSyntax);
  EXPECT_EQ(Run("SORT_RO l DESC"), "*2\r\n$1\r\n2\r\n$1\r\n1\r\n");
}

TEST_F(SortFamilyTest, StorePropagatesAsReceivedOnlyWhenSomethingChanged) {
  EXPECT_EQ(Run("RPUSH l 3 1 2"), ":3\r\n");
  RecordingSink sink;
  engine_->AddPropagationSink(&sink);
  Run("SORT l STORE d");
  Run("SORT l");
  Run("SORT l LIMIT 0 0 STORE d");
  Run("SORT l LIMIT 0 0 STORE d");
  engine_->RemovePropagationSink(&sink);
  // oracle: RPUSH l 3 1 2 / SORT l STORE d / SORT l / SORT l LIMIT 0 0 STORE d (twice)
  EXPECT_EQ(
      sink.stream,
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*4\r\n$4\r\nSORT\r\n$1\r\nl\r\n$5\r\nSTORE\r\n$1\r\nd\r\n"
      "*7\r\n$4\r\nSORT\r\n$1\r\nl\r\n$5\r\nLIMIT\r\n$1\r\n0\r\n$1\r\n0\r\n$5\r\nSTORE\r\n"
      "$1\r\nd\r\n");
}

TEST_F(SortFamilyTest, KeyPositionsForTheTableAndTheAcl) {
  EXPECT_EQ(Run("COMMAND GETKEYS SORT src BY w_* LIMIT 0 1 GET store STORE dst"),
            "*2\r\n$3\r\nsrc\r\n$3\r\ndst\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS SORT src LIMIT store x"), "*1\r\n$3\r\nsrc\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS SORT_RO src STORE x"), "*1\r\n$3\r\nsrc\r\n");
  EXPECT_EQ(Run("ACL SETUSER u on nopass ~src* %R~ro* +@all"), "+OK\r\n");
  EXPECT_EQ(Run("RPUSH src 1"), ":1\r\n");
  EXPECT_EQ(Run("AUTH u x"), "+OK\r\n");
  EXPECT_EQ(Run("SORT src STORE src2"), ":1\r\n");
  EXPECT_EQ(Run("SORT src STORE ro1"),
            "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
  EXPECT_EQ(Run("SORT src BY w_*"),
            "-ERR BY option of SORT denied due to insufficient ACL permissions.\r\n");
  EXPECT_EQ(Run("SORT src GET #"),
            "-ERR GET option of SORT denied due to insufficient ACL permissions.\r\n");
  EXPECT_EQ(Run("SORT src BY nosort"), "*1\r\n$1\r\n1\r\n");
}

TEST_F(SortFamilyTest, Resp3NullsForMissingGets) {
  Resp3();
  EXPECT_EQ(Run("RPUSH l 1"), ":1\r\n");
  EXPECT_EQ(Run("SORT l GET # GET nokey_*"), "*2\r\n$1\r\n1\r\n_\r\n");
}

}  // namespace
}  // namespace drayman::testing
