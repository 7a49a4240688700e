// String family, as redis-cli transcripts. Every reply and error text below was checked against
// redis-server 7.0.15 (the same command lines, compared byte for byte).
#include <memory>
#include <string>

#include "broker/keyspace/list.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr char kWrongType[] =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr char kSyntax[] = "-ERR syntax error\r\n";
constexpr char kNotInteger[] = "-ERR value is not an integer or out of range\r\n";
constexpr char kNotFloat[] = "-ERR value is not a valid float\r\n";
constexpr char kNull[] = "$-1\r\n";

class StringFamilyTest : public EngineTest {
 protected:
  // A non-string key for WRONGTYPE checks (built directly: lists are another family's commands).
  void PutList(const std::string& key) {
    auto list = std::make_unique<List>();
    list->PushBack("x");
    engine_->keyspace().db(0).Put(key, Value(std::move(list)));
  }
};

TEST_F(StringFamilyTest, GetAndSet) {
  EXPECT_EQ(Run("GET k"), kNull);
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("SET k \"\""), "+OK\r\n");
  EXPECT_EQ(Run("GET k"), "$0\r\n\r\n");
  EXPECT_EQ(RunArgs({"SET", std::string("b\0n\r\n", 5), std::string("\x00\xff", 2)}), "+OK\r\n");
  EXPECT_EQ(RunArgs({"GET", std::string("b\0n\r\n", 5)}), std::string("$2\r\n\x00\xff\r\n", 8));
  EXPECT_EQ(Run("GET"), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(Run("SET k"), "-ERR wrong number of arguments for 'set' command\r\n");
}

TEST_F(StringFamilyTest, GetMissingIsNullInResp3) {
  Resp3();
  EXPECT_EQ(Run("GET nokey"), "_\r\n");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("MGET k nokey"), "*2\r\n$1\r\nv\r\n_\r\n");
}

TEST_F(StringFamilyTest, SetRefusesConflictingOrIncompleteOptions) {
  EXPECT_EQ(Run("SET k v EX 10 PX 10"), kSyntax);
  EXPECT_EQ(Run("SET k v NX XX"), kSyntax);
  EXPECT_EQ(Run("SET k v KEEPTTL EX 10"), kSyntax);
  EXPECT_EQ(Run("SET k v EX 10 KEEPTTL"), kSyntax);
  EXPECT_EQ(Run("SET k v EXAT 10 PXAT 10"), kSyntax);
  EXPECT_EQ(Run("SET k v EX"), kSyntax);
  EXPECT_EQ(Run("SET k v foo"), kSyntax);
  EXPECT_EQ(Run("SET k v PERSIST"), kSyntax);
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  // Repeating an option is allowed; the last expire value wins.
  EXPECT_EQ(Run("SET k v EX 10 EX 20"), "+OK\r\n");
  EXPECT_EQ(Run("TTL k"), ":20\r\n");
  EXPECT_EQ(Run("SET k v nx NX"), kNull);
  EXPECT_EQ(Run("SET k w get GET"), "$1\r\nv\r\n");
}

TEST_F(StringFamilyTest, SetRefusesBadExpireTimes) {
  EXPECT_EQ(Run("SET k v EX abc"), kNotInteger);
  EXPECT_EQ(Run("SET k v EX 1.5"), kNotInteger);
  EXPECT_EQ(Run("SET k v EX 01"), kNotInteger);
  EXPECT_EQ(Run("SET k v EX +1"), kNotInteger);
  for (const char* line :
       {"SET k v EX 0", "SET k v EX -1", "SET k v PX 0", "SET k v EXAT 0", "SET k v PXAT 0",
        "SET k v EX 9223372036854775807", "SET k v EX 9223372036854776",
        // Fits once scaled, but adding now wraps negative, as in Redis.
        "SET k v EX 9223372036854775", "SET k v PX 9223372036854775807"}) {
    EXPECT_EQ(Run(line), "-ERR invalid expire time in 'set' command\r\n") << line;
  }
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run("SET k v EXAT 9223372036854775"), "+OK\r\n");
  EXPECT_EQ(Run("EXPIRETIME k"), ":9223372036854775\r\n");
}

TEST_F(StringFamilyTest, SetExpiresAfterItsDeadlineMillisecond) {
  EXPECT_EQ(Run("SET k v EX 10"), "+OK\r\n");
  EXPECT_EQ(Run("TTL k"), ":10\r\n");
  clock_.AdvanceMs(9'999);
  EXPECT_EQ(Run("PTTL k"), ":1\r\n");
  clock_.AdvanceMs(1);
  // Like Redis, the key lives through its deadline millisecond (expired once now > deadline).
  EXPECT_EQ(Run("PTTL k"), ":0\r\n");
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  clock_.AdvanceMs(1);
  EXPECT_EQ(Run("GET k"), kNull);
  EXPECT_EQ(Run("TTL k"), ":-2\r\n");

  EXPECT_EQ(Run("SET k v PX 1500"), "+OK\r\n");
  EXPECT_EQ(Run("PTTL k"), ":1500\r\n");
  EXPECT_EQ(Run("SET k v PXAT 1700000020000"), "+OK\r\n");
  EXPECT_EQ(Run("PEXPIRETIME k"), ":1700000020000\r\n");
  EXPECT_EQ(Run("SET k v EXAT 1700000030"), "+OK\r\n");
  EXPECT_EQ(Run("PEXPIRETIME k"), ":1700000030000\r\n");
}

TEST_F(StringFamilyTest, SetWithAPastAbsoluteTimeStoresAKeyThatIsAlreadyGone) {
  EXPECT_EQ(Run("SET k v EXAT 1"), "+OK\r\n");
  // Redis 7.0 stores it (DBSIZE counts it) until a lookup or the active cycle removes it.
  EXPECT_EQ(engine_->keyspace().db(0).size(), 1u);
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(engine_->keyspace().db(0).size(), 0u);
}

TEST_F(StringFamilyTest, SetKeepttlKeepsTheDeadlineAndPlainSetClearsIt) {
  EXPECT_EQ(Run("SET k v EX 100"), "+OK\r\n");
  clock_.AdvanceMs(30'000);
  EXPECT_EQ(Run("SET k v2 KEEPTTL"), "+OK\r\n");
  EXPECT_EQ(Run("TTL k"), ":70\r\n");
  EXPECT_EQ(Run("GET k"), "$2\r\nv2\r\n");
  EXPECT_EQ(Run("SET k v3 KEEPTTL GET"), "$2\r\nv2\r\n");
  EXPECT_EQ(Run("TTL k"), ":70\r\n");
  EXPECT_EQ(Run("SET k v4"), "+OK\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
  EXPECT_EQ(Run("SET new v KEEPTTL"), "+OK\r\n");
  EXPECT_EQ(Run("TTL new"), ":-1\r\n");
}

TEST_F(StringFamilyTest, SetNxXxAndGet) {
  EXPECT_EQ(Run("SET k v XX"), kNull);
  EXPECT_EQ(Run("SET k v XX GET"), kNull);
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run("SET k v NX GET"), kNull);
  EXPECT_EQ(Run("SET k v2 NX GET"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("SET k v2 NX"), kNull);
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("SET k v3 XX GET EX 100"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  EXPECT_EQ(Run("SET k v4 GET"), "$2\r\nv3\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
  // kombu's mutex: SET NX PX.
  EXPECT_EQ(Run("SET unacked_mutex abc NX PX 300000"), "+OK\r\n");
  EXPECT_EQ(Run("SET unacked_mutex def NX PX 300000"), kNull);
  EXPECT_EQ(Run("PTTL unacked_mutex"), ":300000\r\n");
}

TEST_F(StringFamilyTest, SetGetOnAnotherTypeIsWrongTypeButPlainSetOverwrites) {
  PutList("l");
  EXPECT_EQ(Run("SET l v GET"), kWrongType);
  EXPECT_EQ(Run("TYPE l"), "+list\r\n");
  // The expire time is validated before the GET lookup.
  EXPECT_EQ(Run("SET l v GET EX 0"), "-ERR invalid expire time in 'set' command\r\n");
  EXPECT_EQ(Run("SET l v"), "+OK\r\n");
  EXPECT_EQ(Run("TYPE l"), "+string\r\n");
}

TEST_F(StringFamilyTest, SetexPsetexSetnx) {
  EXPECT_EQ(Run("SETEX k 0 v"), "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(Run("SETEX k -1 v"), "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(Run("SETEX k 9223372036854775807 v"),
            "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(Run("SETEX k abc v"), kNotInteger);
  EXPECT_EQ(Run("PSETEX k 0 v"), "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(Run("PSETEX k 9223372036854775807 v"),
            "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(Run("SETEX k"), "-ERR wrong number of arguments for 'setex' command\r\n");
  // Celery's result backend: SETEX key 86400 value.
  EXPECT_EQ(Run("SETEX celery-task-meta-1 86400 {}"), "+OK\r\n");
  EXPECT_EQ(Run("TTL celery-task-meta-1"), ":86400\r\n");
  EXPECT_EQ(Run("PSETEX k 1500 v"), "+OK\r\n");
  EXPECT_EQ(Run("PTTL k"), ":1500\r\n");
  EXPECT_EQ(Run("SETNX k w"), ":0\r\n");
  EXPECT_EQ(Run("SETNX k2 w"), ":1\r\n");
  EXPECT_EQ(Run("GET k2"), "$1\r\nw\r\n");
  clock_.AdvanceMs(1501);
  EXPECT_EQ(Run("SETNX k w"), ":1\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
}

TEST_F(StringFamilyTest, GetexOptionsAndErrors) {
  EXPECT_EQ(Run("GETEX k KEEPTTL"), kSyntax);
  EXPECT_EQ(Run("GETEX k NX"), kSyntax);
  EXPECT_EQ(Run("GETEX k GET"), kSyntax);
  EXPECT_EQ(Run("GETEX k PERSIST EX 10"), kSyntax);
  EXPECT_EQ(Run("GETEX k EX 10 PX 10"), kSyntax);
  EXPECT_EQ(Run("GETEX k EX"), kSyntax);
  EXPECT_EQ(Run("GETEX k foo"), kSyntax);
  // A missing key answers null before the expire value is even parsed.
  EXPECT_EQ(Run("GETEX nokey EX 0"), kNull);
  EXPECT_EQ(Run("GETEX nokey EX abc"), kNull);
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("GETEX k EX 0"), "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(Run("GETEX k EX -5"), "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(Run("GETEX k EXAT -1"), "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(Run("GETEX k EX abc"), kNotInteger);
  EXPECT_EQ(Run("GETEX k PERSIST PERSIST"), "$1\r\nv\r\n");
  PutList("l");
  EXPECT_EQ(Run("GETEX l"), kWrongType);
  EXPECT_EQ(Run("GETEX l EX 0"), kWrongType);
}

TEST_F(StringFamilyTest, GetexSetsAndClearsExpiry) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("GETEX k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
  EXPECT_EQ(Run("GETEX k EX 100"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  EXPECT_EQ(Run("GETEX k PX 5000"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("PTTL k"), ":5000\r\n");
  EXPECT_EQ(Run("GETEX k PERSIST"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
  EXPECT_EQ(Run("GETEX k PXAT 9999999999999"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("PEXPIRETIME k"), ":9999999999999\r\n");
  EXPECT_EQ(Run("GETEX k EXAT 1700000100"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  // An absolute time at or before now deletes the key after answering its value.
  EXPECT_EQ(Run("GETEX k PXAT 1700000000000"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("GETEX k EXAT 1"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
}

TEST_F(StringFamilyTest, GetdelAndGetset) {
  EXPECT_EQ(Run("SET k v EX 100"), "+OK\r\n");
  EXPECT_EQ(Run("GETDEL k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("GETDEL k"), kNull);
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run("GETSET k v"), kNull);
  EXPECT_EQ(Run("EXPIRE k 100"), ":1\r\n");
  EXPECT_EQ(Run("GETSET k w"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");  // GETSET drops the expiry, like SET
  EXPECT_EQ(Run("GETSET k"), "-ERR wrong number of arguments for 'getset' command\r\n");
  PutList("l");
  EXPECT_EQ(Run("GETDEL l"), kWrongType);
  EXPECT_EQ(Run("GETSET l v"), kWrongType);
  EXPECT_EQ(Run("TYPE l"), "+list\r\n");
}

TEST_F(StringFamilyTest, MgetMsetMsetnx) {
  PutList("l");
  EXPECT_EQ(Run("MSET a 1 b 2"), "+OK\r\n");
  EXPECT_EQ(Run("MGET a b nokey l"), "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$-1\r\n");
  // redis-py sends a bare MGET for an empty key list and expects an error.
  EXPECT_EQ(Run("MGET"), "-ERR wrong number of arguments for 'mget' command\r\n");
  EXPECT_EQ(Run("MSET a"), "-ERR wrong number of arguments for 'mset' command\r\n");
  EXPECT_EQ(Run("MSET a 1 b"), "-ERR wrong number of arguments for 'mset' command\r\n");
  EXPECT_EQ(Run("MSETNX a 1 b"), "-ERR wrong number of arguments for 'msetnx' command\r\n");
  EXPECT_EQ(Run("MSETNX a 9 c 3"), ":0\r\n");
  EXPECT_EQ(Run("EXISTS c"), ":0\r\n");
  EXPECT_EQ(Run("MSETNX c 3 d 4"), ":1\r\n");
  EXPECT_EQ(Run("MGET a c d"), "*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n4\r\n");
  EXPECT_EQ(Run("EXPIRE a 100"), ":1\r\n");
  EXPECT_EQ(Run("MSET a x l y"), "+OK\r\n");
  EXPECT_EQ(Run("TTL a"), ":-1\r\n");
  EXPECT_EQ(Run("TYPE l"), "+string\r\n");
}

TEST_F(StringFamilyTest, IncrDecrFamily) {
  EXPECT_EQ(Run("INCR n"), ":1\r\n");
  EXPECT_EQ(Run("INCRBY n 9"), ":10\r\n");
  EXPECT_EQ(Run("INCRBY n -5"), ":5\r\n");
  EXPECT_EQ(Run("DECR n"), ":4\r\n");
  EXPECT_EQ(Run("DECRBY n 3"), ":1\r\n");
  EXPECT_EQ(Run("DECR m"), ":-1\r\n");
  EXPECT_EQ(Run("GET n"), "$1\r\n1\r\n");
  EXPECT_EQ(Run("INCRBY n abc"), kNotInteger);
  EXPECT_EQ(Run("INCRBY n 1.5"), kNotInteger);
  EXPECT_EQ(Run("DECRBY n -9223372036854775808"), "-ERR decrement would overflow\r\n");
  EXPECT_EQ(Run("SET n 9223372036854775807"), "+OK\r\n");
  EXPECT_EQ(Run("INCR n"), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(Run("INCRBY n 0"), ":9223372036854775807\r\n");
  EXPECT_EQ(Run("SET n -9223372036854775808"), "+OK\r\n");
  EXPECT_EQ(Run("DECR n"), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(Run("INCRBY n -1"), "-ERR increment or decrement would overflow\r\n");
  for (const char* value : {"\" 1\"", "1.5", "01", "-0", "99999999999999999999", "abc"}) {
    EXPECT_EQ(Run(std::string("SET n ") + value), "+OK\r\n");
    EXPECT_EQ(Run("INCR n"), kNotInteger) << value;
  }
  EXPECT_EQ(Run("SET n 0"), "+OK\r\n");
  EXPECT_EQ(Run("INCR n"), ":1\r\n");
  PutList("l");
  EXPECT_EQ(Run("INCR l"), kWrongType);
  // The increment is parsed before the key is looked at.
  EXPECT_EQ(Run("INCRBY l abc"), kNotInteger);
  EXPECT_EQ(Run("DECRBY l -9223372036854775808"), "-ERR decrement would overflow\r\n");
}

TEST_F(StringFamilyTest, CountersKeepTheExpiry) {
  EXPECT_EQ(Run("SET k 10 EX 100"), "+OK\r\n");
  EXPECT_EQ(Run("INCR k"), ":11\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT k 1.5"), "$4\r\n12.5\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  EXPECT_EQ(Run("APPEND k x"), ":5\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  EXPECT_EQ(Run("SETRANGE k 0 1"), ":5\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  EXPECT_EQ(Run("GET k"), "$5\r\n12.5x\r\n");
}

TEST_F(StringFamilyTest, Incrbyfloat) {
  EXPECT_EQ(Run("INCRBYFLOAT f 1.5"), "$3\r\n1.5\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT f abc"), kNotFloat);
  EXPECT_EQ(Run("INCRBYFLOAT f nan"), kNotFloat);
  EXPECT_EQ(Run("INCRBYFLOAT f \" 1\""), kNotFloat);
  EXPECT_EQ(Run("INCRBYFLOAT f \"1 \""), kNotFloat);
  EXPECT_EQ(Run("INCRBYFLOAT f 1e5000"), kNotFloat);
  EXPECT_EQ(Run("INCRBYFLOAT f inf"), "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT f -inf"), "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(Run("GET f"), "$3\r\n1.5\r\n");
  EXPECT_EQ(Run("SET f 5.0e3"), "+OK\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT f 2.0e2"), "$4\r\n5200\r\n");
  EXPECT_EQ(Run("SET f 3"), "+OK\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT f 1.1"), "$3\r\n4.1\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT f 0.1"), "$3\r\n4.2\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT g 0x10"), "$2\r\n16\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT g +5"), "$2\r\n21\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT g .5"), "$4\r\n21.5\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT h 10.50"), "$4\r\n10.5\r\n");
  EXPECT_EQ(Run("GET h"), "$4\r\n10.5\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT h 1e20"), "$21\r\n100000000000000000008\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT h -1e20"), "$1\r\n8\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT i 1e-4940"), "$1\r\n0\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT j -0.0"), "$1\r\n0\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT j 1.23456789012345678901"), "$19\r\n1.23456789012345679\r\n");
  EXPECT_EQ(Run("SET s \" 1\""), "+OK\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT s 1"), kNotFloat);
  PutList("l");
  EXPECT_EQ(Run("INCRBYFLOAT l abc"), kWrongType);
}

TEST_F(StringFamilyTest, AppendAndStrlen) {
  EXPECT_EQ(Run("APPEND k hello"), ":5\r\n");
  EXPECT_EQ(Run("APPEND k \" world\""), ":11\r\n");
  EXPECT_EQ(Run("GET k"), "$11\r\nhello world\r\n");
  EXPECT_EQ(Run("STRLEN k"), ":11\r\n");
  EXPECT_EQ(Run("STRLEN nokey"), ":0\r\n");
  EXPECT_EQ(Run("SET n 12345"), "+OK\r\n");
  EXPECT_EQ(Run("STRLEN n"), ":5\r\n");
  EXPECT_EQ(RunArgs({"APPEND", "bin", std::string("a\0b", 3)}), ":3\r\n");
  EXPECT_EQ(Run("APPEND bin \"\\xff\""), ":4\r\n");
  PutList("l");
  EXPECT_EQ(Run("APPEND l x"), kWrongType);
  EXPECT_EQ(Run("STRLEN l"), kWrongType);
}

TEST_F(StringFamilyTest, AppendAndSetrangeRespectProtoMaxBulkLen) {
  config_.settings().proto_max_bulk_len = 10;
  Restart();
  EXPECT_EQ(Run("SET k 12345678"), "+OK\r\n");
  EXPECT_EQ(Run("APPEND k 90"), ":10\r\n");
  EXPECT_EQ(Run("APPEND k x"), "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(Run("SETRANGE k 9 x"), ":10\r\n");
  EXPECT_EQ(Run("SETRANGE k 10 x"),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(Run("SETRANGE new 9 xy"),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(Run("EXISTS new"), ":0\r\n");
}

TEST_F(StringFamilyTest, Getrange) {
  EXPECT_EQ(Run("GETRANGE nokey 0 -1"), "$0\r\n\r\n");
  EXPECT_EQ(Run("SET s \"Hello World\""), "+OK\r\n");
  EXPECT_EQ(Run("GETRANGE s 0 4"), "$5\r\nHello\r\n");
  EXPECT_EQ(Run("GETRANGE s -5 -1"), "$5\r\nWorld\r\n");
  EXPECT_EQ(Run("GETRANGE s -1 -5"), "$0\r\n\r\n");
  EXPECT_EQ(Run("GETRANGE s 5 3"), "$0\r\n\r\n");
  EXPECT_EQ(Run("GETRANGE s 0 100"), "$11\r\nHello World\r\n");
  EXPECT_EQ(Run("GETRANGE s -100 -50"), "$1\r\nH\r\n");
  EXPECT_EQ(Run("GETRANGE s -100 2"), "$3\r\nHel\r\n");
  EXPECT_EQ(Run("GETRANGE s 20 30"), "$0\r\n\r\n");
  EXPECT_EQ(Run("GETRANGE s -9223372036854775808 9223372036854775807"), "$11\r\nHello World\r\n");
  EXPECT_EQ(Run("GETRANGE s abc 1"), kNotInteger);
  EXPECT_EQ(Run("GETRANGE s 0 abc"), kNotInteger);
  EXPECT_EQ(Run("SUBSTR s 0 4"), "$5\r\nHello\r\n");
  EXPECT_EQ(Run("SET e \"\""), "+OK\r\n");
  EXPECT_EQ(Run("GETRANGE e 0 -1"), "$0\r\n\r\n");
  EXPECT_EQ(Run("GETRANGE e 0 0"), "$0\r\n\r\n");
  EXPECT_EQ(Run("SET n 12345"), "+OK\r\n");
  EXPECT_EQ(Run("GETRANGE n 1 2"), "$2\r\n23\r\n");
  PutList("l");
  EXPECT_EQ(Run("GETRANGE l 0 1"), kWrongType);
  EXPECT_EQ(Run("GETRANGE l a 1"), kNotInteger);
}

TEST_F(StringFamilyTest, Setrange) {
  EXPECT_EQ(Run("SET s \"Hello World\""), "+OK\r\n");
  EXPECT_EQ(Run("SETRANGE s 6 Redis"), ":11\r\n");
  EXPECT_EQ(Run("GET s"), "$11\r\nHello Redis\r\n");
  EXPECT_EQ(Run("SETRANGE nk 3 ab"), ":5\r\n");
  EXPECT_EQ(Run("GET nk"), std::string("$5\r\n\0\0\0ab\r\n", 11));
  EXPECT_EQ(Run("SETRANGE nk 1 Z"), ":5\r\n");
  EXPECT_EQ(Run("GET nk"), std::string("$5\r\n\0Z\0ab\r\n", 11));
  EXPECT_EQ(Run("SETRANGE s -1 x"), "-ERR offset is out of range\r\n");
  EXPECT_EQ(Run("SETRANGE s abc x"), kNotInteger);
  // Setting nothing answers the length and never creates the key.
  EXPECT_EQ(Run("SETRANGE nokey 5 \"\""), ":0\r\n");
  EXPECT_EQ(Run("EXISTS nokey"), ":0\r\n");
  EXPECT_EQ(Run("SETRANGE s 536870911 \"\""), ":11\r\n");
  // The 512 MB default limit is checked before any allocation.
  EXPECT_EQ(Run("SETRANGE s 536870912 x"),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(Run("SETRANGE nk 536870911 xy"),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(Run("SETRANGE nk 9223372036854775807 xy"),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  PutList("l");
  EXPECT_EQ(Run("SETRANGE l 0 x"), kWrongType);
  EXPECT_EQ(Run("SETRANGE l 0 \"\""), kWrongType);
}

TEST_F(StringFamilyTest, ObjectEncodingFollowsHowTheStringWasMade) {
  auto encoding = [this](const std::string& key) { return Run("OBJECT ENCODING " + key); };
  const std::string kInt = "$3\r\nint\r\n", kEmbstr = "$6\r\nembstr\r\n", kRaw = "$3\r\nraw\r\n";
  EXPECT_EQ(Run("SET k 123"), "+OK\r\n");
  EXPECT_EQ(encoding("k"), kInt);
  EXPECT_EQ(Run("SET k -9223372036854775808"), "+OK\r\n");
  EXPECT_EQ(encoding("k"), kInt);
  for (const char* text : {"01", "-0", "+1", "\" 1\"", "9223372036854775808", "\"\"", "1.5"}) {
    EXPECT_EQ(Run(std::string("SET k ") + text), "+OK\r\n");
    EXPECT_EQ(encoding("k"), kEmbstr) << text;
  }
  EXPECT_EQ(Run("SET k " + std::string(44, 'a')), "+OK\r\n");
  EXPECT_EQ(encoding("k"), kEmbstr);
  EXPECT_EQ(Run("SET k " + std::string(45, 'a')), "+OK\r\n");
  EXPECT_EQ(encoding("k"), kRaw);
  // In-place growth leaves "raw", even of an integer and even by nothing.
  EXPECT_EQ(Run("SET k 10000"), "+OK\r\n");
  EXPECT_EQ(Run("APPEND k 1"), ":6\r\n");
  EXPECT_EQ(encoding("k"), kRaw);
  EXPECT_EQ(Run("SET k 5"), "+OK\r\n");
  EXPECT_EQ(Run("APPEND k \"\""), ":1\r\n");
  EXPECT_EQ(encoding("k"), kRaw);
  EXPECT_EQ(Run("SET k 5"), "+OK\r\n");
  EXPECT_EQ(Run("SETRANGE k 0 \"\""), ":1\r\n");
  EXPECT_EQ(encoding("k"), kInt);
  EXPECT_EQ(Run("SETRANGE k 0 7"), ":1\r\n");
  EXPECT_EQ(encoding("k"), kRaw);
  EXPECT_EQ(Run("SETRANGE new 0 12"), ":2\r\n");
  EXPECT_EQ(encoding("new"), kRaw);
  // A new key made by APPEND is stored as SET would store it.
  EXPECT_EQ(Run("APPEND a1 abc"), ":3\r\n");
  EXPECT_EQ(encoding("a1"), kEmbstr);
  EXPECT_EQ(Run("APPEND a2 123"), ":3\r\n");
  EXPECT_EQ(encoding("a2"), kInt);
  // Counters: INCR makes an int; INCRBYFLOAT never does.
  EXPECT_EQ(Run("SET c abc"), "+OK\r\n");
  EXPECT_EQ(Run("SET c 1234"), "+OK\r\n");
  EXPECT_EQ(Run("INCR c"), ":1235\r\n");
  EXPECT_EQ(encoding("c"), kInt);
  EXPECT_EQ(Run("INCRBYFLOAT f 1"), "$1\r\n1\r\n");
  EXPECT_EQ(encoding("f"), kEmbstr);
  EXPECT_EQ(Run("GETSET f 12"), "$1\r\n1\r\n");
  EXPECT_EQ(encoding("f"), kInt);
  EXPECT_EQ(Run("MSET m1 1 m2 " + std::string(50, 'a')), "+OK\r\n");
  EXPECT_EQ(encoding("m1"), kInt);
  EXPECT_EQ(encoding("m2"), kRaw);
  EXPECT_EQ(Run("SETEX d 100 7"), "+OK\r\n");
  EXPECT_EQ(encoding("d"), kInt);
}

TEST_F(StringFamilyTest, ObjectRefcountShowsRedisSharedIntegers) {
  EXPECT_EQ(Run("SET k 123"), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k"), ":2147483647\r\n");
  EXPECT_EQ(Run("SET k 9999"), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k"), ":2147483647\r\n");
  EXPECT_EQ(Run("SET k 10000"), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k"), ":1\r\n");
  EXPECT_EQ(Run("SET k -1"), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k"), ":1\r\n");
  EXPECT_EQ(Run("SET k abc"), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k"), ":1\r\n");
  EXPECT_EQ(Run("SET k 5"), "+OK\r\n");
  EXPECT_EQ(Run("INCR k"), ":6\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k"), ":2147483647\r\n");
  // COPY duplicates the object, so the copy of a shared integer is not shared.
  EXPECT_EQ(Run("COPY k k2"), ":1\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k2"), ":1\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING k2"), "$3\r\nint\r\n");
  EXPECT_EQ(Run("INCR k2"), ":7\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT k2"), ":2147483647\r\n");
  EXPECT_EQ(Run("INCRBYFLOAT f 1"), "$1\r\n1\r\n");
  EXPECT_EQ(Run("OBJECT REFCOUNT f"), ":1\r\n");
}

TEST_F(StringFamilyTest, WritesAreCountedAsDirtyOnlyWhenSomethingChanged) {
  const uint64_t start = engine_->stats().dirty;
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("SET k v NX"), kNull);
  EXPECT_EQ(Run("GETEX k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("GETEX k PERSIST"), "$1\r\nv\r\n");  // nothing to remove
  EXPECT_EQ(engine_->stats().dirty, start + 1);
  EXPECT_EQ(Run("MSET a 1 b 2 c 3"), "+OK\r\n");
  EXPECT_EQ(engine_->stats().dirty, start + 4);
}

TEST_F(StringFamilyTest, ReadsCountKeyspaceHitsAndMisses) {
  Keyspace& keyspace = engine_->keyspace();
  const uint64_t hits = keyspace.keyspace_hits, misses = keyspace.keyspace_misses;
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("GET nokey"), kNull);
  EXPECT_EQ(Run("MGET k nokey nokey"), "*3\r\n$1\r\nv\r\n$-1\r\n$-1\r\n");
  EXPECT_EQ(keyspace.keyspace_hits, hits + 2);
  EXPECT_EQ(keyspace.keyspace_misses, misses + 3);
}

}  // namespace
}  // namespace drayman::testing
