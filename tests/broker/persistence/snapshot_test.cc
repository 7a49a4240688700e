// Snapshot (broker/persistence/snapshot.h): the consumer must see exactly the dataset at the
// moment the snapshot started, whatever commands, expiry, FLUSHDB or SWAPDB do meanwhile.
#include "broker/persistence/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "broker/keyspace/hash.h"
#include "broker/keyspace/list.h"
#include "broker/keyspace/set.h"
#include "broker/keyspace/zset.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

// A value as comparable text: members of unordered types sorted.
std::string Describe(const Value& value) {
  std::vector<std::string> parts;
  switch (value.type()) {
    case ValueType::kString:
      return "string:" + std::string(value.view());
    case ValueType::kList:
      value.list().ForRange(0, value.list().size(),
                            [&](std::string_view e) { parts.emplace_back(e); });
      break;
    case ValueType::kHash:
      value.hash().ForEach([&](std::string_view f, std::string_view v) {
        parts.push_back(std::string(f) + "=" + std::string(v));
      });
      std::sort(parts.begin(), parts.end());
      break;
    case ValueType::kSet:
      value.set().ForEach([&](std::string_view m) { parts.emplace_back(m); });
      std::sort(parts.begin(), parts.end());
      break;
    case ValueType::kZSet:
      for (auto* node = value.zset().First(); node != nullptr; node = node->next()) {
        parts.push_back(std::string(node->member()) + "@" + std::to_string(node->score));
      }
      break;
  }
  std::string out = std::to_string(static_cast<int>(value.type())) + ":";
  for (const auto& part : parts) out += part + ",";
  return out;
}

struct SavedKey {
  std::string value;
  int64_t expire_at_ms;
  bool operator==(const SavedKey&) const = default;
};
using Dataset = std::map<std::pair<int, std::string>, SavedKey>;

std::ostream& operator<<(std::ostream& out, const SavedKey& saved) {
  return out << saved.value << " (expire " << saved.expire_at_ms << ")";
}

// Every key the tables hold, expired or not (a snapshot holds what the tables held).
Dataset CopyOf(Keyspace& keyspace) {
  Dataset copy;
  for (int db = 0; db < keyspace.database_count(); ++db) {
    keyspace.db(db).ForEach([&](std::string_view key, const Entry& entry) {
      copy[{db, std::string(key)}] = SavedKey{Describe(entry.value), entry.expire_at_ms};
    });
  }
  return copy;
}

class RecordingConsumer : public SnapshotConsumer {
 public:
  void Save(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override {
    auto [it, inserted] =
        saved.try_emplace({db, std::string(key)}, SavedKey{Describe(value), expire_at_ms});
    if (!inserted) duplicates.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void SaveEarly(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override {
    early.push_back(std::string(key));
    Save(db, key, value, expire_at_ms);
  }
  Dataset saved;
  std::vector<std::string> early;
  std::vector<std::string> duplicates;
};

class SnapshotTest : public EngineTest {
 protected:
  Keyspace& keyspace() { return engine_->keyspace(); }
  std::unique_ptr<Snapshot> Start() {
    at_t_ = CopyOf(keyspace());
    return std::make_unique<Snapshot>(keyspace(), consumer_);
  }
  static void RunToEnd(Snapshot& snapshot) {
    for (int i = 0; i < 1'000'000 && !snapshot.Step(7); ++i) {
    }
    ASSERT_EQ(snapshot.state(), Snapshot::State::kComplete);
  }
  void ExpectDatasetAtT() {
    EXPECT_TRUE(consumer_.duplicates.empty()) << consumer_.duplicates.front();
    EXPECT_EQ(consumer_.saved, at_t_);
  }

  RecordingConsumer consumer_;
  Dataset at_t_;
};

TEST_F(SnapshotTest, EmptyKeyspaceCompletesInOneStep) {
  auto snapshot = Start();
  EXPECT_TRUE(snapshot->Step(100));
  EXPECT_EQ(snapshot->state(), Snapshot::State::kComplete);
  EXPECT_TRUE(consumer_.saved.empty());
}

TEST_F(SnapshotTest, UnchangedDatasetIsSavedWholeWithTtlsAndDatabases) {
  Run("SET s v");
  Run("SET ttl v PX 50000");
  Run("RPUSH l a b c");
  Run("HSET h f1 v1 f2 v2");
  Run("SADD set x y 1");
  Run("ZADD z 1 a 2 b");
  Run("SELECT 3");
  Run("SET other 1");
  auto snapshot = Start();
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
  EXPECT_EQ(consumer_.saved.size(), 7u);
  EXPECT_EQ(consumer_.saved.at({0, "ttl"}).expire_at_ms, clock_.NowMs() + 50000);
  EXPECT_TRUE(consumer_.early.empty());
  EXPECT_EQ(snapshot->keys_saved(), 7u);
}

TEST_F(SnapshotTest, WritesBeforeTheWalkSaveTheOldValueFirst) {
  Run("SET s old");
  Run("SET n 10");
  Run("RPUSH l a b");
  Run("HSET h f v");
  Run("SADD set m");
  Run("ZADD z 1 a");
  Run("SET ex v");
  auto snapshot = Start();
  Run("SET s new");
  Run("INCR n");
  Run("APPEND n 0");
  Run("LPUSH l front");
  Run("RPOP l");
  Run("HSET h f v2 g w");
  Run("SADD set m2");
  Run("ZINCRBY z 5 a");
  Run("EXPIRE ex 100");
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
  EXPECT_EQ(consumer_.saved.at({0, "s"}).value, "string:old");
  EXPECT_EQ(consumer_.saved.at({0, "ex"}).expire_at_ms, kNoExpiry);
  EXPECT_EQ(consumer_.early.size(), 7u);
  EXPECT_EQ(snapshot->keys_saved_early(), 7u);
}

TEST_F(SnapshotTest, WritesAfterTheWalkPassedAKeyAreNotSaved) {
  Run("SET a 1");
  auto snapshot = Start();
  RunToEnd(*snapshot);
  Run("SET a 2");
  Run("SET b 1");
  ExpectDatasetAtT();
  EXPECT_TRUE(consumer_.early.empty());
}

TEST_F(SnapshotTest, KeysCreatedDuringTheSnapshotAreNeverSaved) {
  Run("SET old 1");
  auto snapshot = Start();
  Run("SET fresh 1");
  Run("RPUSH fresh-list a");
  Run("SET fresh 2");  // an overwrite of a key born after T saves nothing
  Run("DEL fresh-list");
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
  EXPECT_TRUE(consumer_.early.empty());
}

TEST_F(SnapshotTest, ReadOnlyCommandsDoNotSaveAheadOfTheWalk) {
  Run("SET s v");
  Run("RPUSH l a");
  auto snapshot = Start();
  Run("GET s");
  Run("LRANGE l 0 -1");
  Run("EXISTS s l");
  Run("EVAL \"return redis.call('get', KEYS[1])\" 1 s");  // EVAL is not read-only; GET inside is
  EXPECT_TRUE(consumer_.early.empty());
  Run("EVAL \"return redis.call('set', KEYS[1], 'x')\" 1 s");
  EXPECT_EQ(consumer_.early, std::vector<std::string>{"s"});
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
}

TEST_F(SnapshotTest, DeleteRenameMoveAndCopyKeepTheOriginalKeys) {
  Run("SET del v");
  Run("SET from v PX 90000");
  Run("SET to old");
  Run("SET mover v");
  Run("SET src v");
  Run("SELECT 1");
  Run("SET dst old");
  Run("SELECT 0");
  auto snapshot = Start();
  Run("DEL del");
  Run("RENAME from to");
  Run("MOVE mover 2");
  Run("COPY src dst DB 1 REPLACE");
  Run("UNLINK src");
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
  EXPECT_EQ(consumer_.saved.at({0, "to"}).value, "string:old");
  EXPECT_EQ(consumer_.saved.count({2, "mover"}), 0u);
}

TEST_F(SnapshotTest, KeysLiveAtTAreSavedWithTheirTtlEvenIfTheyExpireDuringTheSave) {
  for (int i = 0; i < 50; ++i) Run("SET k" + std::to_string(i) + " v PX 100");
  Run("SET lazy v PX 100");
  Run("SET gone v PX 100");
  auto snapshot = Start();
  clock_.AdvanceMs(200);
  EXPECT_EQ(Run("GET lazy"), "$-1\r\n");        // lazy expiry, in a read-only command
  EXPECT_EQ(Run("SET gone again"), "+OK\r\n");  // lazy expiry in a write
  engine_->Cron();                              // active expiry of the other 50
  EXPECT_EQ(keyspace().TotalKeys(), 1u);
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
  EXPECT_EQ(consumer_.saved.size(), 52u);
  EXPECT_EQ(consumer_.saved.at({0, "lazy"}).expire_at_ms, at_t_.at({0, "lazy"}).expire_at_ms);
}

TEST_F(SnapshotTest, KeysAlreadyExpiredAtTButStillStoredAreSavedAsRedisWritesThem) {
  Run("SET dead v PX 10");
  clock_.AdvanceMs(50);  // expired, not yet deleted by anything
  auto snapshot = Start();
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
  EXPECT_EQ(consumer_.saved.count({0, "dead"}), 1u);
}

TEST_F(SnapshotTest, FlushdbHandsTheOldKeysToTheWalk) {
  for (int i = 0; i < 100; ++i) Run("SET k" + std::to_string(i) + " v");
  Run("SELECT 1");
  for (int i = 0; i < 100; ++i) Run("SET j" + std::to_string(i) + " v");
  Run("SELECT 0");
  auto snapshot = Start();
  snapshot->Step(10);
  Run("SET k5 changed");  // may or may not have been walked already
  Run("FLUSHDB");
  EXPECT_EQ(keyspace().db(0).size(), 0u);
  Run("SET k1 after-flush");
  Run("SELECT 1");
  Run("FLUSHDB ASYNC");
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
}

TEST_F(SnapshotTest, SwapdbKeepsEachKeyUnderItsDatabaseAtT) {
  for (int i = 0; i < 60; ++i) Run("SET a" + std::to_string(i) + " v");
  Run("SELECT 1");
  for (int i = 0; i < 60; ++i) Run("SET b" + std::to_string(i) + " v");
  Run("SELECT 0");
  auto snapshot = Start();
  snapshot->Step(20);  // part of database 0 walked
  Run("SWAPDB 0 1");
  Run("SET b1 changed");  // b1 now lives in database 0; it was in database 1 at T
  Run("SWAPDB 1 2");      // database 0's original keys move on to 2
  Run("SELECT 2");
  Run("DEL a3");
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
}

TEST_F(SnapshotTest, FlushallCancelsTheSnapshot) {
  Run("SET a 1");
  Run("SET b 1");
  auto snapshot = Start();
  Run("FLUSHALL");
  EXPECT_EQ(snapshot->state(), Snapshot::State::kCancelled);
  EXPECT_TRUE(snapshot->Step(10));
  // Nothing is left over for the next one.
  Run("SET c 1");
  RecordingConsumer next;
  Snapshot second(keyspace(), next);
  while (!second.Step(10)) {
  }
  EXPECT_EQ(next.saved.size(), 1u);
}

TEST_F(SnapshotTest, TheWalkSurvivesGrowthAndShrinkingOfTheTableMidScan) {
  for (int i = 0; i < 500; ++i) Run("SET k" + std::to_string(i) + " v");
  auto snapshot = Start();
  for (int round = 0; round < 40 && !snapshot->Step(5); ++round) {
    for (int i = 0; i < 100; ++i) Run("SET new" + std::to_string(round * 100 + i) + " v");
  }
  for (int i = 0; i < 4000; ++i) Run("DEL new" + std::to_string(i));  // shrinks the table
  for (int i = 0; i < 450; ++i) Run("DEL k" + std::to_string(i * 7 % 500));
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
}

TEST_F(SnapshotTest, TheWalkSpansAnIncrementalRehashStartedBeforeItAndFinishedByCron) {
  // The 8,193rd key starts a growth from 8,192 to 16,384 buckets, still in progress at T.
  for (int i = 0; i < 8193; ++i) Run("SET k" + std::to_string(i) + " v");
  ASSERT_TRUE(keyspace().db(0).RehashSome(0));
  auto snapshot = Start();
  for (int round = 0; !snapshot->Step(50); ++round) {
    Run("SET new" + std::to_string(round) + " v");
    Run("DEL k" + std::to_string(round * 13 % 8193));
    // The cron finishes the rehash mid-walk (the manual clock never spends its budget).
    if (round == 20) engine_->Cron();
    if (round == 21) ASSERT_FALSE(keyspace().db(0).RehashSome(0));
  }
  ASSERT_EQ(snapshot->state(), Snapshot::State::kComplete);
  ExpectDatasetAtT();
}

TEST_F(SnapshotTest, BlockedClientsServedByAPushSaveTheListFirst) {
  Run("RPUSH q a b");
  Client* waiter = NewClient();
  auto snapshot = Start();
  Run("LPOP q 2");
  EXPECT_EQ(RunOn(waiter, "BLPOP q 0"), "");
  Run("RPUSH q c");  // served to the waiter, the key is gone again
  EXPECT_EQ(waiter->output(), "*2\r\n$1\r\nq\r\n$1\r\nc\r\n");
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
}

TEST_F(SnapshotTest, TransactionsSaveEveryKeyTheyChange) {
  Run("SET a 1");
  Run("SET b 1");
  auto snapshot = Start();
  Run("MULTI");
  Run("INCR a");
  Run("DEL b");
  Run("SET c 1");
  Run("EXEC");
  RunToEnd(*snapshot);
  ExpectDatasetAtT();
}

TEST_F(SnapshotTest, EpochsWrapAroundSafelyWithCancelledSnapshots) {
  // Runs of 255 snapshots abandoned part-way, then a complete one whose 8-bit epoch equals the
  // one the cold keys were last marked with: they must still count as not saved.
  for (int i = 0; i < 40; ++i) Run("SET hot" + std::to_string(i) + " v");
  for (int i = 0; i < 40; ++i) Run("SET cold" + std::to_string(i) + " v");
  int round = 0;
  for (int cycle = 0; cycle < 3; ++cycle) {
    for (int abandoned = 0; abandoned < 255; ++abandoned, ++round) {
      RecordingConsumer consumer;
      Snapshot snapshot(keyspace(), consumer);
      Run("SET hot" + std::to_string(round % 40) + " r" + std::to_string(round));
      snapshot.Step(static_cast<size_t>(round % 3));
    }
    RecordingConsumer consumer;
    const Dataset at_t = CopyOf(keyspace());
    Snapshot snapshot(keyspace(), consumer);
    while (!snapshot.Step(3)) {
    }
    ASSERT_EQ(consumer.saved, at_t) << "cycle " << cycle;
  }
}

// Random commands interleaved with walk steps, against a copy of the dataset taken at T.
TEST_F(SnapshotTest, RandomizedWorkloadSavesExactlyTheDatasetAtT) {
  std::mt19937 rng(20261205);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto key = [&] { return "k" + std::to_string(pick(300)); };
  auto any = [&] { return std::to_string(pick(20)); };
  const std::vector<std::function<std::string()>> commands = {
      [&] { return "SET " + key() + " " + any(); },
      [&] { return "SET " + key() + " " + any() + " PX " + std::to_string(1 + pick(3000)); },
      [&] { return "DEL " + key() + " " + key(); },
      [&] { return "INCR " + key(); },
      [&] { return "APPEND " + key() + " x"; },
      [&] { return "RPUSH " + key() + " " + any() + " " + any(); },
      [&] { return "LPOP " + key(); },
      [&] { return "HSET " + key() + " f" + any() + " " + any(); },
      [&] { return "HDEL " + key() + " f" + any(); },
      [&] { return "SADD " + key() + " " + any(); },
      [&] { return "SREM " + key() + " " + any(); },
      [&] { return "ZADD " + key() + " " + any() + " m" + any(); },
      [&] { return "ZPOPMIN " + key(); },
      [&] { return "EXPIRE " + key() + " " + std::to_string(1 + pick(4)); },
      [&] { return "PERSIST " + key(); },
      [&] { return "RENAME " + key() + " " + key(); },
      [&] { return "MOVE " + key() + " " + std::to_string(pick(3)); },
      [&] { return "COPY " + key() + " " + key() + " DB " + std::to_string(pick(3)) + " REPLACE"; },
      [&] { return "SELECT " + std::to_string(pick(3)); },
      [&] { return "GET " + key(); },
      [&] { return "SUNIONSTORE " + key() + " " + key() + " " + key(); },
      [&] {
        return pick(40) == 0 ? "SWAPDB " + std::to_string(pick(3)) + " " + std::to_string(pick(3))
                             : "PING";
      },
      [&] { return pick(150) == 0 ? std::string("FLUSHDB") : "PING"; },
  };
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 400; ++i) Run(commands[pick(static_cast<int>(commands.size()))]());
    consumer_ = RecordingConsumer();
    auto snapshot = Start();
    while (!snapshot->Step(1 + pick(12))) {
      for (int i = pick(15); i > 0; --i) Run(commands[pick(static_cast<int>(commands.size()))]());
      if (pick(10) == 0) {
        clock_.AdvanceMs(pick(1500));
        engine_->Cron();
      }
    }
    ASSERT_EQ(snapshot->state(), Snapshot::State::kComplete);
    ASSERT_TRUE(consumer_.duplicates.empty()) << "round " << round;
    ASSERT_EQ(consumer_.saved, at_t_) << "round " << round;
  }
}

}  // namespace
}  // namespace drayman::testing
