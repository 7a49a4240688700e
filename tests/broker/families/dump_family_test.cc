// DUMP, RESTORE and SAVE through the engine. Expected payload bytes and error texts are
// redis-server 7.0.15's.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "broker/persistence/rdb_file.h"
#include "tests/broker/engine_fixture.h"
#include "tests/broker/memory_files.h"

namespace drayman::testing {
namespace {

std::string BulkReply(std::string_view payload) {
  return "$" + std::to_string(payload.size()) + "\r\n" + std::string(payload) + "\r\n";
}

class DumpFamilyTest : public EngineTest {};

TEST_F(DumpFamilyTest, DumpOfAStringIsRedisBytes) {
  EXPECT_EQ(Run("DUMP missing"), "$-1\r\n");
  Run("SET s hello");
  // redis-server 7.0.15: DUMP s after SET s hello.
  const std::string expected("\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0a", 17);
  EXPECT_EQ(Run("DUMP s"), BulkReply(expected));
}

TEST_F(DumpFamilyTest, RestoreRoundTripsEveryType) {
  Run("RPUSH l a b 1");
  Run("SADD s 1 2 -3");
  Run("HSET h f v");
  Run("ZADD z 1.5 a -inf b");
  Run("SET str 12345");
  for (std::string key : {"l", "s", "h", "z", "str"}) {
    std::string dump = Run("DUMP " + key);
    std::string payload = dump.substr(dump.find("\r\n") + 2);
    payload.resize(payload.size() - 2);
    EXPECT_EQ(RunArgs({"RESTORE", key + "2", "0", payload}), "+OK\r\n");
    EXPECT_EQ(Run("DUMP " + key + "2"), dump) << key;
    EXPECT_EQ(Run("OBJECT ENCODING " + key + "2"), Run("OBJECT ENCODING " + key));
  }
  // A hash-table set: same members (its iteration order, so its DUMP bytes, may differ).
  Run("SADD hs a b c");
  std::string dump = Run("DUMP hs");
  std::string payload = dump.substr(dump.find("\r\n") + 2);
  payload.resize(payload.size() - 2);
  EXPECT_EQ(RunArgs({"RESTORE", "hs2", "0", payload}), "+OK\r\n");
  EXPECT_EQ(Run("SINTERCARD 2 hs hs2"), ":3\r\n");
  EXPECT_EQ(Run("SCARD hs2"), ":3\r\n");
}

TEST_F(DumpFamilyTest, RestoreOptionsAndErrors) {
  Run("SET s v");
  std::string dump = Run("DUMP s");
  std::string payload = dump.substr(dump.find("\r\n") + 2, dump.size() - dump.find("\r\n") - 4);
  EXPECT_EQ(RunArgs({"RESTORE", "s", "0", payload}),
            "-BUSYKEY Target key name already exists.\r\n");
  EXPECT_EQ(RunArgs({"RESTORE", "t", "-1", payload}), "-ERR Invalid TTL value, must be >= 0\r\n");
  EXPECT_EQ(RunArgs({"RESTORE", "t", "x", payload}),
            "-ERR value is not an integer or out of range\r\n");
  std::string flipped = payload;
  flipped[2] ^= 1;
  EXPECT_EQ(RunArgs({"RESTORE", "t", "0", flipped}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  EXPECT_EQ(RunArgs({"RESTORE", "t", "0", payload, "IDLETIME", "-1"}),
            "-ERR Invalid IDLETIME value, must be >= 0\r\n");
  EXPECT_EQ(RunArgs({"RESTORE", "t", "0", payload, "FREQ", "256"}),
            "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
  EXPECT_EQ(RunArgs({"RESTORE", "t", "0", payload, "FREQ", "1", "IDLETIME", "1"}),
            "-ERR syntax error\r\n");
  // A well-checksummed payload whose body is garbage.
  std::string garbage = "\x63garbage";
  garbage += std::string("\x0a\x00", 2);
  std::string crc;
  rdb::AppendU64(rdb::Crc64(0, garbage.data(), garbage.size()), crc);
  EXPECT_EQ(RunArgs({"RESTORE", "t", "0", garbage + crc}), "-ERR Bad data format\r\n");

  EXPECT_EQ(RunArgs({"RESTORE", "s", "0", payload, "REPLACE", "IDLETIME", "100"}), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT IDLETIME s"), ":100\r\n");
  EXPECT_EQ(RunArgs({"RESTORE", "t", "5000", payload}), "+OK\r\n");
  EXPECT_EQ(Run("PTTL t"), ":5000\r\n");
  // An absolute deadline in the past deletes what REPLACE replaced and creates nothing.
  EXPECT_EQ(RunArgs({"RESTORE", "t", "1", payload, "REPLACE", "ABSTTL"}), "+OK\r\n");
  EXPECT_EQ(Run("EXISTS t"), ":0\r\n");
}

TEST_F(DumpFamilyTest, SaveWithoutFilesFailsAndIsCounted) {
  Run("SET k v");
  EXPECT_EQ(Run("SAVE"), "-ERR\r\n");
  std::string info = Run("INFO persistence");
  EXPECT_NE(info.find("rdb_saves:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("rdb_last_bgsave_status:err\r\n"), std::string::npos);
  EXPECT_NE(info.find("rdb_changes_since_last_save:1\r\n"), std::string::npos);
}

TEST_F(DumpFamilyTest, SaveThenLoadIntoAFreshEngine) {
  MemoryFiles files;
  engine_->rdb_files = &files;
  Run("SET k v");
  Run("SELECT 5");
  Run("RPUSH l a b");
  Run("PEXPIRE l 100000");
  clock_.AdvanceMs(5000);
  EXPECT_EQ(Run("SAVE"), "+OK\r\n");
  std::string info = Run("INFO persistence");
  EXPECT_NE(info.find("rdb_changes_since_last_save:0\r\n"), std::string::npos);
  EXPECT_NE(info.find("rdb_last_bgsave_status:ok\r\n"), std::string::npos);
  EXPECT_EQ(Run("LASTSAVE"), ":" + std::to_string(clock_.NowMs() / 1000) + "\r\n");
  ASSERT_EQ(files.files.size(), 1u);
  EXPECT_EQ(files.files.begin()->first, rdb::RdbFilePath(*engine_));

  Restart();
  engine_->rdb_files = &files;
  rdb::RdbLoadResult result = rdb::LoadRdbFile(*engine_);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.keys_loaded, 2u);
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  Run("SELECT 5");
  EXPECT_EQ(Run("LRANGE l 0 -1"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("PTTL l"), ":95000\r\n");  // the deadline stayed put while 5 s passed
  EXPECT_NE(Run("INFO persistence").find("rdb_last_load_keys_loaded:2\r\n"), std::string::npos);
}

}  // namespace
}  // namespace drayman::testing

namespace drayman::testing {
namespace {

TEST_F(DumpFamilyTest, RestoreFreqSetsTheLfuCounterUnderAnLfuPolicy) {
  Run("SET s v");
  std::string dump = Run("DUMP s");
  std::string payload = dump.substr(dump.find("\r\n") + 2);
  payload.resize(payload.size() - 2);
  EXPECT_EQ(Run("CONFIG SET maxmemory-policy allkeys-lfu"), "+OK\r\n");
  EXPECT_EQ(RunArgs({"RESTORE", "f", "0", payload, "FREQ", "100"}), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT FREQ f"), ":100\r\n");
  // IDLETIME is ignored under LFU: the counter starts at Redis's LFU_INIT_VAL.
  EXPECT_EQ(RunArgs({"RESTORE", "i", "0", payload, "IDLETIME", "50"}), "+OK\r\n");
  EXPECT_EQ(Run("OBJECT FREQ i"), ":5\r\n");
}

}  // namespace
}  // namespace drayman::testing
