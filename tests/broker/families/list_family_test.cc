// List family transcripts; expected bytes are Debian redis-server 7.0.15's replies.
#include "tests/broker/families/container_fixture.h"

namespace drayman::testing {
namespace {

using ListFamilyTest = ContainerTest;

TEST_F(ListFamilyTest, PushCreatesAndAppendsInOrder) {
  EXPECT_EQ(Run("LPUSH k a b c"), ":3\r\n");
  EXPECT_EQ(Run("RPUSH k d e"), ":5\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n");
  EXPECT_EQ(Run("LLEN k"), ":5\r\n");
  EXPECT_EQ(Run("LLEN missing"), ":0\r\n");
  EXPECT_EQ(TypeOf("k"), "list");
  EXPECT_EQ(EncodingOf("k"), "quicklist");
}

TEST_F(ListFamilyTest, PushxOnlyWhenTheListExists) {
  EXPECT_EQ(Run("LPUSHX k a"), ":0\r\n");
  EXPECT_EQ(Run("RPUSHX k a"), ":0\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run("RPUSH k x"), ":1\r\n");
  EXPECT_EQ(Run("LPUSHX k a b"), ":3\r\n");
  EXPECT_EQ(Run("RPUSHX k y z"), ":5\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n");
}

TEST_F(ListFamilyTest, WrongTypeEverywhere) {
  EXPECT_EQ(Run("SADD s v"), ":1\r\n");
  EXPECT_EQ(Run("LPUSH s a"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("RPUSH s a"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LPUSHX s a"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("RPUSHX s a"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LPOP s"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("RPOP s 0"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LLEN s"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LRANGE s 0 -1"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LINDEX s 0"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LSET s 0 a"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LREM s 0 a"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LTRIM s 0 1"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LINSERT s BEFORE a b"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LPOS s a"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LMOVE s d LEFT RIGHT"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("RPOPLPUSH s d"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("SCARD s"), ":1\r\n");
}

TEST_F(ListFamilyTest, Arity) {
  EXPECT_EQ(Run("LPUSH k"), "-ERR wrong number of arguments for 'lpush' command\r\n");
  EXPECT_EQ(Run("RPUSH k"), "-ERR wrong number of arguments for 'rpush' command\r\n");
  EXPECT_EQ(Run("LPUSHX k"), "-ERR wrong number of arguments for 'lpushx' command\r\n");
  EXPECT_EQ(Run("LPOP"), "-ERR wrong number of arguments for 'lpop' command\r\n");
  EXPECT_EQ(Run("LPOP k 1 2"), "-ERR wrong number of arguments for 'lpop' command\r\n");
  EXPECT_EQ(Run("RPOP k 1 2"), "-ERR wrong number of arguments for 'rpop' command\r\n");
  EXPECT_EQ(Run("LLEN"), "-ERR wrong number of arguments for 'llen' command\r\n");
  EXPECT_EQ(Run("LRANGE k 0"), "-ERR wrong number of arguments for 'lrange' command\r\n");
  EXPECT_EQ(Run("LINDEX k"), "-ERR wrong number of arguments for 'lindex' command\r\n");
  EXPECT_EQ(Run("LSET k 0"), "-ERR wrong number of arguments for 'lset' command\r\n");
  EXPECT_EQ(Run("LREM k 0"), "-ERR wrong number of arguments for 'lrem' command\r\n");
  EXPECT_EQ(Run("LTRIM k 0"), "-ERR wrong number of arguments for 'ltrim' command\r\n");
  EXPECT_EQ(Run("LINSERT k BEFORE a"), "-ERR wrong number of arguments for 'linsert' command\r\n");
  EXPECT_EQ(Run("LPOS k"), "-ERR wrong number of arguments for 'lpos' command\r\n");
  EXPECT_EQ(Run("LMOVE a b LEFT"), "-ERR wrong number of arguments for 'lmove' command\r\n");
  EXPECT_EQ(Run("RPOPLPUSH a"), "-ERR wrong number of arguments for 'rpoplpush' command\r\n");
}

TEST_F(ListFamilyTest, PopWithoutCount) {
  EXPECT_EQ(Run("RPUSH k a b c"), ":3\r\n");
  EXPECT_EQ(Run("LPOP k"), "$1\r\na\r\n");
  EXPECT_EQ(Run("RPOP k"), "$1\r\nc\r\n");
  EXPECT_EQ(Run("RPOP k"), "$1\r\nb\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run("LPOP k"), "$-1\r\n");
  EXPECT_EQ(Run("RPOP k"), "$-1\r\n");
  Resp3();
  EXPECT_EQ(Run("LPOP k"), "_\r\n");
  EXPECT_EQ(Run("RPOP k"), "_\r\n");
}

TEST_F(ListFamilyTest, PopWithCountResp2) {
  EXPECT_EQ(Run("LPOP missing 1"), "*-1\r\n");
  EXPECT_EQ(Run("LPOP missing 0"), "*-1\r\n");
  EXPECT_EQ(Run("RPOP missing 5"), "*-1\r\n");
  EXPECT_EQ(Run("RPUSH k a b c d e"), ":5\r\n");
  EXPECT_EQ(Run("LPOP k 0"), "*0\r\n");
  EXPECT_EQ(Run("LPOP k 2"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("RPOP k 2"), "*2\r\n$1\r\ne\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("RPOP k 10"), "*1\r\n$1\r\nc\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run("LPOP k -1"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("LPOP k x"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("LPOP k 9223372036854775808"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("RPUSH k a"), ":1\r\n");
  EXPECT_EQ(Run("LPOP k -1"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("LPOP k 1.5"), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(Run("LPOP k 1"), "*1\r\n$1\r\na\r\n");
}

TEST_F(ListFamilyTest, PopWithCountResp3) {
  Resp3();
  EXPECT_EQ(Run("LPOP missing 1"), "_\r\n");
  EXPECT_EQ(Run("LPOP missing 0"), "_\r\n");
  EXPECT_EQ(Run("RPOP missing"), "_\r\n");
  EXPECT_EQ(Run("RPUSH k a b c"), ":3\r\n");
  EXPECT_EQ(Run("LPOP k 0"), "*0\r\n");
  EXPECT_EQ(Run("RPOP k 2"), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("LPOP k 5"), "*1\r\n$1\r\na\r\n");
}

TEST_F(ListFamilyTest, LrangeNormalisesIndexes) {
  EXPECT_EQ(Run("RPUSH k a b c d"), ":4\r\n");
  EXPECT_EQ(Run("LRANGE k 0 0"), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("LRANGE k -2 -1"), "*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LRANGE k -100 100"), "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LRANGE k 2 1"), "*0\r\n");
  EXPECT_EQ(Run("LRANGE k 4 10"), "*0\r\n");
  EXPECT_EQ(Run("LRANGE k -1 -2"), "*0\r\n");
  EXPECT_EQ(Run("LRANGE k 1 -1"), "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LRANGE k -9223372036854775808 9223372036854775807"),
            "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LRANGE k x 1"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LRANGE k 0 y"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LRANGE missing x 1"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LRANGE missing 0 -1"), "*0\r\n");
  EXPECT_EQ(Run("LRANGE k 01 2"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LRANGE k \" 1\" 2"), "-ERR value is not an integer or out of range\r\n");
}

TEST_F(ListFamilyTest, Lindex) {
  EXPECT_EQ(Run("RPUSH k a b c"), ":3\r\n");
  EXPECT_EQ(Run("LINDEX k 0"), "$1\r\na\r\n");
  EXPECT_EQ(Run("LINDEX k -1"), "$1\r\nc\r\n");
  EXPECT_EQ(Run("LINDEX k 2"), "$1\r\nc\r\n");
  EXPECT_EQ(Run("LINDEX k 3"), "$-1\r\n");
  EXPECT_EQ(Run("LINDEX k -4"), "$-1\r\n");
  EXPECT_EQ(Run("LINDEX k x"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LINDEX missing x"), "$-1\r\n");
  EXPECT_EQ(Run("LINDEX missing 0"), "$-1\r\n");
  Resp3();
  EXPECT_EQ(Run("LINDEX k 3"), "_\r\n");
}

TEST_F(ListFamilyTest, Lset) {
  EXPECT_EQ(Run("LSET missing 0 a"), "-ERR no such key\r\n");
  EXPECT_EQ(Run("LSET missing x a"), "-ERR no such key\r\n");
  EXPECT_EQ(Run("RPUSH k a b c"), ":3\r\n");
  EXPECT_EQ(Run("LSET k 1 B"), "+OK\r\n");
  EXPECT_EQ(Run("LSET k -1 C"), "+OK\r\n");
  EXPECT_EQ(Run("LSET k 3 x"), "-ERR index out of range\r\n");
  EXPECT_EQ(Run("LSET k -4 x"), "-ERR index out of range\r\n");
  EXPECT_EQ(Run("LSET k x y"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*3\r\n$1\r\na\r\n$1\r\nB\r\n$1\r\nC\r\n");
}

TEST_F(ListFamilyTest, Lrem) {
  EXPECT_EQ(Run("RPUSH k a b a c a d a"), ":7\r\n");
  EXPECT_EQ(Run("LREM k 2 a"), ":2\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("LREM k -1 a"), ":1\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LREM k 0 a"), ":1\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LREM k 0 zz"), ":0\r\n");
  EXPECT_EQ(Run("LREM k x a"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LREM missing x a"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LREM missing 1 a"), ":0\r\n");
  EXPECT_EQ(Run("LREM k 0 b"), ":1\r\n");
  EXPECT_EQ(Run("LREM k 0 c"), ":1\r\n");
  EXPECT_EQ(Run("LREM k 0 d"), ":1\r\n");
  EXPECT_FALSE(Exists("k"));
}

TEST_F(ListFamilyTest, Ltrim) {
  EXPECT_EQ(Run("LTRIM missing x 1"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LTRIM missing 0 1"), "+OK\r\n");
  EXPECT_EQ(Run("RPUSH k a b c d e"), ":5\r\n");
  EXPECT_EQ(Run("LTRIM k 1 -2"), "+OK\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LTRIM k -100 100"), "+OK\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"), "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
  EXPECT_EQ(Run("LTRIM k 0 y"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LTRIM k 2 1"), "+OK\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run("RPUSH k a b"), ":2\r\n");
  EXPECT_EQ(Run("LTRIM k 5 10"), "+OK\r\n");
  EXPECT_FALSE(Exists("k"));
}

TEST_F(ListFamilyTest, Linsert) {
  EXPECT_EQ(Run("RPUSH k a b c a"), ":4\r\n");
  EXPECT_EQ(Run("LINSERT k MIDDLE a x"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LINSERT missing MIDDLE a x"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LINSERT missing BEFORE a x"), ":0\r\n");
  EXPECT_FALSE(Exists("missing"));
  EXPECT_EQ(Run("LINSERT k before zz x"), ":-1\r\n");
  EXPECT_EQ(Run("LINSERT k BeFoRe a x"), ":5\r\n");
  EXPECT_EQ(Run("LINSERT k AFTER a y"), ":6\r\n");
  EXPECT_EQ(Run("LINSERT k after c z"), ":7\r\n");
  EXPECT_EQ(Run("LRANGE k 0 -1"),
            "*7\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\ny\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nz\r\n$1\r\na\r\n");
}

TEST_F(ListFamilyTest, Lpos) {
  EXPECT_EQ(Run("RPUSH k a b c a b c"), ":6\r\n");
  EXPECT_EQ(Run("LPOS k a"), ":0\r\n");
  EXPECT_EQ(Run("LPOS k c"), ":2\r\n");
  EXPECT_EQ(Run("LPOS k a RANK 2"), ":3\r\n");
  EXPECT_EQ(Run("LPOS k a RANK -1"), ":3\r\n");
  EXPECT_EQ(Run("LPOS k a RANK 3"), "$-1\r\n");
  EXPECT_EQ(Run("LPOS k a RANK -9223372036854775808"), ":3\r\n");
  EXPECT_EQ(Run("LPOS k zz"), "$-1\r\n");
  EXPECT_EQ(Run("LPOS k a COUNT 0"), "*2\r\n:0\r\n:3\r\n");
  EXPECT_EQ(Run("LPOS k a COUNT 1"), "*1\r\n:0\r\n");
  EXPECT_EQ(Run("LPOS k c RANK -1 COUNT 2"), "*2\r\n:5\r\n:2\r\n");
  EXPECT_EQ(Run("LPOS k a count 2 rank 2"), "*1\r\n:3\r\n");
  EXPECT_EQ(Run("LPOS k zz COUNT 2"), "*0\r\n");
  EXPECT_EQ(Run("LPOS k a MAXLEN 2"), ":0\r\n");
  EXPECT_EQ(Run("LPOS k b MAXLEN 1"), "$-1\r\n");
  EXPECT_EQ(Run("LPOS k a MAXLEN 2 COUNT 0"), "*1\r\n:0\r\n");
  EXPECT_EQ(Run("LPOS k c RANK -2 COUNT 0 MAXLEN 3"), "*0\r\n");
  EXPECT_EQ(Run("LPOS k c RANK -2 COUNT 0 MAXLEN 4"), "*1\r\n:2\r\n");
  EXPECT_EQ(Run("LPOS k a MAXLEN 0 COUNT 0"), "*2\r\n:0\r\n:3\r\n");
  EXPECT_EQ(Run("LPOS missing a"), "$-1\r\n");
  EXPECT_EQ(Run("LPOS missing a COUNT 1"), "*0\r\n");
  Resp3();
  EXPECT_EQ(Run("LPOS missing a"), "_\r\n");
  EXPECT_EQ(Run("LPOS k zz"), "_\r\n");
}

TEST_F(ListFamilyTest, LposErrors) {
  EXPECT_EQ(Run("RPUSH k a"), ":1\r\n");
  EXPECT_EQ(Run("LPOS k a RANK 0"),
            "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list\r\n");
  EXPECT_EQ(Run("LPOS missing a RANK 0"),
            "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list\r\n");
  EXPECT_EQ(Run("LPOS k a RANK x"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("LPOS k a COUNT -1"), "-ERR COUNT can't be negative\r\n");
  EXPECT_EQ(Run("LPOS k a COUNT x"), "-ERR COUNT can't be negative\r\n");
  EXPECT_EQ(Run("LPOS k a MAXLEN -1"), "-ERR MAXLEN can't be negative\r\n");
  EXPECT_EQ(Run("LPOS k a MAXLEN x"), "-ERR MAXLEN can't be negative\r\n");
  EXPECT_EQ(Run("LPOS k a RANK"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LPOS k a FOO 1"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LPOS k a COUNT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("SADD s v"), ":1\r\n");
  EXPECT_EQ(Run("LPOS s a COUNT -1"), "-ERR COUNT can't be negative\r\n");
  EXPECT_EQ(Run("LPOS s a RANK 1"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST_F(ListFamilyTest, LmoveAndRpoplpush) {
  EXPECT_EQ(Run("RPUSH l a b c"), ":3\r\n");
  EXPECT_EQ(Run("LMOVE l d UP LEFT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LMOVE missing d UP LEFT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LMOVE l d LEFT DOWN"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("LMOVE missing d left right"), "$-1\r\n");
  EXPECT_EQ(Run("SADD str x"), ":1\r\n");
  EXPECT_EQ(Run("LMOVE missing str left right"), "$-1\r\n");
  EXPECT_EQ(Run("LMOVE str l left right"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LMOVE l str left right"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("LRANGE l 0 -1"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("LMOVE l l left right"), "$1\r\na\r\n");
  EXPECT_EQ(Run("LRANGE l 0 -1"), "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("LMOVE l d left left"), "$1\r\nb\r\n");
  EXPECT_EQ(Run("LMOVE l d right right"), "$1\r\na\r\n");
  EXPECT_EQ(Run("LRANGE d 0 -1"), "*2\r\n$1\r\nb\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("RPOPLPUSH l d"), "$1\r\nc\r\n");
  EXPECT_FALSE(Exists("l"));
  EXPECT_EQ(Run("LRANGE d 0 -1"), "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("RPOPLPUSH d d"), "$1\r\na\r\n");
  EXPECT_EQ(Run("LRANGE d 0 -1"), "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("RPOPLPUSH missing d"), "$-1\r\n");
  EXPECT_EQ(Run("RPOPLPUSH d str"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Run("RPOPLPUSH str d"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Resp3();
  EXPECT_EQ(Run("RPOPLPUSH missing d"), "_\r\n");
  EXPECT_EQ(Run("LMOVE missing d left right"), "_\r\n");
}

TEST_F(ListFamilyTest, SingleElementRotatesOntoItself) {
  EXPECT_EQ(Run("RPUSH l a"), ":1\r\n");
  EXPECT_EQ(Run("LMOVE l l LEFT LEFT"), "$1\r\na\r\n");
  EXPECT_EQ(Run("RPOPLPUSH l l"), "$1\r\na\r\n");
  EXPECT_EQ(Run("LRANGE l 0 -1"), "*1\r\n$1\r\na\r\n");
}

}  // namespace
}  // namespace drayman::testing
