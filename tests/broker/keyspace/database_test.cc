// Database and Keyspace tests: the cron's share of incremental rehashing of the key tables.
#include "broker/keyspace/database.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace drayman
