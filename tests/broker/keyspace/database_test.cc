// Database and Keyspace tests: the cron's share of incremental rehashing of the key tables.
#include "broker/keyspace/database.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/clock.h"

namespace drayman {
namespace {

// Fills `db` past 8,192 keys, up to the insert that starts a growth of its key table (to 16,384
// buckets); returns the number of keys.
int FillUntilRehashing(Database& db) {
  int keys = 0;
  do {
    db.Put("key:" + std::to_string(keys++), Value(std::string("v")));
  } while (keys <= 8192 || !db.RehashSome(0));
  return keys;
}

TEST(KeyspaceRehashTest, CronStepFinishesARehashWithinItsBudgetOnTheInjectedClock) {
  Keyspace keyspace(2);
  const int keys = FillUntilRehashing(keyspace.db(0));
  ASSERT_GT(keys, 4000);
  ASSERT_TRUE(keyspace.db(0).RehashSome(0));
  // A frozen clock never runs out of budget: the whole rehash is done in one call.
  ManualClock clock;
  keyspace.RehashKeyTables(clock, 1000);
  EXPECT_FALSE(keyspace.db(0).RehashSome(0));
  for (int i = 0; i < keys; ++i)
    ASSERT_NE(keyspace.db(0).Find("key:" + std::to_string(i)), nullptr);
}

// A clock that moves 1 ms each time it is read, so any budget runs out after the first batch.
class SteppingClock : public Clock {
 public:
  int64_t NowUs() const override { return now_us_ += 1000; }

 private:
  mutable int64_t now_us_ = 0;
};

TEST(KeyspaceRehashTest, CronStepStopsWhenTheBudgetIsSpent) {
  Keyspace keyspace(1);
  FillUntilRehashing(keyspace.db(0));
  SteppingClock clock;
  // One batch of 100 buckets per call: a table of 8,192+ buckets needs several calls.
  keyspace.RehashKeyTables(clock, 1000);
  EXPECT_TRUE(keyspace.db(0).RehashSome(0));
  int calls = 1;
  while (keyspace.db(0).RehashSome(0)) {
    keyspace.RehashKeyTables(clock, 1000);
    ++calls;
  }
  EXPECT_GT(calls, 2);
}

// Records the order in which keys expire.
class ExpiryRecorder : public KeyspaceObserver {
 public:
  void OnKeyModified(int, std::string_view) override {}
  void OnDatabaseModified(int) override {}
  void OnKeyReady(int, std::string_view) override {}
  void OnKeyExpired(int, std::string_view key) override { expired.emplace_back(key); }
  std::vector<std::string> expired;
};

TEST(DatabaseExpiryTest, TheSweepDeletesDueKeysByDeadlineThenKeyBytes) {
  ExpiryRecorder recorder;
  Keyspace keyspace(1, &recorder);
  Database& db = keyspace.db(0);
  keyspace.set_now_ms(1000);
  // Equal deadlines come out in key order, whatever the insertion order.
  for (const char* key : {"b", "a", "c", "later", "never", "moved"}) {
    Entry& entry = db.Put(key, Value(std::string("value of ") + key));
    if (std::string(key) == "later") {
      db.SetExpire(key, entry, 5000);
    } else if (std::string(key) != "never") {
      db.SetExpire(key, entry, 2000);
    }
  }
  // A changed deadline moves the key in the index; a cleared one takes it out.
  db.SetExpire("moved", *db.Find("moved"), 3000);
  EXPECT_EQ(db.expires_count(), 5u);
  EXPECT_EQ(db.SoonestExpiring(), std::optional<std::string_view>("a"));
  db.Put("c", Value(std::string("overwritten")));  // SET drops the expiry
  EXPECT_EQ(db.expires_count(), 4u);
  EXPECT_TRUE(db.Delete("b"));
  EXPECT_EQ(db.expires_count(), 3u);
  keyspace.set_now_ms(10000);
  EXPECT_EQ(db.ActiveExpire(100), 3u);
  EXPECT_EQ(recorder.expired, (std::vector<std::string>{"a", "moved", "later"}));
  EXPECT_EQ(db.expires_count(), 0u);
  EXPECT_EQ(db.SoonestExpiring(), std::nullopt);
  EXPECT_NE(db.Find("never"), nullptr);
  EXPECT_EQ(db.Find("c")->value.view(), "overwritten");
}

TEST(DatabaseExpiryTest, DeleteExpiresADueKeyWhereDeleteEvenIfExpiredRemovesIt) {
  ExpiryRecorder recorder;
  Keyspace keyspace(1, &recorder);
  Database& db = keyspace.db(0);
  keyspace.set_now_ms(1000);
  for (const char* key : {"a", "b"}) db.SetExpire(key, db.Put(key, Value(std::string("v"))), 500);
  // DEL's view: a due key is missing (and expires on the way, as a lookup would).
  EXPECT_FALSE(db.Delete("a"));
  EXPECT_EQ(recorder.expired, (std::vector<std::string>{"a"}));
  // A STORE's empty result: the entry is removed as it is (Redis's dbDelete), not expired.
  EXPECT_TRUE(db.DeleteEvenIfExpired("b"));
  EXPECT_EQ(recorder.expired, (std::vector<std::string>{"a"}));
  EXPECT_EQ(db.expires_count(), 0u);
  EXPECT_FALSE(db.DeleteEvenIfExpired("b"));
  EXPECT_FALSE(db.DeleteEvenIfExpired("never there"));
}

TEST(DatabaseExpiryTest, VolatileSamplesComeFromKeysWithADeadline) {
  Keyspace keyspace(1);
  Database& db = keyspace.db(0);
  keyspace.set_now_ms(1000);
  for (int i = 0; i < 100; ++i) {
    const std::string key = "k" + std::to_string(i);
    Entry& entry = db.Put(key, Value(key));
    if (i % 10 == 0) db.SetExpire(key, entry, 100000 + i);
  }
  for (int round = 0; round < 20; ++round) {
    int sampled = 0;
    db.SampleKeys(/*volatile_only=*/true, 5, [&](std::string_view key, Entry& entry) {
      ++sampled;
      EXPECT_NE(entry.expire_at_ms, kNoExpiry) << key;
      EXPECT_EQ(entry.value.view(), key);
    });
    EXPECT_EQ(sampled, 5);
  }
}

}  // namespace
}  // namespace drayman
