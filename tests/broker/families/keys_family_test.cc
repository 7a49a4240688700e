// Keys and expiry family, as redis-cli transcripts. Every reply and error text that does not
// depend on the clock was checked against redis-server 7.0.15 with the same command lines.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/keyspace/list.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr char kSyntax[] = "-ERR syntax error\r\n";
constexpr char kNotInteger[] = "-ERR value is not an integer or out of range\r\n";
constexpr char kNull[] = "$-1\r\n";

class KeysFamilyTest : public EngineTest {
 protected:
  // A list key (lists are another family's commands, so it is built directly).
  void PutList(const std::string& key, int db = 0) {
    auto list = std::make_unique<List>();
    list->PushBack("x");
    engine_->keyspace().db(db).Put(key, Value(std::move(list)));
  }

  // One SCAN call: returns the next cursor and appends the keys to *keys.
  std::string ScanOnce(const std::string& line, std::vector<std::string>* keys) {
    std::string reply = Run(line);
    // *2\r\n$<n>\r\n<cursor>\r\n*<m>\r\n($<len>\r\n<key>\r\n)*
    size_t pos = reply.find("\r\n", 4);  // end of "$<n>"
    size_t end = reply.find("\r\n", pos + 2);
    std::string cursor = reply.substr(pos + 2, end - pos - 2);
    pos = end + 2;
    size_t count_end = reply.find("\r\n", pos);
    int count = std::stoi(reply.substr(pos + 1, count_end - pos - 1));
    pos = count_end + 2;
    for (int i = 0; i < count; ++i) {
      size_t len_end = reply.find("\r\n", pos);
      size_t length = std::stoul(reply.substr(pos + 1, len_end - pos - 1));
      keys->push_back(reply.substr(len_end + 2, length));
      pos = len_end + 2 + length + 2;
    }
    return cursor;
  }

  size_t DbSize(int db = 0) { return engine_->keyspace().db(db).size(); }
};

TEST_F(KeysFamilyTest, DelUnlinkExistsTouch) {
  EXPECT_EQ(Run("MSET a 1 b 2 c 3"), "+OK\r\n");
  EXPECT_EQ(Run("EXISTS a a nokey"), ":2\r\n");
  EXPECT_EQ(Run("TOUCH a a nokey"), ":2\r\n");
  EXPECT_EQ(Run("DEL a b nokey"), ":2\r\n");
  EXPECT_EQ(Run("EXISTS a b c"), ":1\r\n");
  EXPECT_EQ(Run("UNLINK c"), ":1\r\n");
  EXPECT_EQ(Run("UNLINK c"), ":0\r\n");
  EXPECT_EQ(Run("DEL"), "-ERR wrong number of arguments for 'del' command\r\n");
  EXPECT_EQ(Run("EXISTS"), "-ERR wrong number of arguments for 'exists' command\r\n");
  EXPECT_EQ(Run("TOUCH"), "-ERR wrong number of arguments for 'touch' command\r\n");
}

TEST_F(KeysFamilyTest, DelOfAnExpiredKeyCountsNothing) {
  EXPECT_EQ(Run("SET k v PX 100"), "+OK\r\n");
  clock_.AdvanceMs(101);
  EXPECT_EQ(Run("DEL k"), ":0\r\n");
  EXPECT_EQ(DbSize(), 0u);
}

TEST_F(KeysFamilyTest, TypeIsAStatusReply) {
  EXPECT_EQ(Run("SET s v"), "+OK\r\n");
  PutList("l");
  EXPECT_EQ(Run("TYPE s"), "+string\r\n");
  EXPECT_EQ(Run("TYPE l"), "+list\r\n");
  EXPECT_EQ(Run("TYPE nokey"), "+none\r\n");
  Resp3();
  EXPECT_EQ(Run("TYPE s"), "+string\r\n");
  EXPECT_EQ(Run("TYPE"), "-ERR wrong number of arguments for 'type' command\r\n");
}

TEST_F(KeysFamilyTest, KeysMatchesGlobsAndSkipsExpiredKeys) {
  EXPECT_EQ(Run("MSET hello 1 hallo 2 hxllo 3 world 4"), "+OK\r\n");
  std::string reply = Run("KEYS h[ae]llo");
  EXPECT_TRUE(reply == "*2\r\n$5\r\nhello\r\n$5\r\nhallo\r\n" ||
              reply == "*2\r\n$5\r\nhallo\r\n$5\r\nhello\r\n")
      << reply;
  EXPECT_EQ(Run("KEYS w*"), "*1\r\n$5\r\nworld\r\n");
  EXPECT_EQ(Run("KEYS nothing*"), "*0\r\n");
  EXPECT_EQ(Run("KEYS ["), "*0\r\n");
  EXPECT_EQ(Run("PEXPIRE world 10"), ":1\r\n");
  clock_.AdvanceMs(11);
  EXPECT_EQ(Run("KEYS w*"), "*0\r\n");
  EXPECT_EQ(Run("KEYS"), "-ERR wrong number of arguments for 'keys' command\r\n");
  EXPECT_EQ(Run("DEL hello hallo hxllo"), ":3\r\n");
  // KEYS * lists an empty key name even though the pattern matcher alone would not.
  EXPECT_EQ(Run("SET \"\" v"), "+OK\r\n");
  EXPECT_EQ(Run("KEYS *"), "*1\r\n$0\r\n\r\n");
  EXPECT_EQ(Run("KEYS **"), "*0\r\n");
}

TEST_F(KeysFamilyTest, ScanArgumentErrors) {
  EXPECT_EQ(Run("SCAN abc"), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run("SCAN 18446744073709551616"), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run("SCAN \" 1\""), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run("SCAN 0x1"), "-ERR invalid cursor\r\n");
  EXPECT_EQ(Run("SCAN 0 COUNT 0"), kSyntax);
  EXPECT_EQ(Run("SCAN 0 COUNT -1"), kSyntax);
  EXPECT_EQ(Run("SCAN 0 COUNT abc"), kNotInteger);
  EXPECT_EQ(Run("SCAN 0 MATCH"), kSyntax);
  EXPECT_EQ(Run("SCAN 0 foo bar"), kSyntax);
  EXPECT_EQ(Run("SCAN"), "-ERR wrong number of arguments for 'scan' command\r\n");
}

// redis-server 7.0.15 parses the cursor as a C string: a NUL byte ends it.
TEST_F(KeysFamilyTest, ScanCursorEndsAtANulByte) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(RunArgs({"SCAN", std::string("0\0x", 3)}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n");
  EXPECT_EQ(RunArgs({"SCAN", std::string("\0", 1)}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n");
  EXPECT_EQ(RunArgs({"SCAN", std::string("0x\0", 3)}), "-ERR invalid cursor\r\n");
}

TEST_F(KeysFamilyTest, ScanReturnsABulkCursorAndFilters) {
  EXPECT_EQ(Run("SCAN 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(Run("MSET a 1 b 2 c 3"), "+OK\r\n");
  PutList("l");
  std::vector<std::string> keys;
  EXPECT_EQ(ScanOnce("SCAN 0 COUNT 100", &keys), "0");
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "l"}));
  EXPECT_EQ(Run("SCAN 0 MATCH a* COUNT 10 TYPE string"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("SCAN 0 TYPE LIST"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nl\r\n");
  EXPECT_EQ(Run("SCAN 0 TYPE foo"), "*2\r\n$1\r\n0\r\n*0\r\n");
  // The last MATCH wins; cursors are parsed like strtoul ("", "+0", "-1" are valid).
  EXPECT_EQ(Run("SCAN \"\" MATCH x COUNT 100 MATCH b"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("SCAN +0 MATCH c"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nc\r\n");
  keys.clear();
  ScanOnce("SCAN -1", &keys);  // the last bucket: some keys, then done
  Resp3();
  EXPECT_EQ(Run("SCAN 0 MATCH b"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n");
}

TEST_F(KeysFamilyTest, ScanDropsExpiredKeysItMeets) {
  EXPECT_EQ(Run("MSET a 1 b 2"), "+OK\r\n");
  EXPECT_EQ(Run("PEXPIRE a 10"), ":1\r\n");
  clock_.AdvanceMs(11);
  EXPECT_EQ(Run("SCAN 0"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n");
  EXPECT_EQ(DbSize(), 1u);
}

TEST_F(KeysFamilyTest, FullScanSeesEveryOriginalKeyWhileTheKeyspaceGrows) {
  std::set<std::string> originals;
  for (int i = 0; i < 1000; ++i) {
    std::string key = "orig:" + std::to_string(i);
    EXPECT_EQ(RunArgs({"SET", key, "v"}), "+OK\r\n");
    originals.insert(key);
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int added = 0, calls = 0;
  do {
    std::vector<std::string> keys;
    cursor = ScanOnce("SCAN " + cursor + " COUNT 10", &keys);
    seen.insert(keys.begin(), keys.end());
    // Grow between calls: 40 new keys each time, so the table doubles several times mid-scan.
    for (int i = 0; i < 40; ++i) RunArgs({"SET", "new:" + std::to_string(added++), "v"});
    ASSERT_LT(++calls, 100000);
  } while (cursor != "0");
  EXPECT_GT(DbSize(), 4000u);
  for (const std::string& key : originals) EXPECT_TRUE(seen.count(key)) << key;
}

TEST_F(KeysFamilyTest, FullScanSeesEveryOriginalKeyWhileTheKeyspaceShrinks) {
  std::set<std::string> kept;
  for (int i = 0; i < 4000; ++i) {
    std::string key = (i % 8 == 0 ? "keep:" : "drop:") + std::to_string(i);
    RunArgs({"SET", key, "v"});
    if (i % 8 == 0) kept.insert(key);
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int next_drop = 1;
  do {
    std::vector<std::string> keys;
    cursor = ScanOnce("SCAN " + cursor + " COUNT 20", &keys);
    seen.insert(keys.begin(), keys.end());
    // Shrink between calls: delete 200 of the other keys, so the table halves mid-scan.
    for (int n = 0; n < 200 && next_drop < 4000; ++next_drop) {
      if (next_drop % 8 == 0) continue;
      RunArgs({"DEL", "drop:" + std::to_string(next_drop)});
      ++n;
    }
  } while (cursor != "0");
  EXPECT_EQ(DbSize(), kept.size());
  for (const std::string& key : kept) EXPECT_TRUE(seen.count(key)) << key;
}

TEST_F(KeysFamilyTest, Randomkey) {
  EXPECT_EQ(Run("RANDOMKEY"), kNull);
  EXPECT_EQ(Run("SET only v"), "+OK\r\n");
  EXPECT_EQ(Run("RANDOMKEY"), "$4\r\nonly\r\n");
  EXPECT_EQ(Run("RANDOMKEY x"), "-ERR wrong number of arguments for 'randomkey' command\r\n");
  Resp3();
  EXPECT_EQ(Run("DEL only"), ":1\r\n");
  EXPECT_EQ(Run("RANDOMKEY"), "_\r\n");
}

TEST_F(KeysFamilyTest, RandomkeyNeverAnswersAnExpiredKey) {
  for (int i = 0; i < 200; ++i) RunArgs({"SET", "gone:" + std::to_string(i), "v", "PX", "10"});
  EXPECT_EQ(Run("SET live v"), "+OK\r\n");
  clock_.AdvanceMs(11);
  EXPECT_EQ(Run("RANDOMKEY"), "$4\r\nlive\r\n");
  EXPECT_EQ(Run("DEL live"), ":1\r\n");
  for (int i = 0; i < 50; ++i) RunArgs({"SET", "gone2:" + std::to_string(i), "v", "PX", "10"});
  clock_.AdvanceMs(11);
  EXPECT_EQ(Run("RANDOMKEY"), kNull);
  EXPECT_EQ(DbSize(), 0u);
}

TEST_F(KeysFamilyTest, RenameAndRenamenx) {
  EXPECT_EQ(Run("RENAME nokey x"), "-ERR no such key\r\n");
  EXPECT_EQ(Run("RENAMENX nokey x"), "-ERR no such key\r\n");
  EXPECT_EQ(Run("SET h v EX 100"), "+OK\r\n");
  EXPECT_EQ(Run("RENAME h h"), "+OK\r\n");
  EXPECT_EQ(Run("RENAMENX h h"), ":0\r\n");
  EXPECT_EQ(Run("RENAME h h2"), "+OK\r\n");
  EXPECT_EQ(Run("EXISTS h"), ":0\r\n");
  EXPECT_EQ(Run("TTL h2"), ":100\r\n");  // the expiry moves with the key
  PutList("l");
  EXPECT_EQ(Run("RENAMENX h2 l"), ":0\r\n");
  EXPECT_EQ(Run("RENAMENX h2 h3"), ":1\r\n");
  EXPECT_EQ(Run("GET h3"), "$1\r\nv\r\n");
  // RENAME replaces the destination, its type and its expiry.
  EXPECT_EQ(Run("SET plain w"), "+OK\r\n");
  EXPECT_EQ(Run("RENAME plain h3"), "+OK\r\n");
  EXPECT_EQ(Run("TTL h3"), ":-1\r\n");
  EXPECT_EQ(Run("RENAME h3 l"), "+OK\r\n");
  EXPECT_EQ(Run("TYPE l"), "+string\r\n");
  EXPECT_EQ(Run("RENAME a"), "-ERR wrong number of arguments for 'rename' command\r\n");
}

TEST_F(KeysFamilyTest, RenameOfAnExpiredKeyIsNoSuchKey) {
  EXPECT_EQ(Run("SET k v PX 5"), "+OK\r\n");
  clock_.AdvanceMs(6);
  EXPECT_EQ(Run("RENAME k k2"), "-ERR no such key\r\n");
}

TEST_F(KeysFamilyTest, Copy) {
  EXPECT_EQ(Run("SET h3 v PX 100000"), "+OK\r\n");
  PutList("l");
  EXPECT_EQ(Run("COPY h3 h3"), "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(Run("COPY nokey x"), ":0\r\n");
  EXPECT_EQ(Run("COPY h3 l"), ":0\r\n");
  EXPECT_EQ(Run("COPY h3 l REPLACE"), ":1\r\n");
  EXPECT_EQ(Run("GET l"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("PTTL l"), ":100000\r\n");  // the copy keeps the deadline
  EXPECT_EQ(Run("COPY h3 x DB 16"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("COPY h3 x DB -1"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("COPY h3 x DB abc"), kNotInteger);
  EXPECT_EQ(Run("COPY h3 x DB 2147483648"),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  EXPECT_EQ(Run("COPY h3 x foo"), kSyntax);
  EXPECT_EQ(Run("COPY h3 x DB"), kSyntax);
  EXPECT_EQ(Run("COPY h3 x DB 1 DB 2"), ":1\r\n");
  EXPECT_EQ(Run("COPY h3 x REPLACE REPLACE"), ":1\r\n");
  EXPECT_EQ(Run("COPY h3 h3 DB 1"), ":1\r\n");
  EXPECT_EQ(Run("SELECT 2"), "+OK\r\n");
  EXPECT_EQ(Run("GET x"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("EXISTS h3"), ":0\r\n");
  EXPECT_EQ(Run("SELECT 1"), "+OK\r\n");
  EXPECT_EQ(Run("GET h3"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("COPY"), "-ERR wrong number of arguments for 'copy' command\r\n");
}

TEST_F(KeysFamilyTest, CopyIsDeepForContainers) {
  PutList("l");
  EXPECT_EQ(Run("COPY l l2"), ":1\r\n");
  Database& db = engine_->keyspace().db(0);
  bool wrong_type = false;
  db.FindAs<List>("l2", &wrong_type)->PushBack("y");
  EXPECT_EQ(db.FindAs<List>("l", &wrong_type)->size(), 1u);
  EXPECT_EQ(db.FindAs<List>("l2", &wrong_type)->size(), 2u);
}

class RecordingKeyspaceObserver : public KeyspaceObserver {
 public:
  void OnKeyModified(int db, std::string_view key) override {
    modified.emplace_back(db, std::string(key));
  }
  void OnDatabaseModified(int) override {}
  void OnKeyReady(int db, std::string_view key) override {
    ready.emplace_back(db, std::string(key));
  }
  std::vector<std::pair<int, std::string>> modified, ready;
};

TEST_F(KeysFamilyTest, MoveKeepsTheExpiryAndSignalsTheTargetDatabase) {
  RecordingKeyspaceObserver observer;
  engine_->keyspace().set_observer(&observer);
  EXPECT_EQ(Run("SET k v PX 100000"), "+OK\r\n");
  EXPECT_EQ(Run("MOVE k 0"), "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(Run("MOVE k 16"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("MOVE k -1"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("MOVE k abc"), kNotInteger);
  EXPECT_EQ(Run("MOVE k 99999999999"),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  EXPECT_EQ(Run("MOVE nokey 1"), ":0\r\n");
  observer.modified.clear();
  observer.ready.clear();
  EXPECT_EQ(Run("MOVE k 1"), ":1\r\n");
  auto has = [](const auto& events, int db, const std::string& key) {
    return std::find(events.begin(), events.end(), std::make_pair(db, key)) != events.end();
  };
  EXPECT_TRUE(has(observer.modified, 0, "k"));
  EXPECT_TRUE(has(observer.modified, 1, "k"));
  EXPECT_TRUE(has(observer.ready, 1, "k"));
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run("SET k other"), "+OK\r\n");
  EXPECT_EQ(Run("MOVE k 1"), ":0\r\n");  // the target already has it
  EXPECT_EQ(Run("SELECT 1"), "+OK\r\n");
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("PTTL k"), ":100000\r\n");
  engine_->keyspace().set_observer(nullptr);
}

TEST_F(KeysFamilyTest, CopyToAnotherDatabaseSignalsIt) {
  RecordingKeyspaceObserver observer;
  engine_->keyspace().set_observer(&observer);
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  observer.ready.clear();
  EXPECT_EQ(Run("COPY k k2 DB 3"), ":1\r\n");
  EXPECT_NE(
      std::find(observer.ready.begin(), observer.ready.end(), std::make_pair(3, std::string("k2"))),
      observer.ready.end());
  engine_->keyspace().set_observer(nullptr);
}

TEST_F(KeysFamilyTest, ExpireOptionErrors) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  const char kNx[] = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
  EXPECT_EQ(Run("EXPIRE k 100 NX XX"), kNx);
  EXPECT_EQ(Run("EXPIRE k 100 NX GT"), kNx);
  EXPECT_EQ(Run("EXPIRE k 100 NX LT"), kNx);
  EXPECT_EQ(Run("EXPIRE k 100 GT LT"),
            "-ERR GT and LT options at the same time are not compatible\r\n");
  EXPECT_EQ(Run("EXPIRE k 100 foo"), "-ERR Unsupported option foo\r\n");
  // Options are checked first, all of them, before the time.
  EXPECT_EQ(Run("EXPIRE k 100 NX XX foo"), "-ERR Unsupported option foo\r\n");
  EXPECT_EQ(Run("EXPIRE k abc foo"), "-ERR Unsupported option foo\r\n");
  EXPECT_EQ(Run("EXPIRE k abc NX XX"), kNx);
  EXPECT_EQ(Run("EXPIRE nokey 100 NX XX"), kNx);
  EXPECT_EQ(RunArgs({"EXPIRE", "k", "1", std::string("a\0b", 3)}), "-ERR Unsupported option a\r\n");
  EXPECT_EQ(Run("EXPIRE k abc"), kNotInteger);
  EXPECT_EQ(Run("EXPIRE k 1.5"), kNotInteger);
  EXPECT_EQ(Run("EXPIRE nokey abc"), kNotInteger);
  EXPECT_EQ(Run("EXPIRE k"), "-ERR wrong number of arguments for 'expire' command\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
}

TEST_F(KeysFamilyTest, ExpireTimesThatOverflowAreInvalid) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  for (const char* line :
       {"EXPIRE k 9223372036854775807", "EXPIRE k 9223372036854775", "EXPIRE k 9223372036854774",
        "EXPIRE k -9223372036854775808", "EXPIRE k -9223372036854776"}) {
    EXPECT_EQ(Run(line), "-ERR invalid expire time in 'expire' command\r\n") << line;
  }
  EXPECT_EQ(Run("PEXPIRE k 9223372036854775807"),
            "-ERR invalid expire time in 'pexpire' command\r\n");
  EXPECT_EQ(Run("PEXPIRE k 9223372036854775000"),
            "-ERR invalid expire time in 'pexpire' command\r\n");
  EXPECT_EQ(Run("EXPIREAT k 9223372036854775807"),
            "-ERR invalid expire time in 'expireat' command\r\n");
  EXPECT_EQ(Run("EXISTS k"), ":1\r\n");
  EXPECT_EQ(Run("EXPIREAT k 9223372036854775"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRETIME k"), ":9223372036854775\r\n");
  EXPECT_EQ(Run("PEXPIREAT k 9223372036854775807"), ":1\r\n");
  EXPECT_EQ(Run("PEXPIRETIME k"), ":9223372036854775807\r\n");
  // Seconds round half up without overflowing.
  EXPECT_EQ(Run("EXPIRETIME k"), ":9223372036854776\r\n");
  EXPECT_EQ(Run("PEXPIREAT k 9223372036854775300"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRETIME k"), ":9223372036854775\r\n");
}

TEST_F(KeysFamilyTest, ExpireConditions) {
  EXPECT_EQ(Run("EXPIRE nokey 100"), ":0\r\n");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("EXPIRE k 100 XX"), ":0\r\n");  // no expiry yet
  EXPECT_EQ(Run("EXPIRE k 100 GT"), ":0\r\n");  // no expiry counts as infinite
  EXPECT_EQ(Run("EXPIRE k 100 nx NX"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRE k 100 NX"), ":0\r\n");
  EXPECT_EQ(Run("EXPIRE k 200 GT"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRE k 50 GT"), ":0\r\n");
  EXPECT_EQ(Run("EXPIRE k 200 LT"), ":0\r\n");
  EXPECT_EQ(Run("EXPIRE k 50 LT"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRE k 60 XX GT"), ":1\r\n");
  EXPECT_EQ(Run("TTL k"), ":60\r\n");
  EXPECT_EQ(Run("PERSIST k"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRE k 100 LT"), ":1\r\n");  // no expiry: LT applies
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
  EXPECT_EQ(Run("PERSIST k"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRE k 0 GT"), ":0\r\n");
  EXPECT_EQ(Run("EXPIRE k 0 LT"), ":1\r\n");
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
}

TEST_F(KeysFamilyTest, ExpireInThePastDeletesTheKey) {
  for (const char* line : {"EXPIRE k 0", "EXPIRE k -100", "EXPIREAT k 1", "PEXPIRE k 0",
                           "PEXPIRE k -9223372036854775808", "EXPIRE k -9223372036854775",
                           "PEXPIREAT k 1700000000000"}) {
    EXPECT_EQ(Run("SET k v"), "+OK\r\n");
    EXPECT_EQ(Run(line), ":1\r\n") << line;
    EXPECT_EQ(DbSize(), 0u) << line;  // gone at once, not left for lazy expiry
    EXPECT_EQ(Run("TTL k"), ":-2\r\n") << line;
  }
}

TEST_F(KeysFamilyTest, TtlCountsDownWithTheClock) {
  EXPECT_EQ(Run("TTL nokey"), ":-2\r\n");
  EXPECT_EQ(Run("PTTL nokey"), ":-2\r\n");
  EXPECT_EQ(Run("EXPIRETIME nokey"), ":-2\r\n");
  EXPECT_EQ(Run("PEXPIRETIME nokey"), ":-2\r\n");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
  EXPECT_EQ(Run("PTTL k"), ":-1\r\n");
  EXPECT_EQ(Run("EXPIRETIME k"), ":-1\r\n");
  EXPECT_EQ(Run("PEXPIRETIME k"), ":-1\r\n");
  EXPECT_EQ(Run("EXPIRE k 10"), ":1\r\n");
  EXPECT_EQ(Run("EXPIRETIME k"), ":1700000010\r\n");
  EXPECT_EQ(Run("PEXPIRETIME k"), ":1700000010000\r\n");
  clock_.AdvanceMs(2'400);
  EXPECT_EQ(Run("PTTL k"), ":7600\r\n");
  EXPECT_EQ(Run("TTL k"), ":8\r\n");  // 7.6 s rounds to 8, as in Redis
  clock_.AdvanceMs(100);
  EXPECT_EQ(Run("TTL k"), ":8\r\n");  // 7.5 s rounds up
  clock_.AdvanceMs(1);
  EXPECT_EQ(Run("TTL k"), ":7\r\n");
  clock_.AdvanceMs(7'499);
  EXPECT_EQ(Run("PTTL k"), ":0\r\n");  // the deadline millisecond itself
  EXPECT_EQ(Run("TTL k"), ":0\r\n");
  EXPECT_EQ(Run("EXISTS k"), ":1\r\n");
  clock_.AdvanceMs(1);
  EXPECT_EQ(Run("TTL k"), ":-2\r\n");
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
}

TEST_F(KeysFamilyTest, PexpireAndPexpireatUseMilliseconds) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("PEXPIRE k 1500"), ":1\r\n");
  EXPECT_EQ(Run("PTTL k"), ":1500\r\n");
  EXPECT_EQ(Run("TTL k"), ":2\r\n");
  EXPECT_EQ(Run("PEXPIREAT k 1700000000499"), ":1\r\n");
  EXPECT_EQ(Run("TTL k"), ":0\r\n");
  EXPECT_EQ(Run("EXPIREAT k 1700000100"), ":1\r\n");
  EXPECT_EQ(Run("TTL k"), ":100\r\n");
}

TEST_F(KeysFamilyTest, PersistRemovesTheExpiry) {
  EXPECT_EQ(Run("PERSIST nokey"), ":0\r\n");
  EXPECT_EQ(Run("SET k v EX 10"), "+OK\r\n");
  EXPECT_EQ(Run("PERSIST k"), ":1\r\n");
  EXPECT_EQ(Run("PERSIST k"), ":0\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
  clock_.AdvanceMs(60'000);
  engine_->Cron();
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
}

TEST_F(KeysFamilyTest, ActiveExpiryRemovesDueKeysWithoutALookup) {
  for (int i = 0; i < 1000; ++i) RunArgs({"SET", "t:" + std::to_string(i), "v", "PX", "100"});
  for (int i = 0; i < 10; ++i) RunArgs({"SET", "later:" + std::to_string(i), "v", "PX", "500"});
  EXPECT_EQ(Run("SET forever v"), "+OK\r\n");
  engine_->Cron();
  EXPECT_EQ(DbSize(), 1011u);
  clock_.AdvanceMs(100);
  engine_->Cron();
  EXPECT_EQ(DbSize(), 1011u);  // due, but not past due
  clock_.AdvanceMs(1);
  // Cron works within a small time budget per call; a few calls finish any backlog.
  for (int i = 0; i < 20 && DbSize() > 11; ++i) engine_->Cron();
  EXPECT_EQ(DbSize(), 11u);
  clock_.AdvanceMs(1000);
  engine_->Cron();
  EXPECT_EQ(DbSize(), 1u);
  EXPECT_EQ(engine_->keyspace().db(0).expires_count(), 0u);
}

TEST_F(KeysFamilyTest, ObjectIdletimeFollowsAccessesButNotIntrospection) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT IDLETIME k"), ":0\r\n");
  clock_.AdvanceMs(5'000);
  // TYPE, EXISTS, TTL and OBJECT look without touching (Redis's LOOKUP_NOTOUCH).
  EXPECT_EQ(Run("TYPE k"), "+string\r\n");
  EXPECT_EQ(Run("EXISTS k"), ":1\r\n");
  EXPECT_EQ(Run("TTL k"), ":-1\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING k"), "$6\r\nembstr\r\n");
  EXPECT_EQ(Run("OBJECT IDLETIME k"), ":5\r\n");
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("OBJECT IDLETIME k"), ":0\r\n");
  clock_.AdvanceMs(3'000);
  EXPECT_EQ(Run("TOUCH k"), ":1\r\n");
  EXPECT_EQ(Run("OBJECT IDLETIME k"), ":0\r\n");
  // A NO-TOUCH client's reads leave the access time alone; its TOUCH still touches.
  client_->no_touch = true;
  clock_.AdvanceMs(4'000);
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("OBJECT IDLETIME k"), ":4\r\n");
  EXPECT_EQ(Run("TOUCH k"), ":1\r\n");
  EXPECT_EQ(Run("OBJECT IDLETIME k"), ":0\r\n");
  client_->no_touch = false;
  clock_.AdvanceMs(2'000);
  EXPECT_EQ(Run("SET k w"), "+OK\r\n");  // a write makes a new value: idle 0
  EXPECT_EQ(Run("OBJECT IDLETIME k"), ":0\r\n");
}

TEST_F(KeysFamilyTest, ObjectContainer) {
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  PutList("l");
  EXPECT_EQ(Run("OBJECT ENCODING nokey"), kNull);
  EXPECT_EQ(Run("OBJECT IDLETIME nokey"), kNull);
  EXPECT_EQ(Run("OBJECT REFCOUNT nokey"), kNull);
  EXPECT_EQ(Run("OBJECT FREQ nokey"), kNull);
  EXPECT_EQ(Run("OBJECT REFCOUNT l"), ":1\r\n");
  EXPECT_EQ(Run("object encoding k"), "$6\r\nembstr\r\n");
  EXPECT_EQ(Run("OBJECT FREQ k"),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take some "
            "time to adjust.\r\n");
  EXPECT_EQ(Run("OBJECT foo k"), "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING"),
            "-ERR wrong number of arguments for 'object|encoding' command\r\n");
  EXPECT_EQ(Run("OBJECT ENCODING k extra"),
            "-ERR wrong number of arguments for 'object|encoding' command\r\n");
  EXPECT_EQ(Run("OBJECT HELP x"), "-ERR wrong number of arguments for 'object|help' command\r\n");
  EXPECT_EQ(Run("OBJECT"), "-ERR wrong number of arguments for 'object' command\r\n");
  EXPECT_EQ(Run("OBJECT HELP"),
            "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+ENCODING <key>\r\n"
            "+    Return the kind of internal representation used in order to store the value\r\n"
            "+    associated with a <key>.\r\n"
            "+FREQ <key>\r\n"
            "+    Return the access frequency index of the <key>. The returned integer is\r\n"
            "+    proportional to the logarithm of the recent access frequency of the key.\r\n"
            "+IDLETIME <key>\r\n"
            "+    Return the idle time of the <key>, that is the approximated number of\r\n"
            "+    seconds elapsed since the last access to the key.\r\n"
            "+REFCOUNT <key>\r\n"
            "+    Return the number of references of the value associated with the specified\r\n"
            "+    <key>.\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
  Resp3();
  EXPECT_EQ(Run("OBJECT ENCODING nokey"), "_\r\n");
}

TEST_F(KeysFamilyTest, WritesCountAsDirtyOnlyWhenTheyChangeSomething) {
  const uint64_t start = engine_->stats().dirty;
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("EXPIRE nokey 10"), ":0\r\n");
  EXPECT_EQ(Run("EXPIRE k 10 XX"), ":0\r\n");
  EXPECT_EQ(Run("PERSIST k"), ":0\r\n");
  EXPECT_EQ(Run("DEL nokey"), ":0\r\n");
  EXPECT_EQ(Run("RENAME k k"), "+OK\r\n");
  EXPECT_EQ(engine_->stats().dirty, start + 1);
  EXPECT_EQ(Run("MSET a 1 b 2"), "+OK\r\n");
  EXPECT_EQ(Run("DEL a b k"), ":3\r\n");
  EXPECT_EQ(engine_->stats().dirty, start + 6);
}

// Arity, flags and key positions of every row, as redis-server 7.0.15's COMMAND INFO reports
// them (flags in COMMAND INFO's order).
struct Row {
  const char* name;
  int arity;
  std::vector<std::string_view> flags;
  int first, last, step;
};

TEST_F(KeysFamilyTest, CommandTableMatchesRedisCommandInfo) {
  const std::vector<Row> rows = {
      {"del", -2, {"write"}, 1, -1, 1},
      {"unlink", -2, {"write", "fast"}, 1, -1, 1},
      {"exists", -2, {"readonly", "fast"}, 1, -1, 1},
      {"type", 2, {"readonly", "fast"}, 1, 1, 1},
      {"keys", 2, {"readonly"}, 0, 0, 0},
      {"scan", -2, {"readonly"}, 0, 0, 0},
      {"rename", 3, {"write"}, 1, 2, 1},
      {"renamenx", 3, {"write", "fast"}, 1, 2, 1},
      {"copy", -3, {"write", "denyoom"}, 1, 2, 1},
      {"move", 3, {"write", "fast"}, 1, 1, 1},
      {"expire", -3, {"write", "fast"}, 1, 1, 1},
      {"pexpire", -3, {"write", "fast"}, 1, 1, 1},
      {"expireat", -3, {"write", "fast"}, 1, 1, 1},
      {"pexpireat", -3, {"write", "fast"}, 1, 1, 1},
      {"ttl", 2, {"readonly", "fast"}, 1, 1, 1},
      {"pttl", 2, {"readonly", "fast"}, 1, 1, 1},
      {"expiretime", 2, {"readonly", "fast"}, 1, 1, 1},
      {"pexpiretime", 2, {"readonly", "fast"}, 1, 1, 1},
      {"persist", 2, {"write", "fast"}, 1, 1, 1},
      {"randomkey", 1, {"readonly"}, 0, 0, 0},
      {"touch", -2, {"readonly", "fast"}, 1, -1, 1},
      {"object", -2, {}, 0, 0, 0},
      {"object|encoding", 3, {"readonly"}, 2, 2, 1},
      {"object|freq", 3, {"readonly"}, 2, 2, 1},
      {"object|help", 2, {"loading", "stale"}, 0, 0, 0},
      {"object|idletime", 3, {"readonly"}, 2, 2, 1},
      {"object|refcount", 3, {"readonly"}, 2, 2, 1},
      {"memory", -2, {}, 0, 0, 0},
      {"memory|usage", -3, {"readonly"}, 2, 2, 1},
      {"memory|help", 2, {"loading", "stale"}, 0, 0, 0},
      {"memory|malloc-stats", 2, {}, 0, 0, 0},
      {"memory|purge", 2, {}, 0, 0, 0},
      {"get", 2, {"readonly", "fast"}, 1, 1, 1},
      {"set", -3, {"write", "denyoom"}, 1, 1, 1},
      {"setex", 4, {"write", "denyoom"}, 1, 1, 1},
      {"psetex", 4, {"write", "denyoom"}, 1, 1, 1},
      {"setnx", 3, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"getex", -2, {"write", "fast"}, 1, 1, 1},
      {"getdel", 2, {"write", "fast"}, 1, 1, 1},
      {"getset", 3, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"mget", -2, {"readonly", "fast"}, 1, -1, 1},
      {"mset", -3, {"write", "denyoom"}, 1, -1, 2},
      {"msetnx", -3, {"write", "denyoom"}, 1, -1, 2},
      {"incr", 2, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"incrby", 3, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"decr", 2, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"decrby", 3, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"incrbyfloat", 3, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"append", 3, {"write", "denyoom", "fast"}, 1, 1, 1},
      {"strlen", 2, {"readonly", "fast"}, 1, 1, 1},
      {"getrange", 4, {"readonly"}, 1, 1, 1},
      {"setrange", 4, {"write", "denyoom"}, 1, 1, 1},
      {"substr", 4, {"readonly"}, 1, 1, 1},
  };
  const CommandTable& table = engine_->commands();
  for (const Row& row : rows) {
    std::string_view name = row.name;
    const CommandSpec* spec = nullptr;
    if (size_t bar = name.find('|'); bar != std::string_view::npos) {
      const CommandSpec* parent = table.Find(name.substr(0, bar));
      ASSERT_NE(parent, nullptr) << name;
      spec = table.FindSubcommand(*parent, name.substr(bar + 1));
    } else {
      spec = table.Find(name);
    }
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(spec->full_name, name);
    EXPECT_EQ(spec->arity, row.arity) << name;
    EXPECT_EQ(CommandFlagNames(spec->flags), row.flags) << name;
    EXPECT_EQ(spec->first_key, row.first) << name;
    EXPECT_EQ(spec->last_key, row.last) << name;
    EXPECT_EQ(spec->key_step, row.step) << name;
  }
}

TEST_F(KeysFamilyTest, RandomkeyIsUniform) {
  engine_->keyspace().rng().seed(2026);
  for (int i = 0; i < 10; ++i) RunArgs({"SET", "key:" + std::to_string(i), "v"});
  std::map<std::string, int> counts;
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) {
    const std::string reply = Run("RANDOMKEY");  // $5\r\nkey:N\r\n
    ++counts[reply.substr(4, reply.size() - 6)];
  }
  ASSERT_EQ(counts.size(), 10u);
  double chi2 = 0;
  for (const auto& [key, count] : counts) chi2 += (count - 2000.0) * (count - 2000.0) / 2000.0;
  // The 99.9th percentile of chi-squared with 9 degrees of freedom; the seed is fixed, so this is
  // deterministic. A bucket-then-chain pick scores 70 and more.
  EXPECT_LT(chi2, 27.88);
}

}  // namespace
}  // namespace drayman::testing
