// Sorted-set range command transcripts (sorted_set_range_family.cc): ZRANGE and its forms,
// ZRANGESTORE, ZREMRANGEBY*. Every reply and error text was checked against Debian's
// redis-server 7.0.15 (HELLO 3 for the RESP3 shapes), except that scores print in Redis 7.2's
// format (see sorted_set_family_test.cc).
#include <string>

#include "tests/broker/families/sorted_set_fixture.h"

namespace drayman::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// ZRANGE family

TEST_F(SortedSetTest, ZrangeByRank) {
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZRANGE k 0 -1"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGE k -100 100"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGE k 2 1"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGE k 5 10"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGE k -1 -1 WITHSCORES"), "*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 1 REV"), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("ZREVRANGE k 0 -1 WITHSCORES"),
            "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("ZREVRANGE k -2 -1"), "*2\r\n$1\r\nb\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("ZRANGE nokey 0 1"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGE nokey a b"), kNotInteger);
  EXPECT_EQ(Run("ZRANGE k a b"), kNotInteger);
  // Redis checks the LIMIT count, not its presence.
  EXPECT_EQ(Run("ZRANGE k 0 -1 LIMIT 0 -1"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1 LIMIT 5 -1"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1 LIMIT 0 1"),
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX\r\n");
  EXPECT_EQ(Run("ZREVRANGE k 0 1 LIMIT 0 1"),
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 1 REV REV"), kSyntax);
  EXPECT_EQ(Run("ZRANGE k 0 1 BYSCORE BYLEX"), kSyntax);
  EXPECT_EQ(Run("ZRANGE k 0 1 FOO"), kSyntax);
  EXPECT_EQ(Run("ZREVRANGE k 0 -1 BYSCORE"), kSyntax);
}

TEST_F(SortedSetTest, ZrangeLargeSetByRank) {
  std::string command = "ZADD k";
  for (int i = 0; i < 1000; ++i) command += " " + std::to_string(i) + " m" + std::to_string(i);
  EXPECT_EQ(Run(command), ":1000\r\n");
  EXPECT_EQ(Encoding("k"), "skiplist");
  EXPECT_EQ(Run("ZRANGE k 500 501 WITHSCORES"),
            "*4\r\n$4\r\nm500\r\n$3\r\n500\r\n$4\r\nm501\r\n$3\r\n501\r\n");
  EXPECT_EQ(Run("ZRANGE k -3 -2 REV"), "*2\r\n$2\r\nm2\r\n$2\r\nm1\r\n");
  EXPECT_EQ(Run("ZRANK k m777"), ":777\r\n");
  EXPECT_EQ(Run("ZREVRANK k m777"), ":222\r\n");
  EXPECT_EQ(Run("ZCOUNT k (100 200"), ":100\r\n");
}

TEST_F(SortedSetTest, ZrangeByScore) {
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZRANGEBYSCORE k (1 3 WITHSCORES"),
            "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run("ZREVRANGEBYSCORE k 3 (1 WITHSCORES"),
            "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZREVRANGEBYSCORE k +inf -inf WITHSCORES LIMIT 1 1"),
            "*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf LIMIT -1 2"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf LIMIT 1 -1"), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf LIMIT 0 0"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf LIMIT 5 1"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf LIMIT 1"), kSyntax);
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf LIMIT a 1"), kNotInteger);
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf WITHSCORES WITHSCORES"),
            "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf REV"), kSyntax);
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf BYSCORE"), kSyntax);
  EXPECT_EQ(Run("ZRANGEBYSCORE k a 1"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZRANGE k (1 +inf BYSCORE REV"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGE k +inf (1 BYSCORE REV WITHSCORES"),
            "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZRANGE k (1 3 BYSCORE LIMIT 0 -5"), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1 BYLEX"), kMinMaxNotLex);
}

TEST_F(SortedSetTest, ZrangeByLex) {
  Run("ZADD k 0 a 0 b 0 c 0 d 0 e");
  EXPECT_EQ(Run("ZRANGEBYLEX k - + LIMIT 1 2"), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGEBYLEX k - + LIMIT -1 2"), "*0\r\n");
  EXPECT_EQ(Run("ZRANGEBYLEX k - + LIMIT 3 -1"), "*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
  EXPECT_EQ(Run("ZREVRANGEBYLEX k + - LIMIT 0 2"), "*2\r\n$1\r\ne\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("ZREVRANGEBYLEX k (d [b"), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("ZRANGE k [b (d BYLEX"), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGE k (d [b BYLEX REV LIMIT 1 1"), "*1\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("ZRANGEBYLEX k - + WITHSCORES"),
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
  EXPECT_EQ(Run("ZRANGE k [a [b BYLEX WITHSCORES"),
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
  EXPECT_EQ(Run("ZRANGEBYLEX k a +"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZRANGEBYLEX nokey - +"), "*0\r\n");
}

TEST_F(SortedSetTest, ZrangeResp3PairsScores) {
  Run("ZADD k 1 a 2.5 b 3 c");
  Resp3();
  EXPECT_EQ(Run("ZRANGE k 0 -1 WITHSCORES"),
            "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  EXPECT_EQ(Run("ZRANGEBYSCORE k -inf +inf WITHSCORES"),
            "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  EXPECT_EQ(Run("ZREVRANGEBYSCORE k +inf -inf WITHSCORES LIMIT 0 1"),
            "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("ZRANGE nokey 0 -1 WITHSCORES"), "*0\r\n");
}

TEST_F(SortedSetTest, Zrangestore) {
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZRANGESTORE d k 0 -1 WITHSCORES"), kSyntax);
  EXPECT_EQ(Run("ZRANGESTORE d k 0 -1"), ":3\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"),
            "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run("ZRANGESTORE d k (1 +inf BYSCORE LIMIT 0 1"), ":1\r\n");
  EXPECT_EQ(Run("ZRANGE d 0 -1 WITHSCORES"), "*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZRANGESTORE d k [c - BYLEX REV"), ":3\r\n");
  // An empty result deletes the destination, whatever it held.
  PutString("d");
  EXPECT_EQ(Run("ZRANGESTORE d nokey 0 -1"), ":0\r\n");
  EXPECT_FALSE(Exists("d"));
  EXPECT_EQ(Run("ZRANGESTORE d k 5 6"), ":0\r\n");
  // The destination may be the source; it is replaced by the range, any type overwritten.
  EXPECT_EQ(Run("ZRANGESTORE k k 1 1"), ":1\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1"), "*1\r\n$1\r\nb\r\n");
  PutString("str");
  EXPECT_EQ(Run("ZRANGESTORE str k 0 -1"), ":1\r\n");
  EXPECT_EQ(Run("ZCARD str"), ":1\r\n");
}

TEST_F(SortedSetTest, ZrangestoreEncodingFollowsZaddRules) {
  std::string command = "ZADD big";
  for (int i = 0; i < 200; ++i) command += " " + std::to_string(i) + " m" + std::to_string(i);
  Run(command);
  EXPECT_EQ(Encoding("big"), "skiplist");
  EXPECT_EQ(Run("ZRANGESTORE d big 0 5"), ":6\r\n");
  EXPECT_EQ(Encoding("d"), "listpack");
  EXPECT_EQ(Run("ZADD wide 1 " + std::string(65, 'a') + " 2 b"), ":2\r\n");
  EXPECT_EQ(Run("ZRANGESTORE d2 wide 0 0"), ":1\r\n");
  EXPECT_EQ(Encoding("d2"), "skiplist");
}

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBY*

TEST_F(SortedSetTest, Zremrange) {
  Run("ZADD k 1 a 2 b 3 c 4 d 5 e");
  EXPECT_EQ(Run("ZREMRANGEBYRANK k a 1"), kNotInteger);
  EXPECT_EQ(Run("ZREMRANGEBYRANK k 5 6"), ":0\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYRANK k -100 -5"), ":1\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYSCORE k abc 1"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZREMRANGEBYSCORE k (2 (2"), ":0\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYSCORE k (2 3"), ":1\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1"), "*3\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYLEX k a b"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZREMRANGEBYLEX nokey a b"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZREMRANGEBYLEX nokey [a [b"), ":0\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYSCORE nokey 1 2"), ":0\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYRANK nokey 1 2"), ":0\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYRANK k 0 -1"), ":3\r\n");
  EXPECT_FALSE(Exists("k"));
  Run("ZADD k 0 a 0 b 0 c");
  EXPECT_EQ(Run("ZREMRANGEBYLEX k [b +"), ":2\r\n");
  EXPECT_EQ(Run("ZREMRANGEBYLEX k - +"), ":1\r\n");
  EXPECT_FALSE(Exists("k"));
}

TEST_F(SortedSetTest, ChannelsRedisExpiryPattern) {
  // ZREMRANGEBYSCORE <ch> 0 <int(now) - expiry>, then ZCOUNT -inf +inf, ZADD with time.time().
  Run("ZADD ch 1724003500.25 old 1724003600.5678232 new");
  EXPECT_EQ(Run("ZREMRANGEBYSCORE ch 0 1724003540"), ":1\r\n");
  EXPECT_EQ(Run("ZCOUNT ch -inf +inf"), ":1\r\n");
  EXPECT_EQ(Run("ZRANGE ch 0 -1 WITHSCORES"),
            "*2\r\n$3\r\nnew\r\n$21\r\n1.7240036005678232e+9\r\n");
  // The Lua cleanup script copies the score string back into ZADD: it must land on the same
  // double.
  EXPECT_EQ(Run("ZADD back 1.7240036005678232e+9 new"), ":1\r\n");
  EXPECT_EQ(Run("ZINTERSTORE same 2 ch back AGGREGATE MIN"), ":1\r\n");
  EXPECT_EQ(Run("ZCOUNT same 1724003600.5678232 1724003600.5678232"), ":1\r\n");
}

}  // namespace
}  // namespace drayman::testing
