// Sorted-set operation transcripts (sorted_set_setop_family.cc): ZUNION, ZINTER, ZDIFF, their
// *STORE forms, ZINTERCARD. Every reply and error text was checked against Debian's
// redis-server 7.0.15 (HELLO 3 for the RESP3 shapes), except that scores print in Redis 7.2's
// format (see sorted_set_family_test.cc).
#include <string>

#include "tests/broker/families/sorted_set_fixture.h"

namespace drayman::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF / ZINTERCARD

TEST_F(SortedSetTest, UnionInterDiffStore) {
  Run("ZADD a 1 x 2 y 3 z");
  Run("ZADD b 10 y 20 z 30 w");
  EXPECT_EQ(Run("ZUNIONSTORE d 2 a b"), ":4\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"),
            "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n"
            "$1\r\nw\r\n$2\r\n30\r\n");
  EXPECT_EQ(Run("ZUNIONSTORE d 2 a b WEIGHTS 2 0.5 AGGREGATE MAX"), ":4\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"),
            "*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n5\r\n$1\r\nz\r\n$2\r\n10\r\n"
            "$1\r\nw\r\n$2\r\n15\r\n");
  EXPECT_EQ(Run("ZINTERSTORE d 2 a b"), ":2\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"),
            "*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n");
  // The same key twice: each occurrence is weighted separately.
  EXPECT_EQ(Run("ZINTERSTORE d 2 a a WEIGHTS 1 2"), ":3\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"),
            "*6\r\n$1\r\nx\r\n$1\r\n3\r\n$1\r\ny\r\n$1\r\n6\r\n$1\r\nz\r\n$1\r\n9\r\n");
  EXPECT_EQ(Run("ZDIFFSTORE d 2 a b"), ":1\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"), "*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("ZDIFFSTORE d 2 a a"), ":0\r\n");
  EXPECT_FALSE(Exists("d"));
  EXPECT_EQ(Run("ZUNIONSTORE d 1 nokey"), ":0\r\n");
  // The destination may be a source.
  EXPECT_EQ(Run("ZUNIONSTORE a 2 a b AGGREGATE MIN"), ":4\r\n");
  EXPECT_EQ(Run("ZRANGE a 0 -1 WITHSCORES"),
            "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n"
            "$1\r\nw\r\n$2\r\n30\r\n");
}

TEST_F(SortedSetTest, SetOperationsAcceptPlainSets) {
  Run("ZADD a 1 x 2 y 3 z");
  Run("ZADD b 10 y 20 z 30 w");
  PutSet("s", {"y", "q"});
  EXPECT_EQ(Run("ZUNIONSTORE d 3 a b s AGGREGATE min"), ":5\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"),
            "*10\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n1\r\n"
            "$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$2\r\n30\r\n");
  EXPECT_EQ(Run("ZINTERSTORE d 3 a b s"), ":1\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"), "*2\r\n$1\r\ny\r\n$2\r\n13\r\n");
  EXPECT_EQ(Run("ZINTERCARD 2 a s"), ":1\r\n");
  EXPECT_EQ(Run("ZDIFF 2 s a WITHSCORES"), "*2\r\n$1\r\nq\r\n$1\r\n1\r\n");
}

TEST_F(SortedSetTest, SetOperationErrors) {
  Run("ZADD a 1 x");
  Run("ZADD b 2 x");
  EXPECT_EQ(Run("ZUNIONSTORE d 0 a"),
            "-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
  EXPECT_EQ(Run("ZUNIONSTORE d -1 a"),
            "-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
  EXPECT_EQ(Run("ZINTERSTORE d 0 a"),
            "-ERR at least 1 input key is needed for 'zinterstore' command\r\n");
  EXPECT_EQ(Run("ZDIFF 0 a"), "-ERR at least 1 input key is needed for 'zdiff' command\r\n");
  EXPECT_EQ(Run("ZINTERCARD 0 a"),
            "-ERR at least 1 input key is needed for 'zintercard' command\r\n");
  EXPECT_EQ(Run("ZUNIONSTORE d abc a"), kNotInteger);
  EXPECT_EQ(Run("ZUNIONSTORE d 3 a b"), kSyntax);
  EXPECT_EQ(Run("ZUNIONSTORE d 1 a WEIGHTS"), kSyntax);
  EXPECT_EQ(Run("ZUNIONSTORE d 1 a WEIGHTS abc"), "-ERR weight value is not a float\r\n");
  EXPECT_EQ(Run("ZUNIONSTORE d 2 a b WEIGHTS 1"), kSyntax);
  EXPECT_EQ(Run("ZUNIONSTORE d 1 a AGGREGATE foo"), kSyntax);
  EXPECT_EQ(Run("ZUNIONSTORE d 1 a AGGREGATE"), kSyntax);
  EXPECT_EQ(Run("ZUNIONSTORE d 1 a WITHSCORES"), kSyntax);
  EXPECT_EQ(Run("ZUNIONSTORE d 2 a b FOO"), kSyntax);
  EXPECT_EQ(Run("ZDIFFSTORE d 1 a WEIGHTS 1"), kSyntax);
  EXPECT_EQ(Run("ZINTERCARD 2 a b LIMIT -1"), "-ERR LIMIT can't be negative\r\n");
  EXPECT_EQ(Run("ZINTERCARD 2 a b LIMIT abc"), "-ERR LIMIT can't be negative\r\n");
  EXPECT_EQ(Run("ZINTERCARD 2 a b WITHSCORES"), kSyntax);
  EXPECT_EQ(Run("ZINTERCARD 3 a b"), kSyntax);
  EXPECT_FALSE(Exists("d"));
}

TEST_F(SortedSetTest, UnionInterDiffReplies) {
  Run("ZADD a 1 x 2 y 3 z");
  Run("ZADD b 10 y 20 z 30 w");
  EXPECT_EQ(Run("ZDIFF 1 a WITHSCORES"),
            "*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run("ZINTER 2 a b WITHSCORES WITHSCORES"),
            "*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n");
  EXPECT_EQ(Run("ZUNION 2 a nokey"), "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n");
  EXPECT_EQ(Run("ZUNION 1 nokey"), "*0\r\n");
  EXPECT_EQ(Run("ZINTER 2 a nokey"), "*0\r\n");
  EXPECT_EQ(Run("ZINTERCARD 2 a b"), ":2\r\n");
  EXPECT_EQ(Run("ZINTERCARD 2 a b LIMIT 1"), ":1\r\n");
  EXPECT_EQ(Run("ZINTERCARD 2 a b LIMIT 0"), ":2\r\n");
  Resp3();
  EXPECT_EQ(Run("ZUNION 1 a WITHSCORES"),
            "*3\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,2\r\n*2\r\n$1\r\nz\r\n,3\r\n");
  EXPECT_EQ(Run("ZINTER 2 a b WITHSCORES"),
            "*2\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n");
  EXPECT_EQ(Run("ZDIFF 2 a b WITHSCORES"), "*1\r\n*2\r\n$1\r\nx\r\n,1\r\n");
  EXPECT_EQ(Run("ZDIFF 2 a b"), "*1\r\n$1\r\nx\r\n");
}

TEST_F(SortedSetTest, InfinitiesNeverAggregateToNaN) {
  Run("ZADD inf1 inf m");
  Run("ZADD ninf1 -inf m");
  EXPECT_EQ(Run("ZUNIONSTORE d 2 inf1 ninf1"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE d m"), "$1\r\n0\r\n");
  EXPECT_EQ(Run("ZUNIONSTORE d 1 inf1 WEIGHTS 0"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE d m"), "$1\r\n0\r\n");
  EXPECT_EQ(Run("ZINTERSTORE d 2 inf1 ninf1 AGGREGATE SUM"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE d m"), "$1\r\n0\r\n");
  EXPECT_EQ(Run("ZUNION 1 inf1 WEIGHTS -1 WITHSCORES"), "*2\r\n$1\r\nm\r\n$4\r\n-inf\r\n");
}

TEST_F(SortedSetTest, StoreResultsUseListpackWhenSmall) {
  Run("ZADD wide 1 " + std::string(65, 'a') + " 2 b");
  EXPECT_EQ(Encoding("wide"), "skiplist");
  EXPECT_EQ(Run("ZUNIONSTORE d 1 wide"), ":2\r\n");
  EXPECT_EQ(Encoding("d"), "skiplist");
  EXPECT_EQ(Run("ZDIFFSTORE d2 1 wide"), ":2\r\n");
  Run("ZREM wide " + std::string(65, 'a'));
  EXPECT_EQ(Encoding("wide"), "skiplist");
  EXPECT_EQ(Run("ZUNIONSTORE d 1 wide"), ":1\r\n");
  EXPECT_EQ(Encoding("d"), "listpack");
}

}  // namespace
}  // namespace drayman::testing
