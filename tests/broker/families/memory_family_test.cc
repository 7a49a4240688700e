// MEMORY through the engine: USAGE's options and errors, STATS' fields in Redis 7.0.15's order
// (with a db.N map per database holding keys), DOCTOR's texts, MALLOC-STATS for a build without
// jemalloc, PURGE and HELP. Figures are Drayman's own, so tests check shapes, orders and the
// relations between figures rather than values.
#include <string>
#include <vector>

#include "broker/resp/reply_builder.h"
#include "broker/stats/memory_overhead.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kNull = "$-1\r\n";
constexpr std::string_view kSyntax = "-ERR syntax error\r\n";
constexpr std::string_view kNotInteger = "-ERR value is not an integer or out of range\r\n";

using MemoryFamilyTest = EngineTest;

// The bulk-string keys of a RESP2 flat map reply at its top level, in order.
std::vector<std::string> TopLevelKeys(const std::string& reply) {
  std::vector<std::string> keys;
  size_t at = reply.find("\r\n") + 2;  // past the array header
  bool is_key = true;
  while (at < reply.size()) {
    const char type = reply[at];
    const size_t line_end = reply.find("\r\n", at);
    if (type == '$') {
      const size_t length = std::stoul(reply.substr(at + 1, line_end - at - 1));
      if (is_key) keys.push_back(reply.substr(line_end + 2, length));
      at = line_end + 2 + length + 2;
    } else if (type == '*') {  // a nested map (db.N): three integer pairs
      at = line_end + 2;
      for (int i = 0; i < 3; ++i) {
        const size_t key_line = reply.find("\r\n", at);
        const size_t length = std::stoul(reply.substr(at + 1, key_line - at - 1));
        at = key_line + 2 + length + 2;
        at = reply.find("\r\n", at) + 2;
      }
    } else {
      at = line_end + 2;
    }
    is_key = !is_key;
  }
  return keys;
}

TEST_F(MemoryFamilyTest, UsageOptionsAndErrors) {
  EXPECT_EQ(Run("MEMORY USAGE nokey"), kNull);
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("MEMORY USAGE k SAMPLES"), kSyntax);
  EXPECT_EQ(Run("MEMORY USAGE k SAMPLES -1"), kSyntax);
  EXPECT_EQ(Run("MEMORY USAGE k SAMPLES abc"), kNotInteger);
  EXPECT_EQ(Run("MEMORY USAGE k foo"), kSyntax);
  EXPECT_EQ(Run("MEMORY USAGE"), "-ERR wrong number of arguments for 'memory|usage' command\r\n");
  EXPECT_EQ(Run("MEMORY foo"), "-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n");
  EXPECT_EQ(Run("MEMORY"), "-ERR wrong number of arguments for 'memory' command\r\n");
  EXPECT_EQ(Run("MEMORY STATS x"), "-ERR wrong number of arguments for 'memory|stats' command\r\n");
  EXPECT_EQ(Run("MEMORY DOCTOR x"),
            "-ERR wrong number of arguments for 'memory|doctor' command\r\n");
  // Sizes are Drayman's own, so compare them with each other: a bigger value costs more.
  const std::string small = Run("MEMORY USAGE k");
  EXPECT_EQ(Run("MEMORY USAGE k SAMPLES 0"), small);
  EXPECT_EQ(Run("MEMORY USAGE k SAMPLES 5 SAMPLES 6"), small);
  EXPECT_EQ(Run("SET k " + std::string(1000, 'x')), "+OK\r\n");
  const std::string big = Run("MEMORY USAGE k");
  ASSERT_EQ(small[0], ':');
  ASSERT_EQ(big[0], ':');
  EXPECT_GE(std::stoll(big.substr(1)), std::stoll(small.substr(1)) + 1000);
}

TEST_F(MemoryFamilyTest, MallocStatsPurgeHelp) {
  EXPECT_EQ(Run("MEMORY MALLOC-STATS"), "$45\r\nStats not supported for the current allocator\r\n");
  EXPECT_EQ(Run("MEMORY PURGE"), "+OK\r\n");
  EXPECT_EQ(Run("MEMORY HELP"),
            "*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+DOCTOR\r\n"
            "+    Return memory problems reports.\r\n"
            "+MALLOC-STATS\r\n"
            "+    Return internal statistics report from the memory allocator.\r\n"
            "+PURGE\r\n"
            "+    Attempt to purge dirty pages for reclamation by the allocator.\r\n"
            "+STATS\r\n"
            "+    Return information about the memory usage of the server.\r\n"
            "+USAGE <key> [SAMPLES <count>]\r\n"
            "+    Return memory in bytes used by <key> and its value. Nested values are\r\n"
            "+    sampled up to <count> times (default: 5, 0 means sample all).\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
}

const std::vector<std::string> kHead = {
    "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
    "clients.slaves", "clients.normal",  "cluster.links",     "aof.buffer",
    "lua.caches",     "functions.caches"};
const std::vector<std::string> kTail = {"overhead.total",
                                        "keys.count",
                                        "keys.bytes-per-key",
                                        "dataset.bytes",
                                        "dataset.percentage",
                                        "peak.percentage",
                                        "allocator.allocated",
                                        "allocator.active",
                                        "allocator.resident",
                                        "allocator-fragmentation.ratio",
                                        "allocator-fragmentation.bytes",
                                        "allocator-rss.ratio",
                                        "allocator-rss.bytes",
                                        "rss-overhead.ratio",
                                        "rss-overhead.bytes",
                                        "fragmentation",
                                        "fragmentation.bytes"};

TEST_F(MemoryFamilyTest, StatsFieldsInRedisOrder) {
  std::string reply = Run("MEMORY STATS");
  EXPECT_TRUE(reply.starts_with("*54\r\n$14\r\npeak.allocated\r\n:")) << reply;
  std::vector<std::string> want = kHead;
  want.insert(want.end(), kTail.begin(), kTail.end());
  EXPECT_EQ(TopLevelKeys(reply), want);

  EXPECT_EQ(Run("SET a 1"), "+OK\r\n");
  EXPECT_EQ(Run("SELECT 3"), "+OK\r\n");
  EXPECT_EQ(Run("SET b 2 EX 100"), "+OK\r\n");
  reply = Run("MEMORY STATS");
  EXPECT_TRUE(reply.starts_with("*58\r\n")) << reply;
  want = kHead;
  want.push_back("db.0");
  want.push_back("db.3");
  want.insert(want.end(), kTail.begin(), kTail.end());
  EXPECT_EQ(TopLevelKeys(reply), want);
  EXPECT_NE(reply.find("$4\r\ndb.3\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:"),
            std::string::npos);
  EXPECT_NE(reply.find("$31\r\noverhead.hashtable.slot-to-keys\r\n:0\r\n"), std::string::npos);
  EXPECT_NE(reply.find("$10\r\nkeys.count\r\n:2\r\n"), std::string::npos);
  Resp3();
  reply = Run("MEMORY STATS");
  EXPECT_TRUE(reply.starts_with("%29\r\n$14\r\npeak.allocated\r\n:")) << reply;
  EXPECT_NE(reply.find("$4\r\ndb.3\r\n%3\r\n"), std::string::npos);
  EXPECT_NE(reply.find("$18\r\ndataset.percentage\r\n,"), std::string::npos);
}

TEST_F(MemoryFamilyTest, OverheadFiguresAddUp) {
  EXPECT_EQ(Run("SET a 1"), "+OK\r\n");
  EXPECT_EQ(Run("SET b 2 EX 100"), "+OK\r\n");
  const MemoryOverhead mh = MemoryOverhead::Collect(*engine_);
  ASSERT_EQ(mh.dbs.size(), 1u);
  EXPECT_EQ(mh.total_keys, 2u);
  EXPECT_GT(mh.dbs[0].overhead_ht_main, 0u);
  EXPECT_GT(mh.dbs[0].overhead_ht_expires, 0u);
  EXPECT_GT(mh.clients_normal, 0u);
  EXPECT_EQ(mh.overhead_total, mh.startup_allocated + mh.clients_normal + mh.lua_caches +
                                   mh.functions_caches + mh.dbs[0].overhead_ht_main +
                                   mh.dbs[0].overhead_ht_expires);
  EXPECT_GE(mh.peak_allocated, mh.total_allocated);
  EXPECT_EQ(mh.dataset, mh.total_allocated > mh.overhead_total
                            ? mh.total_allocated - mh.overhead_total
                            : 0);
}

TEST(MemoryDoctorTest, Texts) {
  MemoryOverhead mh;
  mh.total_allocated = 1 << 20;
  EXPECT_EQ(MemoryDoctorReport(mh, 1),
            "Hi Sam, this instance is empty or is using very little memory, my issues detector "
            "can't be used in these conditions. Please, leave for your mission on Earth and fill "
            "it with some data. The new Sam and I will be back to our programming as soon as I "
            "finished rebooting.\n");
  mh.total_allocated = mh.peak_allocated = 100 << 20;
  EXPECT_EQ(MemoryDoctorReport(mh, 1),
            "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
            "occurs on this base.\n");
  mh.peak_allocated = 200 << 20;
  mh.clients_normal = 1 << 20;
  const std::string report = MemoryDoctorReport(mh, 2);
  EXPECT_TRUE(report.starts_with(
      "Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: "))
      << report;
  EXPECT_NE(report.find("\n\n * Big client buffers: "), std::string::npos);
  EXPECT_TRUE(report.ends_with("\n\nI'm here to keep you safe, Sam. I want to help you.\n"));
}

TEST_F(MemoryFamilyTest, DoctorIsVerbatim) {
  const std::string reply = Run("MEMORY DOCTOR");
  EXPECT_TRUE(reply.starts_with("$")) << reply;
  EXPECT_NE(reply.find("Sam"), std::string::npos);
  Resp3();
  EXPECT_TRUE(Run("MEMORY DOCTOR").starts_with("=")) << reply;
}

}  // namespace
}  // namespace drayman::testing
