// maxmemory: eviction policies, OOM refusals, MULTI and scripts, OBJECT FREQ/IDLETIME, INFO.
// Used memory comes from a deterministic source (1000 bytes per key), so each test knows exactly
// when the engine is over the limit; the production source is tested in memory_accounting_test.
#include "broker/eviction/evictor.h"

#include <string>

#include "broker/persistence/propagation.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kOomReply =
    "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
constexpr std::string_view kOk = "+OK\r\n";
constexpr uint64_t kBytesPerKey = 1000;

class EvictorTest : public EngineTest {
 protected:
  EvictorTest() { InstallSource(); }

  void InstallSource() {
    engine_->evictor().set_used_memory_source(
        [this] { return engine_->keyspace().TotalKeys() * kBytesPerKey; });
  }
  // Room for `keys` keys.
  void Limit(int keys, std::string_view policy) {
    ASSERT_EQ(Run("CONFIG SET maxmemory " + std::to_string(keys * kBytesPerKey)), kOk);
    ASSERT_EQ(Run("CONFIG SET maxmemory-policy " + std::string(policy)), kOk);
  }
  bool Exists(const std::string& key) { return Run("EXISTS " + key) == ":1\r\n"; }
  std::string InfoField(std::string_view section, std::string_view field) {
    std::string info = Run("INFO " + std::string(section));
    size_t at = info.find("\r\n" + std::string(field) + ":");
    if (at == std::string::npos) return "<missing>";
    at += field.size() + 3;
    return info.substr(at, info.find("\r\n", at) - at);
  }
};

TEST_F(EvictorTest, ConfigUsesRedisFormsAndErrors) {
  EXPECT_EQ(Run("CONFIG SET maxmemory 100mb"), kOk);
  EXPECT_EQ(Run("CONFIG GET maxmemory"), "*2\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n");
  EXPECT_EQ(Run("CONFIG SET maxmemory 1gb"), kOk);
  EXPECT_EQ(InfoField("memory", "maxmemory"), "1073741824");
  EXPECT_EQ(InfoField("memory", "maxmemory_human"), "1.00G");
  EXPECT_EQ(Run("CONFIG SET maxmemory -1"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
            "be a memory value\r\n");
  EXPECT_EQ(Run("CONFIG SET maxmemory-policy foo"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
            "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
            "noeviction\r\n");
  EXPECT_EQ(Run("CONFIG SET maxmemory-policy ALLKEYS-LRU"), kOk);
  EXPECT_EQ(Run("CONFIG GET maxmemory-policy"),
            "*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n");
  EXPECT_EQ(InfoField("memory", "maxmemory_policy"), "allkeys-lru");
  EXPECT_EQ(Run("CONFIG SET maxmemory-samples 0"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - "
            "argument must be between 1 and 2147483647 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET maxmemory-eviction-tenacity 101"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-eviction-tenacity') "
            "- argument must be between 0 and 100 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET lfu-log-factor -1"),
            "-ERR CONFIG SET failed (possibly related to argument 'lfu-log-factor') - argument "
            "must be between 0 and 2147483647 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG GET lfu-decay-time"), "*2\r\n$14\r\nlfu-decay-time\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("CONFIG GET lfu-log-factor"), "*2\r\n$14\r\nlfu-log-factor\r\n$2\r\n10\r\n");
  EXPECT_EQ(Run("CONFIG GET maxmemory-eviction-tenacity"),
            "*2\r\n$27\r\nmaxmemory-eviction-tenacity\r\n$2\r\n10\r\n");
}

TEST_F(EvictorTest, NoevictionRefusesDenyoomCommandsOnly) {
  Limit(5, "noeviction");
  for (int i = 0; i < 6; ++i) ASSERT_EQ(Run("SET k" + std::to_string(i) + " v"), kOk);
  // Six keys: over the limit now.
  EXPECT_EQ(Run("SET k6 v"), kOomReply);
  EXPECT_EQ(Run("LPUSH q a"), kOomReply);
  EXPECT_EQ(Run("GET k0"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("DEL k0"), ":1\r\n");  // not denyoom: frees memory
  EXPECT_EQ(Run("DEL k1"), ":1\r\n");
  EXPECT_EQ(Run("SET k6 v"), kOk);
  EXPECT_EQ(Run("DBSIZE"), ":5\r\n");
  EXPECT_EQ(InfoField("stats", "evicted_keys"), "0");
  EXPECT_EQ(InfoField("errorstats", "errorstat_OOM"), "count=2");
  EXPECT_NE(Run("INFO commandstats").find("cmdstat_set:calls=7,"), std::string::npos);
  EXPECT_NE(Run("INFO commandstats").find("rejected_calls=1,failed_calls=0"), std::string::npos);
}

TEST_F(EvictorTest, InfoReportsTimeSpentOverTheLimit) {
  Limit(1, "noeviction");
  ASSERT_EQ(Run("SET a v"), kOk);
  ASSERT_EQ(Run("SET b v"), kOk);
  EXPECT_EQ(InfoField("stats", "current_eviction_exceeded_time"), "0");
  ASSERT_EQ(Run("PING"), "+PONG\r\n");  // over the limit from now on
  clock_.AdvanceMs(1500);
  EXPECT_EQ(InfoField("stats", "current_eviction_exceeded_time"), "1500");
  ASSERT_EQ(Run("DEL b"), ":1\r\n");
  clock_.AdvanceMs(250);
  ASSERT_EQ(Run("PING"), "+PONG\r\n");  // back under: the interval closes
  clock_.AdvanceMs(1000);
  EXPECT_EQ(InfoField("stats", "current_eviction_exceeded_time"), "0");
  EXPECT_EQ(InfoField("stats", "total_eviction_exceeded_time"), "1750");
  ASSERT_EQ(Run("CONFIG RESETSTAT"), kOk);
  EXPECT_EQ(InfoField("stats", "total_eviction_exceeded_time"), "0");
}

TEST_F(EvictorTest, NoLimitMeansNoCheck) {
  ASSERT_EQ(Run("CONFIG SET maxmemory 0"), kOk);
  engine_->evictor().set_used_memory_source([] { return uint64_t{1} << 60; });
  EXPECT_EQ(Run("SET k v"), kOk);
}

TEST_F(EvictorTest, AllkeysLruKeepsRecentlyUsedKeys) {
  Limit(50, "allkeys-lru");
  ASSERT_EQ(Run("CONFIG SET maxmemory-samples 64"), kOk);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(Run("SET cold" + std::to_string(i) + " v"), kOk);
  clock_.AdvanceMs(100'000);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Run("SET hot" + std::to_string(i) + " v"), kOk);
  for (int round = 0; round < 60; ++round) {
    clock_.AdvanceMs(1000);
    for (int i = 0; i < 10; ++i) Run("GET hot" + std::to_string(i));
    ASSERT_EQ(Run("SET new" + std::to_string(round) + " v"), kOk);
  }
  // The last SET put it one key over; DBSIZE, like any command, evicted first.
  EXPECT_EQ(Run("DBSIZE"), ":50\r\n");
  EXPECT_EQ(InfoField("stats", "evicted_keys"), "60");
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(Exists("hot" + std::to_string(i))) << i;
  // The 40 cold keys were the idlest: they went first.
  int cold_left = 0;
  for (int i = 0; i < 40; ++i) cold_left += Exists("cold" + std::to_string(i));
  EXPECT_EQ(cold_left, 0);
  EXPECT_EQ(Run("CONFIG RESETSTAT"), kOk);
  EXPECT_EQ(InfoField("stats", "evicted_keys"), "0");
}

TEST_F(EvictorTest, AllkeysLfuKeepsFrequentlyUsedKeys) {
  Limit(30, "allkeys-lfu");
  ASSERT_EQ(Run("CONFIG SET maxmemory-samples 64"), kOk);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Run("SET hot" + std::to_string(i) + " v"), kOk);
  for (int hit = 0; hit < 50; ++hit) {
    for (int i = 0; i < 10; ++i) Run("GET hot" + std::to_string(i));
  }
  for (int i = 0; i < 100; ++i) ASSERT_EQ(Run("SET cold" + std::to_string(i) + " v"), kOk);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(Exists("hot" + std::to_string(i))) << i;
  EXPECT_EQ(InfoField("stats", "evicted_keys"), "80");
}

TEST_F(EvictorTest, ObjectFreqAndIdletimeFollowThePolicy) {
  ASSERT_EQ(Run("SET k v"), kOk);
  EXPECT_EQ(Run("OBJECT FREQ k"),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust.\r\n");
  ASSERT_EQ(Run("CONFIG SET maxmemory-policy volatile-lfu"), kOk);
  EXPECT_EQ(Run("OBJECT IDLETIME k"),
            "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time to "
            "adjust.\r\n");
  EXPECT_EQ(Run("OBJECT FREQ nokey"), "$-1\r\n");
  // Past 5 an access counts with probability 1 / ((counter - 5) * lfu-log-factor + 1): a huge
  // factor makes the counter deterministic here.
  ASSERT_EQ(Run("CONFIG SET lfu-log-factor 2147483647"), kOk);
  ASSERT_EQ(Run("SET fresh v"), kOk);
  EXPECT_EQ(Run("OBJECT FREQ fresh"), ":5\r\n");  // LFU_INIT_VAL
  Run("GET fresh");                               // from 5 an access always counts
  EXPECT_EQ(Run("OBJECT FREQ fresh"), ":6\r\n");
  ASSERT_EQ(Run("SET fresh w"), kOk);  // an overwrite keeps the frequency
  EXPECT_EQ(Run("OBJECT FREQ fresh"), ":6\r\n");
  clock_.AdvanceMs(3 * 60'000);  // lfu-decay-time 1: one step per minute
  EXPECT_EQ(Run("OBJECT FREQ fresh"), ":3\r\n");
  ASSERT_EQ(Run("CONFIG SET lfu-decay-time 0"), kOk);  // 0: never decays
  clock_.AdvanceMs(60 * 60'000);
  EXPECT_EQ(Run("OBJECT FREQ fresh"), ":6\r\n");
}

TEST_F(EvictorTest, VolatileTtlEvictsSoonestDeadlineAndNeverPersistentKeys) {
  Limit(4, "volatile-ttl");
  ASSERT_EQ(Run("SET keep1 v"), kOk);
  ASSERT_EQ(Run("SET keep2 v"), kOk);
  ASSERT_EQ(Run("SET late v EX 1000"), kOk);
  ASSERT_EQ(Run("SET soon v EX 10"), kOk);
  ASSERT_EQ(Run("SET more v"), kOk);    // 5 keys now
  ASSERT_EQ(Run("PING"), "+PONG\r\n");  // any command evicts first
  EXPECT_FALSE(Exists("soon"));
  EXPECT_TRUE(Exists("late"));
  ASSERT_EQ(Run("SET more2 v"), kOk);  // evicts late, then 5 again
  EXPECT_FALSE(Exists("late"));
  ASSERT_EQ(Run("SET more3 v"), kOk);  // 5 keys, none volatile
  // Nothing volatile is left: the policy cannot free memory.
  EXPECT_EQ(Run("SET more4 v"), kOomReply);
  EXPECT_TRUE(Exists("keep1") && Exists("keep2") && Exists("more") && Exists("more2"));
}

TEST_F(EvictorTest, VolatileLruWithoutExpiringKeysRefuses) {
  Limit(2, "volatile-lru");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Run("SET k" + std::to_string(i) + " v"), kOk);
  EXPECT_EQ(Run("SET k3 v"), kOomReply);
  ASSERT_EQ(Run("EXPIRE k0 100"), ":1\r\n");
  EXPECT_EQ(Run("SET k3 v"), kOk);
  EXPECT_FALSE(Exists("k0"));
}

TEST_F(EvictorTest, AllkeysRandomEvictsUntilUnderTheLimitAcrossDatabases) {
  Limit(10, "allkeys-random");
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Run("SET a" + std::to_string(i) + " v"), kOk);
  ASSERT_EQ(Run("SELECT 3"), kOk);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Run("SET b" + std::to_string(i) + " v"), kOk);
  EXPECT_EQ(engine_->keyspace().TotalKeys(), 11u);
  ASSERT_EQ(Run("CONFIG SET maxmemory 5000"), kOk);
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
  EXPECT_EQ(engine_->keyspace().TotalKeys(), 5u);
}

TEST_F(EvictorTest, MultiRefusesQueueingAndExecAborts) {
  Limit(1, "noeviction");
  ASSERT_EQ(Run("SET a v"), kOk);
  ASSERT_EQ(Run("SET b v"), kOk);  // two keys: over
  EXPECT_EQ(Run("MULTI"), kOk);
  EXPECT_EQ(Run("GET a"), kOomReply);  // anything queued takes memory
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Run("MULTI"), kOk);
  EXPECT_EQ(Run("DISCARD"), kOk);
  EXPECT_EQ(Run("MULTI"), kOk);
  EXPECT_EQ(Run("EXEC"), "*0\r\n");
  // Queued under the limit, over it at EXEC: the transaction is discarded, naming the reason.
  ASSERT_EQ(Run("DEL b"), ":1\r\n");
  ASSERT_EQ(Run("MULTI"), kOk);
  ASSERT_EQ(Run("SET c v"), "+QUEUED\r\n");
  ASSERT_EQ(Run("GET a"), "+QUEUED\r\n");
  Client* other = NewClient();
  ASSERT_EQ(RunOn(other, "SET b v"), kOk);
  EXPECT_EQ(Run("EXEC"),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.\r\n");
  EXPECT_FALSE(Exists("c"));
  // A queue of reads only runs.
  ASSERT_EQ(RunOn(other, "DEL b"), ":1\r\n");
  ASSERT_EQ(Run("MULTI"), kOk);
  ASSERT_EQ(Run("GET a"), "+QUEUED\r\n");
  ASSERT_EQ(RunOn(other, "SET b v"), kOk);
  EXPECT_EQ(Run("EXEC"), "*1\r\n$1\r\nv\r\n");
}

TEST_F(EvictorTest, ScriptsFollowRedisOomRules) {
  Limit(1, "noeviction");
  ASSERT_EQ(Run("SET a v"), kOk);
  ASSERT_EQ(Run("SET b v"), kOk);  // over
  // Without a shebang EVAL runs; its first denyoom call fails until it has written.
  EXPECT_EQ(Run("EVAL \"return redis.call('set','q','1')\" 0"),
            "-OOM command not allowed when used memory > 'maxmemory'. script: "
            "7e261e95a4e34decacc61e8157a2bf6b9e5bed72, on @user_script:1.\r\n");
  EXPECT_EQ(Run("EVAL \"return redis.pcall('set','q','1')\" 0"), kOomReply);
  EXPECT_EQ(Run("EVAL \"redis.call('del','zz'); return redis.call('set','q','1')\" 0"), kOk);
  EXPECT_EQ(Run("EVAL \"return redis.call('get','a')\" 0"), "$1\r\nv\r\n");
  // A shebang declares the script's flags: without no-writes or allow-oom it is denyoom.
  EXPECT_EQ(Run("EVAL \"#!lua\nreturn redis.call('get','a')\" 0"), kOomReply);
  EXPECT_EQ(Run("EVAL \"#!lua flags=no-writes\nreturn redis.call('get','a')\" 0"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("EVAL \"#!lua flags=allow-oom\nreturn redis.call('set','q','2')\" 0"), kOk);
  EXPECT_EQ(InfoField("errorstats", "errorstat_OOM"), "count=3");
}

TEST_F(EvictorTest, EvictionInvalidatesWatchAndWakesNoBlockedClient) {
  Limit(3, "allkeys-random");
  ASSERT_EQ(Run("SET w v"), kOk);
  Client* blocked = NewClient();
  ASSERT_EQ(RunOn(blocked, "BLPOP q 0"), "");
  ASSERT_EQ(Run("WATCH w"), kOk);
  Client* other = NewClient();
  // Random evictions out of a few keys: write until w is the one that went (within 200 writes
  // it survives with probability below 1e-30).
  for (int i = 0; i < 200 && Exists("w"); ++i) {
    ASSERT_EQ(RunOn(other, "SET k" + std::to_string(i) + " v"), kOk);
  }
  ASSERT_FALSE(Exists("w"));
  ASSERT_EQ(Run("MULTI"), kOk);
  ASSERT_EQ(Run("GET k0"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*-1\r\n");
  EXPECT_TRUE(blocked->blocked);
  EXPECT_EQ(RunOn(other, "LPUSH q x"), ":1\r\n");
  EXPECT_FALSE(blocked->blocked);
}

// Redis 7.0 writes each evicted key's DEL on its own, ahead of the command that needed the room
// (checked with redis-server's AOF under allkeys-lru): the log must never keep an evicted key.
TEST_F(EvictorTest, EvictedKeysArePropagatedAsDelBeforeTheCommand) {
  struct Sink : PropagationSink {
    std::string stream;
    void Append(std::string_view resp) override { stream += resp; }
  } sink;
  Limit(2, "allkeys-lru");
  ASSERT_EQ(Run("SET k0 v"), kOk);
  ASSERT_EQ(Run("SET k1 v"), kOk);
  ASSERT_EQ(Run("SET k2 v"), kOk);  // three keys: one over the limit
  engine_->AddPropagationSink(&sink);
  ASSERT_EQ(Run("SET k3 v"), kOk);
  engine_->RemovePropagationSink(&sink);
  // One eviction makes room (3 keys -> 2, then k3 brings it back to 3), its DEL unwrapped.
  const size_t first_del = sink.stream.find("*2\r\n$3\r\nDEL\r\n");
  ASSERT_NE(first_del, std::string::npos) << sink.stream;
  EXPECT_EQ(sink.stream.substr(0, first_del), "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n");
  EXPECT_EQ(sink.stream.find("MULTI"), std::string::npos) << sink.stream;
  EXPECT_TRUE(sink.stream.ends_with("*3\r\n$3\r\nSET\r\n$2\r\nk3\r\n$1\r\nv\r\n"))
      << sink.stream;
  EXPECT_EQ(engine_->keyspace().TotalKeys(), 3u);
}

}  // namespace
}  // namespace drayman::testing
