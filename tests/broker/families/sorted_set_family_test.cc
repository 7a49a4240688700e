// Sorted-set family transcripts. Every reply and error text below was checked against Debian's
// redis-server 7.0.15 (HELLO 3 for the RESP3 shapes), except where a comment says the expected
// bytes are Redis 7.2's: score formatting (7.0 prints %.17g, e.g. "1.1000000000000001" where
// 7.2 and we print "1.1") and ZRANK/ZREVRANK WITHSCORE (7.2 only).
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/families/sorted_set_ops.h"
#include "broker/keyspace/set.h"
#include "broker/keyspace/zset.h"
#include "broker/resp/reply_builder.h"
#include "tests/broker/families/sorted_set_fixture.h"

namespace drayman::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

TEST_F(SortedSetTest, ZaddAddsUpdatesAndCounts) {
  EXPECT_EQ(Run("ZADD k 1 a 2 b 3 c"), ":3\r\n");
  EXPECT_EQ(Run("ZADD k 1 a 5 b 4 d"), ":1\r\n");
  EXPECT_EQ(Run("ZADD k CH 1 a 6 b 7 e"), ":2\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1 WITHSCORES"),
            "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"
            "$1\r\nb\r\n$1\r\n6\r\n$1\r\ne\r\n$1\r\n7\r\n");
  // A member given twice: the last score wins, counted once.
  EXPECT_EQ(Run("ZADD k2 1 x 2 x"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE k2 x"), "$1\r\n2\r\n");
}

TEST_F(SortedSetTest, ZaddOptionErrors) {
  EXPECT_EQ(Run("ZADD k NX XX 1 a"),
            "-ERR XX and NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("ZADD k nx ch xx 1 a"),
            "-ERR XX and NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("ZADD k GT LT 1 a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("ZADD k GT NX 1 a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("ZADD k LT NX 1 a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("ZADD k NX XX GT 1 a"),
            "-ERR XX and NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("ZADD k INCR 1 a 2 b"),
            "-ERR INCR option supports a single increment-element pair\r\n");
  EXPECT_EQ(Run("ZADD k INCR GT NX 1 a"),
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
  // Pairs are counted before options are checked.
  EXPECT_EQ(Run("ZADD k NX XX 1 a 2"), kSyntax);
  EXPECT_EQ(Run("ZADD k 1 a 2"), kSyntax);
  EXPECT_EQ(Run("ZADD k incr 1"), kSyntax);
  EXPECT_EQ(Run("ZADD k 1"), "-ERR wrong number of arguments for 'zadd' command\r\n");
  EXPECT_EQ(Run("ZADD k NX"), "-ERR wrong number of arguments for 'zadd' command\r\n");
  EXPECT_FALSE(Exists("k"));
}

TEST_F(SortedSetTest, ZaddScoresParseLikeRedis) {
  EXPECT_EQ(Run("ZADD k abc a"), kNotFloat);
  EXPECT_EQ(Run("ZADD k 1 a abc b"), kNotFloat);  // nothing is added
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run("ZADD k 1e-400 a"), kNotFloat);  // underflow
  EXPECT_EQ(Run("ZADD k 1e400 a"), kNotFloat);   // overflow
  EXPECT_EQ(Run("ZADD k \" 1\" a"), kNotFloat);
  EXPECT_EQ(Run("ZADD k \"1 \" a"), kNotFloat);
  EXPECT_EQ(Run("ZADD k nan a"), kNotFloat);
  EXPECT_EQ(Run("ZADD k \"\" a"), kNotFloat);
  EXPECT_EQ(RunArgs({"ZADD", "k", std::string("1\0", 2), "a"}), kNotFloat);
  EXPECT_EQ(Run("ZADD k 0x10 hex infinity i1 -inf i2 +inf i3 1e+20 py 1724003600.5678232 t"),
            ":6\r\n");
  EXPECT_EQ(Run("ZSCORE k hex"), "$2\r\n16\r\n");
  EXPECT_EQ(Run("ZSCORE k i1"), "$3\r\ninf\r\n");
  EXPECT_EQ(Run("ZSCORE k i2"), "$4\r\n-inf\r\n");
  EXPECT_EQ(Run("ZSCORE k py"), "$5\r\n1e+20\r\n");
  // Redis 7.2's layout (7.0 answers "1724003600.5678232").
  EXPECT_EQ(Run("ZSCORE k t"), "$21\r\n1.7240036005678232e+9\r\n");
  // A subnormal is accepted (7.0 prints it "9.9999999999999694e-311").
  EXPECT_EQ(Run("ZADD k 1e-310 w"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE k w"), "$6\r\n1e-310\r\n");
}

TEST_F(SortedSetTest, ZaddNxXxGtLt) {
  EXPECT_EQ(Run("ZADD k 1 a"), ":1\r\n");
  EXPECT_EQ(Run("ZADD k XX 5 zz"), ":0\r\n");
  EXPECT_EQ(Run("ZADD k NX 5 a 2 b"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE k a"), "$1\r\n1\r\n");
  EXPECT_EQ(Run("ZADD k XX CH 3 a 3 c"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE k c"), "$-1\r\n");
  EXPECT_EQ(Run("ZADD k GT 1 a"), ":0\r\n");
  EXPECT_EQ(Run("ZADD k GT CH 4 a"), ":1\r\n");
  // GT/LT never stop new members.
  EXPECT_EQ(Run("ZADD k LT CH 5 a 1 newm"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE k a"), "$1\r\n4\r\n");
  EXPECT_EQ(Run("ZADD k XX GT CH 10 a 0 b"), ":1\r\n");
  EXPECT_EQ(Run("ZRANGE k 0 -1 WITHSCORES"),
            "*6\r\n$4\r\nnewm\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$2\r\n10\r\n");
  // XX on a missing key creates nothing.
  EXPECT_EQ(Run("ZADD nokey XX 1 a"), ":0\r\n");
  EXPECT_EQ(Run("ZADD nokey XX INCR 1 a"), "$-1\r\n");
  EXPECT_FALSE(Exists("nokey"));
}

TEST_F(SortedSetTest, ZaddIncrAndZincrby) {
  EXPECT_EQ(Run("ZADD k INCR 1.5 a"), "$3\r\n1.5\r\n");
  EXPECT_EQ(Run("ZADD k INCR 2 a"), "$3\r\n3.5\r\n");
  EXPECT_EQ(Run("ZADD k GT INCR -1 a"), "$-1\r\n");
  EXPECT_EQ(Run("ZADD k GT INCR 1 a"), "$3\r\n4.5\r\n");
  EXPECT_EQ(Run("ZADD k LT INCR 0 a"), "$-1\r\n");
  EXPECT_EQ(Run("ZADD k NX INCR 1 a"), "$-1\r\n");
  EXPECT_EQ(Run("ZADD k XX INCR 1 missing"), "$-1\r\n");
  EXPECT_EQ(Run("ZADD k INCR inf a"), "$3\r\ninf\r\n");
  EXPECT_EQ(Run("ZADD k INCR -inf a"), "-ERR resulting score is not a number (NaN)\r\n");
  EXPECT_EQ(Run("ZINCRBY k -inf a"), "-ERR resulting score is not a number (NaN)\r\n");
  EXPECT_EQ(Run("ZSCORE k a"), "$3\r\ninf\r\n");
  EXPECT_EQ(Run("ZINCRBY k abc a"), kNotFloat);
  EXPECT_EQ(Run("ZINCRBY k 2.5 fresh"), "$3\r\n2.5\r\n");
  EXPECT_EQ(Run("ZINCRBY k 0.1 fresh"), "$3\r\n2.6\r\n");
  // ZINCRBY shares ZADD's option scan: a leading "nx" is an option, leaving an odd tail.
  EXPECT_EQ(Run("ZINCRBY k NX 5"), kSyntax);
  EXPECT_EQ(Run("ZINCRBY k 1 abc 2"), "-ERR wrong number of arguments for 'zincrby' command\r\n");
  Resp3();
  EXPECT_EQ(Run("ZINCRBY k 1 fresh"), ",3.6\r\n");
  EXPECT_EQ(Run("ZADD k XX INCR 1 nonexist"), "_\r\n");
}

TEST_F(SortedSetTest, NegativeZeroBecomesZeroInListpackOnly) {
  EXPECT_EQ(Run("ZADD k 0 z"), ":1\r\n");
  EXPECT_EQ(Run("ZADD k -0 z"), ":0\r\n");  // equal scores: no update
  EXPECT_EQ(Run("ZADD k -0 z2"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE k z2"), "$1\r\n0\r\n");
  // The reply carries the computed score; the listpack then stores it as 0.
  EXPECT_EQ(Run("ZADD k INCR -0 z3"), "$2\r\n-0\r\n");
  EXPECT_EQ(Run("ZSCORE k z3"), "$1\r\n0\r\n");
  EXPECT_EQ(Run("ZADD big 1 " + std::string(65, 'x')), ":1\r\n");
  EXPECT_EQ(Encoding("big"), "skiplist");
  EXPECT_EQ(Run("ZADD big -0 negz"), ":1\r\n");
  EXPECT_EQ(Run("ZSCORE big negz"), "$2\r\n-0\r\n");
}

TEST_F(SortedSetTest, WrongTypeChecksComeAfterArgumentErrors) {
  PutString("s");
  EXPECT_EQ(Run("ZADD s 1 a"), kWrongType);
  EXPECT_EQ(Run("ZADD s abc a"), kNotFloat);
  EXPECT_EQ(Run("ZADD s XX NX 1 a"),
            "-ERR XX and NX options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("ZINCRBY s 1 a"), kWrongType);
  EXPECT_EQ(Run("ZREM s a"), kWrongType);
  EXPECT_EQ(Run("ZCARD s"), kWrongType);
  EXPECT_EQ(Run("ZCOUNT s 1 2"), kWrongType);
  EXPECT_EQ(Run("ZCOUNT s a 2"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZLEXCOUNT s [a [b"), kWrongType);
  EXPECT_EQ(Run("ZLEXCOUNT s a [b"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZSCORE s a"), kWrongType);
  EXPECT_EQ(Run("ZMSCORE s a"), kWrongType);
  EXPECT_EQ(Run("ZRANK s a"), kWrongType);
  EXPECT_EQ(Run("ZREVRANK s a"), kWrongType);
  EXPECT_EQ(Run("ZRANGE s 0 1"), kWrongType);
  EXPECT_EQ(Run("ZRANGE s a b"), kNotInteger);
  EXPECT_EQ(Run("ZRANGESTORE d s 0 1"), kWrongType);
  EXPECT_EQ(Run("ZREMRANGEBYRANK s 0 1"), kWrongType);
  EXPECT_EQ(Run("ZREMRANGEBYRANK s a 1"), kNotInteger);
  EXPECT_EQ(Run("ZREMRANGEBYSCORE s 1 2"), kWrongType);
  EXPECT_EQ(Run("ZREMRANGEBYLEX s [a [b"), kWrongType);
  EXPECT_EQ(Run("ZPOPMIN s"), kWrongType);
  EXPECT_EQ(Run("ZPOPMIN s -1"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER s"), kWrongType);
  EXPECT_EQ(Run("ZRANDMEMBER s 0"), kWrongType);
  EXPECT_EQ(Run("ZRANDMEMBER s abc"), kNotInteger);
  EXPECT_EQ(Run("ZSCAN s 0"), kWrongType);
  EXPECT_EQ(Run("ZSCAN s abc"), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run("ZUNIONSTORE d 1 s"), kWrongType);
  EXPECT_EQ(Run("ZUNIONSTORE d 1 s WEIGHTS x"), kWrongType);
  EXPECT_EQ(Run("ZINTERCARD 1 s"), kWrongType);
  EXPECT_EQ(Run("ZMPOP 1 s MIN"), kWrongType);
  EXPECT_EQ(Run("ZMPOP 2 s k max"), kWrongType);
}

// ---------------------------------------------------------------------------------------------
// ZREM / ZCARD / ZSCORE / ZMSCORE / ZRANK

TEST_F(SortedSetTest, ZremDeletesEmptiedKey) {
  EXPECT_EQ(Run("ZREM nokey a"), ":0\r\n");
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZREM k a zz a"), ":1\r\n");
  EXPECT_EQ(Run("ZCARD k"), ":2\r\n");
  EXPECT_EQ(Run("ZREM k b c d"), ":2\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run("ZCARD k"), ":0\r\n");
}

TEST_F(SortedSetTest, ZscoreAndZmscore) {
  Run("ZADD k 1 a 2 b");
  EXPECT_EQ(Run("ZSCORE k a"), "$1\r\n1\r\n");
  EXPECT_EQ(Run("ZSCORE k zz"), "$-1\r\n");
  EXPECT_EQ(Run("ZSCORE nokey a"), "$-1\r\n");
  EXPECT_EQ(Run("ZMSCORE k a zz b"), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZMSCORE nokey a"), "*1\r\n$-1\r\n");
  EXPECT_EQ(Run("ZMSCORE k"), "-ERR wrong number of arguments for 'zmscore' command\r\n");
  Resp3();
  EXPECT_EQ(Run("ZSCORE k a"), ",1\r\n");
  EXPECT_EQ(Run("ZSCORE nokey a"), "_\r\n");
  EXPECT_EQ(Run("ZMSCORE k zz b zz"), "*3\r\n_\r\n,2\r\n_\r\n");
}

TEST_F(SortedSetTest, ZrankAndZrevrank) {
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZRANK k c"), ":2\r\n");
  EXPECT_EQ(Run("ZREVRANK k c"), ":0\r\n");
  EXPECT_EQ(Run("ZREVRANK k a"), ":2\r\n");
  EXPECT_EQ(Run("ZRANK k zz"), "$-1\r\n");
  EXPECT_EQ(Run("ZRANK nokey zz"), "$-1\r\n");
  // WITHSCORE is Redis 7.2 (7.0 answers with an arity error).
  EXPECT_EQ(Run("ZRANK k b WITHSCORE"), "*2\r\n:1\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZREVRANK k b withscore"), "*2\r\n:1\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZRANK k zz WITHSCORE"), "*-1\r\n");
  EXPECT_EQ(Run("ZRANK nokey zz WITHSCORE"), "*-1\r\n");
  EXPECT_EQ(Run("ZRANK k b WITHSCORES"), kSyntax);
  EXPECT_EQ(Run("ZRANK k b WITHSCORE x"), "-ERR wrong number of arguments for 'zrank' command\r\n");
  EXPECT_EQ(Run("ZREVRANK k"), "-ERR wrong number of arguments for 'zrevrank' command\r\n");
  Resp3();
  EXPECT_EQ(Run("ZRANK nokey a"), "_\r\n");
  EXPECT_EQ(Run("ZRANK k c WITHSCORE"), "*2\r\n:2\r\n,3\r\n");
  EXPECT_EQ(Run("ZRANK k zz WITHSCORE"), "_\r\n");
}

// ---------------------------------------------------------------------------------------------
// ZCOUNT / ZLEXCOUNT and range parsing

TEST_F(SortedSetTest, ZcountBoundsParseWithStrtod) {
  Run("ZADD k 0 a 1 b 2 c");
  EXPECT_EQ(Run("ZCOUNT k -inf +inf"), ":3\r\n");
  EXPECT_EQ(Run("ZCOUNT k (0 (2"), ":1\r\n");
  EXPECT_EQ(Run("ZCOUNT k 2 1"), ":0\r\n");
  EXPECT_EQ(Run("ZCOUNT k (1 1"), ":0\r\n");
  // Unlike ZADD scores, bounds accept "", blanks, overflow and underflow.
  EXPECT_EQ(Run("ZCOUNT k \"\" 5"), ":3\r\n");
  EXPECT_EQ(Run("ZCOUNT k \" 1\" 5"), ":2\r\n");
  EXPECT_EQ(Run("ZCOUNT k ( 5"), ":2\r\n");
  EXPECT_EQ(Run("ZCOUNT k 1e400 5"), ":0\r\n");
  EXPECT_EQ(Run("ZCOUNT k -1e400 5"), ":3\r\n");
  EXPECT_EQ(Run("ZCOUNT k 1e-400 5"), ":3\r\n");
  EXPECT_EQ(Run("ZCOUNT k (1e-400 5"), ":2\r\n");
  EXPECT_EQ(Run("ZCOUNT k 0x1 5"), ":2\r\n");
  EXPECT_EQ(Run("ZCOUNT k (-inf (+inf"), ":3\r\n");
  EXPECT_EQ(Run("ZCOUNT k nan 5"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZCOUNT k (nan 5"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZCOUNT k abc 5"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZCOUNT k \"1 \" 5"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZCOUNT nokey a b"), kMinMaxNotFloat);
  EXPECT_EQ(Run("ZCOUNT nokey 1 2"), ":0\r\n");
}

TEST_F(SortedSetTest, Zlexcount) {
  Run("ZADD k 0 a 0 b 0 c 0 d 0 e");
  EXPECT_EQ(Run("ZLEXCOUNT k - +"), ":5\r\n");
  EXPECT_EQ(Run("ZLEXCOUNT k [a (c"), ":2\r\n");
  EXPECT_EQ(Run("ZLEXCOUNT k (a [c"), ":2\r\n");
  EXPECT_EQ(Run("ZLEXCOUNT k + -"), ":0\r\n");
  EXPECT_EQ(Run("ZLEXCOUNT k - -"), ":0\r\n");
  EXPECT_EQ(Run("ZLEXCOUNT k [c [a"), ":0\r\n");
  EXPECT_EQ(Run("ZLEXCOUNT k a b"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZLEXCOUNT k -x +"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZLEXCOUNT k \"\" +"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZLEXCOUNT nokey a b"), kMinMaxNotLex);
  EXPECT_EQ(Run("ZLEXCOUNT nokey [a [b"), ":0\r\n");
}

// ---------------------------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX / ZMPOP

TEST_F(SortedSetTest, Zpop) {
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZPOPMIN k -1"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("ZPOPMIN k abc"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("ZPOPMIN k 1 2"), kSyntax);
  EXPECT_EQ(Run("ZPOPMIN nokey -1"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("ZPOPMIN nokey"), "*0\r\n");
  EXPECT_EQ(Run("ZPOPMIN k 0"), "*0\r\n");
  EXPECT_EQ(Run("ZPOPMIN k"), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("ZPOPMAX k 10"), "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_FALSE(Exists("k"));
}

TEST_F(SortedSetTest, ZpopResp3FlatWithoutCountNestedWithCount) {
  Run("ZADD k -inf z 1 a 2 b 3 c");
  Resp3();
  EXPECT_EQ(Run("ZPOPMIN k"), "*2\r\n$1\r\nz\r\n,-inf\r\n");
  EXPECT_EQ(Run("ZPOPMIN k 2"), "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(Run("ZPOPMAX k 1"), "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  EXPECT_EQ(Run("ZPOPMIN k 0"), "*0\r\n");
  EXPECT_EQ(Run("ZPOPMIN k"), "*0\r\n");
}

TEST_F(SortedSetTest, Zmpop) {
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZMPOP 0 k MIN"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("ZMPOP -1 k MIN"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("ZMPOP a k MIN"), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(Run("ZMPOP 1 k"), "-ERR wrong number of arguments for 'zmpop' command\r\n");
  EXPECT_EQ(Run("ZMPOP 2 k MIN"), kSyntax);
  EXPECT_EQ(Run("ZMPOP 99999999999 k MIN"), kSyntax);
  EXPECT_EQ(Run("ZMPOP 1 k FOO"), kSyntax);
  EXPECT_EQ(Run("ZMPOP 1 k MIN COUNT 0"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("ZMPOP 1 k MIN COUNT -1"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("ZMPOP 1 k MIN COUNT a"), "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(Run("ZMPOP 1 k MIN COUNT"), kSyntax);
  EXPECT_EQ(Run("ZMPOP 1 k MIN COUNT 1 COUNT 1"), kSyntax);
  EXPECT_EQ(Run("ZMPOP 1 k max count 1 foo"), kSyntax);
  EXPECT_EQ(Run("ZMPOP 2 nokey k max"), "*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  // Keys after the first existing one are not type-checked.
  PutString("s");
  EXPECT_EQ(Run("ZMPOP 2 k s max"), "*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZMPOP 1 k min COUNT 10"), "*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run("ZMPOP 1 k max"), "*-1\r\n");
  Run("ZADD k 1 a 2 b");
  Resp3();
  EXPECT_EQ(Run("ZMPOP 1 k MIN COUNT 2"),
            "*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(Run("ZMPOP 1 k MIN"), "_\r\n");
}

TEST_F(SortedSetTest, PopOpsForBlockingCommands) {
  Run("ZADD k 1 a 2.5 b 3 c");
  ZSet& zset = db().Find("k")->value.zset();
  std::vector<ScoredMember> popped = PopFromKey(db(), "k", zset, ZSetEnd::kMax, 1);
  ASSERT_EQ(popped.size(), 1u);
  std::string out;
  ReplyBuilder reply(&out);
  ReplyKeyMemberScore(reply, "k", popped[0]);
  EXPECT_EQ(out, "*3\r\n$1\r\nk\r\n$1\r\nc\r\n$1\r\n3\r\n");
  out.clear();
  reply.set_protocol(Protocol::kResp3);
  ReplyKeyMemberScore(reply, "k", popped[0]);
  EXPECT_EQ(out, "*3\r\n$1\r\nk\r\n$1\r\nc\r\n,3\r\n");
  popped = PopFromKey(db(), "k", db().Find("k")->value.zset(), ZSetEnd::kMin, 5);
  EXPECT_FALSE(Exists("k"));
  out.clear();
  ReplyKeyWithPairs(reply, "k", popped);
  EXPECT_EQ(out, "*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");

  // BZMPOP timeout numkeys key... MIN|MAX [COUNT n] parses from index 2.
  ZmpopArgs args;
  std::string error;
  ASSERT_TRUE(
      ParseZmpopArgs({"bzmpop", "0", "2", "a", "b", "MAX", "COUNT", "3"}, 2, &args, &error));
  EXPECT_EQ(args.first_key, 3u);
  EXPECT_EQ(args.numkeys, 2u);
  EXPECT_EQ(args.end, ZSetEnd::kMax);
  EXPECT_EQ(args.count, 3u);
  EXPECT_FALSE(ParseZmpopArgs({"bzmpop", "0", "0", "a", "MIN"}, 2, &args, &error));
  EXPECT_EQ(error, "ERR numkeys should be greater than 0");
  EXPECT_FALSE(ParseZmpopArgs({"bzmpop", "0", "1", "a", "MIN", "COUNT", "0"}, 2, &args, &error));
  EXPECT_EQ(error, "ERR count should be greater than 0");
  EXPECT_FALSE(ParseZmpopArgs({"bzmpop", "0", "2", "a", "MIN"}, 2, &args, &error));
  EXPECT_EQ(error, "ERR syntax error");
  EXPECT_EQ(ZmpopKeyIndexes({"bzmpop", "0", "2", "a", "b", "MIN"}, 2), (std::vector<int>{3, 4}));
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

TEST_F(SortedSetTest, ZrandmemberArgumentsAndShapes) {
  Run("ZADD k 1 a 2 b 3 c");
  EXPECT_EQ(Run("ZRANDMEMBER k 0"), "*0\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER k 0 WITHSCORES"), "*0\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER k abc"), kNotInteger);
  EXPECT_EQ(Run("ZRANDMEMBER k 1 FOO"), kSyntax);
  EXPECT_EQ(Run("ZRANDMEMBER k 1 WITHSCORES FOO"), kSyntax);
  EXPECT_EQ(Run("ZRANDMEMBER k -9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER k 4611686018427387904 WITHSCORES"), "-ERR value is out of range\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER nokey 4611686018427387904 WITHSCORES"),
            "-ERR value is out of range\r\n");
  // Asking for at least everything returns the whole set, highest first.
  EXPECT_EQ(Run("ZRANDMEMBER k 9223372036854775807"), "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER k 5 WITHSCORES"),
            "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER nokey"), "$-1\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER nokey 5"), "*0\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER nokey abc"), kNotInteger);
  EXPECT_EQ(Run("ZRANDMEMBER nokey 1 foo"), kSyntax);
  Resp3();
  EXPECT_EQ(Run("ZRANDMEMBER k 3 WITHSCORES"),
            "*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER nokey"), "_\r\n");
}

TEST_F(SortedSetTest, ZrandmemberSamples) {
  std::string command = "ZADD k";
  for (int i = 0; i < 300; ++i) command += " " + std::to_string(i) + " m" + std::to_string(i);
  Run(command);
  std::set<std::string> singles;
  for (int i = 0; i < 300; ++i) {
    std::string reply = Run("ZRANDMEMBER k");
    ASSERT_EQ(reply.substr(0, 1), "$");
    singles.insert(reply);
  }
  EXPECT_GT(singles.size(), 50u);  // not stuck on one element
  // Distinct counts: every element appears at most once, for both sampling strategies.
  for (const char* count : {"10", "250"}) {
    std::vector<std::string> args = {"ZRANDMEMBER", "k", count};
    std::string reply = RunArgs(args);
    const int n = std::stoi(count);
    ASSERT_EQ(reply.substr(0, reply.find("\r\n")), "*" + std::string(count));
    std::set<std::string> members;
    size_t pos = reply.find("\r\n") + 2;
    for (int i = 0; i < n; ++i) {
      size_t header_end = reply.find("\r\n", pos);
      size_t length = std::stoul(reply.substr(pos + 1, header_end - pos - 1));
      members.insert(reply.substr(header_end + 2, length));
      pos = header_end + 2 + length + 2;
    }
    EXPECT_EQ(members.size(), static_cast<size_t>(n)) << count;
  }
  // Negative counts repeat: more elements than the set has.
  std::string repeated = Run("ZRANDMEMBER k -1000 WITHSCORES");
  EXPECT_EQ(repeated.substr(0, 7), "*2000\r\n");
  EXPECT_EQ(Run("ZRANDMEMBER k -200000000"), "-ERR value is out of range\r\n");
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

TEST_F(SortedSetTest, ZscanSmallSetReturnsEverythingInOrder) {
  Run("ZADD k 1 a 2 b 2.5 c");
  EXPECT_EQ(Run("ZSCAN k 0"),
            "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n"
            "$3\r\n2.5\r\n");
  EXPECT_EQ(Run("ZSCAN k 0 MATCH b* COUNT 1"), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run("ZSCAN k 0 COUNT 0"), kSyntax);
  EXPECT_EQ(Run("ZSCAN k 0 COUNT abc"), kNotInteger);
  EXPECT_EQ(Run("ZSCAN k 0 TYPE zset"), kSyntax);
  EXPECT_EQ(Run("ZSCAN k 0 MATCH"), kSyntax);
  EXPECT_EQ(Run("ZSCAN k 0 NOVALUES"), kSyntax);
  EXPECT_EQ(Run("ZSCAN k abc"), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run("ZSCAN k 18446744073709551616"), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run("ZSCAN k \" 1\""), "-ERR invalid cursor\r\n");
  // Cursors parse like strtoul: "-1" and "" are accepted.
  EXPECT_EQ(Run("ZSCAN k -1 MATCH a"), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("ZSCAN k \"\" MATCH a"), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  // A missing key answers before options are checked.
  EXPECT_EQ(Run("ZSCAN nokey 0 COUNT 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(Run("ZSCAN nokey abc"), "-ERR invalid cursor\r\n");
  Resp3();
  EXPECT_EQ(Run("ZSCAN k 0 MATCH c"), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nc\r\n$3\r\n2.5\r\n");
}

TEST_F(SortedSetTest, ZscanLargeSetIteratesWithCursor) {
  std::string command = "ZADD k";
  for (int i = 0; i < 500; ++i) command += " " + std::to_string(i) + ".5 m" + std::to_string(i);
  Run(command);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::string reply = Run("ZSCAN k " + cursor + " COUNT 20");
    ++calls;
    // *2 $n cursor *m (member, score)...
    size_t pos = reply.find("\r\n") + 2;
    size_t header_end = reply.find("\r\n", pos);
    size_t length = std::stoul(reply.substr(pos + 1, header_end - pos - 1));
    cursor = reply.substr(header_end + 2, length);
    pos = header_end + 2 + length + 2;
    header_end = reply.find("\r\n", pos);
    const size_t items = std::stoul(reply.substr(pos + 1, header_end - pos - 1));
    pos = header_end + 2;
    std::string member;
    for (size_t i = 0; i < items; ++i) {
      header_end = reply.find("\r\n", pos);
      length = std::stoul(reply.substr(pos + 1, header_end - pos - 1));
      std::string item = reply.substr(header_end + 2, length);
      pos = header_end + 2 + length + 2;
      if (i % 2 == 0) {
        member = item;
      } else {
        EXPECT_EQ(item, member.substr(1) + ".5");
        seen.insert(member);
      }
    }
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_GT(calls, 5);
}

// ---------------------------------------------------------------------------------------------
// Dispatch: key positions, signalling, dirty counts

class RecordingKeyspaceObserver : public KeyspaceObserver {
 public:
  void OnKeyModified(int, std::string_view key) override { modified.emplace_back(key); }
  void OnDatabaseModified(int) override {}
  void OnKeyReady(int, std::string_view key) override { ready.emplace_back(key); }
  std::vector<std::string> modified;
  std::vector<std::string> ready;
};

TEST_F(SortedSetTest, WritesSignalTheirKeysAndCountChanges) {
  RecordingKeyspaceObserver observer;
  engine_->keyspace().set_observer(&observer);
  const uint64_t dirty = engine_->stats().dirty;
  Run("ZADD k 1 a 2 b");
  EXPECT_EQ(observer.ready, std::vector<std::string>{"k"});
  EXPECT_EQ(engine_->stats().dirty, dirty + 2);
  // A no-op write signals nothing (a BZPOPMIN waiter must not wake for it).
  Run("ZADD k XX 5 zz");
  Run("ZADD k 1 a");
  Run("ZREM k nothing");
  EXPECT_EQ(observer.ready.size(), 1u);
  EXPECT_EQ(engine_->stats().dirty, dirty + 2);
  Run("ZPOPMIN k 5");
  EXPECT_EQ(engine_->stats().dirty, dirty + 4);
  observer.ready.clear();
  Run("ZADD a 1 x");
  Run("ZUNIONSTORE d 1 a");
  // The source is only read (RO in Redis's key specs): only the destination is signalled.
  EXPECT_EQ(observer.ready, (std::vector<std::string>{"a", "d"}));
  engine_->keyspace().set_observer(nullptr);
}

TEST_F(SortedSetTest, MovableKeyPositions) {
  const CommandTable& table = engine_->commands();
  auto keys = [&](std::vector<std::string> args) { return table.Find(args[0])->KeyIndexes(args); };
  EXPECT_EQ(keys({"zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"}),
            (std::vector<int>{1, 3, 4}));
  EXPECT_EQ(keys({"zinterstore", "d", "1", "a"}), (std::vector<int>{1, 3}));
  EXPECT_EQ(keys({"zdiffstore", "d", "3", "a"}), std::vector<int>{});
  EXPECT_EQ(keys({"zunion", "2", "a", "b", "WITHSCORES"}), (std::vector<int>{2, 3}));
  EXPECT_EQ(keys({"zinter", "x", "a"}), std::vector<int>{});
  EXPECT_EQ(keys({"zdiff", "1", "a"}), std::vector<int>{2});
  EXPECT_EQ(keys({"zintercard", "2", "a", "b", "LIMIT", "1"}), (std::vector<int>{2, 3}));
  EXPECT_EQ(keys({"zmpop", "2", "a", "b", "MIN"}), (std::vector<int>{2, 3}));
  EXPECT_EQ(keys({"zrangestore", "d", "s", "0", "-1"}), (std::vector<int>{1, 2}));
  EXPECT_EQ(keys({"zadd", "k", "1", "a"}), std::vector<int>{1});
  const CommandSpec* zunion = table.Find("zunion");
  EXPECT_EQ(zunion->arity, -3);
  EXPECT_TRUE(zunion->flags & kCmdMovableKeys);
  EXPECT_EQ(zunion->first_key, 0);
  const CommandSpec* zunionstore = table.Find("zunionstore");
  EXPECT_EQ(zunionstore->first_key, 1);
  EXPECT_EQ(zunionstore->last_key, 1);
  EXPECT_EQ(zunionstore->AclCategories(),
            (std::vector<std::string>{"@write", "@sortedset", "@slow"}));
  EXPECT_EQ(table.Find("zadd")->AclCategories(),
            (std::vector<std::string>{"@write", "@sortedset", "@fast"}));
}

TEST_F(SortedSetTest, EncodingTransitions) {
  std::string command = "ZADD k";
  for (int i = 0; i < 128; ++i) command += " " + std::to_string(i) + " m" + std::to_string(i);
  Run(command);
  EXPECT_EQ(Encoding("k"), "listpack");
  Run("ZADD k 1 one-more");
  EXPECT_EQ(Encoding("k"), "skiplist");
  Run("ZREMRANGEBYRANK k 0 -2");
  EXPECT_EQ(Encoding("k"), "skiplist");
  Run("ZADD w 1 " + std::string(64, 'x'));
  EXPECT_EQ(Encoding("w"), "listpack");
  Run("ZADD w 1 " + std::string(65, 'y'));
  EXPECT_EQ(Encoding("w"), "skiplist");
  EXPECT_EQ(db().Find("w")->value.Clone().Encoding(), "skiplist");
  EXPECT_EQ(TypeName(db().Find("w")->value.type()), "zset");
}

// ---------------------------------------------------------------------------------------------
// Score formatting and round trips

TEST(ScoreFormatTest, Redis72Layout) {
  EXPECT_EQ(FormatDouble(0), "0");
  EXPECT_EQ(FormatDouble(-0.0), "-0");
  EXPECT_EQ(FormatDouble(3), "3");
  EXPECT_EQ(FormatDouble(-17), "-17");
  EXPECT_EQ(FormatDouble(1.1), "1.1");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(-1.5), "-1.5");
  EXPECT_EQ(FormatDouble(0.001), "0.001");
  EXPECT_EQ(FormatDouble(0.000001), "0.000001");
  EXPECT_EQ(FormatDouble(1e-7), "1e-7");
  EXPECT_EQ(FormatDouble(1.5e-7), "1.5e-7");
  EXPECT_EQ(FormatDouble(123456789.123), "123456789.123");
  EXPECT_EQ(FormatDouble(1234.5678901234567), "1234.5678901234567");
  EXPECT_EQ(FormatDouble(12345.678901234567), "1.2345678901234567e+4");
  EXPECT_EQ(FormatDouble(1724003600.567823), "1724003600.567823");
  EXPECT_EQ(FormatDouble(1724003600.5678232), "1.7240036005678232e+9");
  EXPECT_EQ(FormatDouble(1e17), "100000000000000000");
  EXPECT_EQ(FormatDouble(4611686018427387904.0), "4611686018427387904");  // 2^62
  EXPECT_EQ(FormatDouble(9223372036854775808.0), "9223372036854776000");  // 2^63
  EXPECT_EQ(FormatDouble(1e21), "1e+21");
  EXPECT_EQ(FormatDouble(1.5e300), "1.5e+300");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
}

bool SameDouble(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

TEST(ScoreFormatTest, RandomDoublesRoundTripExactly) {
  std::mt19937_64 rng(20260824);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 200000; ++i) {
    double value;
    switch (i % 4) {
      case 0: {  // any bit pattern
        uint64_t bits = rng();
        std::memcpy(&value, &bits, sizeof(value));
        break;
      }
      case 1:  // time.time()-like
        value = 1.7e9 + unit(rng) * 1e8;
        break;
      case 2:  // small magnitudes
        value = (unit(rng) - 0.5) * std::pow(10.0, static_cast<double>(rng() % 40) - 20);
        break;
      default:  // integers of every size
        value = static_cast<double>(static_cast<int64_t>(rng()) >> (rng() % 64));
        break;
    }
    if (std::isnan(value)) continue;
    const std::string text = FormatDouble(value);
    double parsed = 0;
    ASSERT_TRUE(ParseDouble(text, &parsed)) << text;
    ASSERT_TRUE(SameDouble(parsed, value)) << text;
  }
}

TEST_F(SortedSetTest, ScoresRoundTripThroughCommands) {
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 2000; ++i) {
    const double score = i % 2 ? 1.7e9 + unit(rng) * 1e8 : (unit(rng) - 0.5) * 1e-3;
    const std::string text = FormatDouble(score);
    RunArgs({"ZADD", "k", text, "m" + std::to_string(i)});
    // Reading the score back gives the same text, and feeding it to ZADD keeps the member.
    EXPECT_EQ(RunArgs({"ZSCORE", "k", "m" + std::to_string(i)}),
              "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n");
    EXPECT_EQ(RunArgs({"ZADD", "k", "XX", "CH", text, "m" + std::to_string(i)}), ":0\r\n");
  }
}

}  // namespace
}  // namespace drayman::testing
