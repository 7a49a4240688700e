// Keyspace notifications below the wire: class parsing and CONFIG GET's canonical form, the two
// channels and their order, and the events only the engine's own machinery fires (lazy and
// active expiry on the injected clock, eviction, `new`, blocked clients served at wake-up).
// tests/python/test_keyspace_events_oracle.py compares whole streams with redis-server.
#include "broker/pubsub/keyspace_events.h"

#include <string>
#include <utility>
#include <vector>

#include "broker/keyspace/value.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

using Events = std::vector<std::pair<std::string, std::string>>;

TEST(KeyspaceEventClassesTest, ParsesEveryRedisLetterAndRefusesOthers) {
  int flags = -1;
  ASSERT_TRUE(ParseKeyspaceEventClasses("", &flags));
  EXPECT_EQ(flags, 0);
  ASSERT_TRUE(ParseKeyspaceEventClasses("KEg$lshzxetmdn", &flags));
  EXPECT_EQ(flags, kNotifyKeyspace | kNotifyKeyevent | kNotifyAll | kNotifyKeyMiss | kNotifyNew);
  ASSERT_TRUE(ParseKeyspaceEventClasses("A", &flags));
  EXPECT_EQ(flags, kNotifyAll);
  EXPECT_EQ(flags & (kNotifyNew | kNotifyKeyMiss), 0);  // outside A, as in Redis
  for (std::string_view bad : {"w", "KE A", "a", "G", "1"}) {
    EXPECT_FALSE(ParseKeyspaceEventClasses(bad, &flags)) << bad;
  }
}

TEST(KeyspaceEventClassesTest, FormatsInRedisOrder) {
  auto canonical = [](std::string_view classes) {
    int flags = 0;
    EXPECT_TRUE(ParseKeyspaceEventClasses(classes, &flags)) << classes;
    return FormatKeyspaceEventClasses(flags);
  };
  EXPECT_EQ(canonical("KEA"), "AKE");
  EXPECT_EQ(canonical("xE"), "xE");
  EXPECT_EQ(canonical("EgxK"), "gxKE");
  EXPECT_EQ(canonical("nK"), "nK");
  EXPECT_EQ(canonical("An"), "A");  // Redis 7.0 drops 'n' next to 'A' in CONFIG GET
  EXPECT_EQ(canonical("mKA"), "AKm");
  EXPECT_EQ(canonical("ndtezxhsl"), "lshzxetdn");
  EXPECT_EQ(canonical("ndtezxhsl$g"), "A");  // every class of A spelled out
  EXPECT_EQ(canonical(""), "");
}

class KeyspaceEventsTest : public EngineTest {
 protected:
  // A second client subscribed to every keyspace and keyevent channel.
  void Subscribe() {
    subscriber_ = NewClient();
    RunOn(subscriber_, "PSUBSCRIBE __key*__:*");
  }
  // The (channel, message) pairs the subscriber received since the last call.
  Events Received() {
    Events events;
    std::string& out = subscriber_->output();
    size_t pos = 0;
    auto line = [&]() {
      const size_t end = out.find("\r\n", pos);
      std::string text = out.substr(pos, end - pos);
      pos = end + 2;
      return text;
    };
    auto bulk = [&]() {
      const size_t size = std::stoul(line().substr(1));
      std::string text = out.substr(pos, size);
      pos += size + 2;
      return text;
    };
    while (pos < out.size()) {
      EXPECT_EQ(line(), "*4");
      EXPECT_EQ(bulk(), "pmessage");
      EXPECT_EQ(bulk(), "__key*__:*");
      std::string channel = bulk();
      events.emplace_back(std::move(channel), bulk());
    }
    out.clear();
    return events;
  }
  void Notify(std::string_view classes) {
    ASSERT_EQ(Run("CONFIG SET notify-keyspace-events " + std::string(classes)), "+OK\r\n");
  }

  Client* subscriber_ = nullptr;
};

TEST_F(KeyspaceEventsTest, OffByDefaultPublishesNothing) {
  Subscribe();
  EXPECT_EQ(Run("CONFIG GET notify-keyspace-events"),
            "*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n");
  Run("SET k v");
  Run("DEL k");
  Run("GET missing");
  EXPECT_TRUE(subscriber_->output().empty());
}

TEST_F(KeyspaceEventsTest, KeyspaceThenKeyeventChannelPerEvent) {
  Subscribe();
  Notify("KE$g");
  Run("SELECT 3");
  Run("SET k v");
  Run("DEL k");
  EXPECT_EQ(Received(), (Events{{"__keyspace@3__:k", "set"},
                                {"__keyevent@3__:set", "k"},
                                {"__keyspace@3__:k", "del"},
                                {"__keyevent@3__:del", "k"}}));
  Notify("E$");  // classes without K or E publish nothing; only E now
  Run("SET k v");
  Run("DEL k");  // generic is off
  EXPECT_EQ(Received(), (Events{{"__keyevent@3__:set", "k"}}));
}

TEST_F(KeyspaceEventsTest, BinaryKeysAreCarriedAsIs) {
  Subscribe();
  Notify("Kl");
  const std::string key("a\0\r\nb", 5);
  RunArgs({"RPUSH", key, "x"});
  EXPECT_EQ(Received(), (Events{{"__keyspace@0__:" + key, "rpush"}}));
}

TEST_F(KeyspaceEventsTest, NewFiresBeforeTheCommandsEventOnlyForCreatedKeys) {
  Subscribe();
  Notify("Eln");
  Run("LPUSH q a");
  Run("LPUSH q b");
  EXPECT_EQ(Received(), (Events{{"__keyevent@0__:new", "q"},
                                {"__keyevent@0__:lpush", "q"},
                                {"__keyevent@0__:lpush", "q"}}));
}

TEST_F(KeyspaceEventsTest, LazyExpiryOnTheInjectedClockFiresExpiredThenKeymiss) {
  Subscribe();
  Notify("Exgm");
  Run("SET k v PX 100");
  clock_.AdvanceMs(101);
  EXPECT_EQ(Run("GET k"), "$-1\r\n");
  EXPECT_EQ(Received(), (Events{{"__keyevent@0__:expire", "k"},
                                {"__keyevent@0__:expired", "k"},
                                {"__keyevent@0__:keymiss", "k"}}));
}

TEST_F(KeyspaceEventsTest, SetOverAnExpiredKeyExpiresItThenCreatesIt) {
  Subscribe();
  Notify(
      "KEA"
      "n");
  Run("SET k v PX 10");
  clock_.AdvanceMs(11);
  Received();
  Run("SET k w");
  EXPECT_EQ(Received(), (Events{{"__keyspace@0__:k", "expired"},
                                {"__keyevent@0__:expired", "k"},
                                {"__keyspace@0__:k", "new"},
                                {"__keyevent@0__:new", "k"},
                                {"__keyspace@0__:k", "set"},
                                {"__keyevent@0__:set", "k"}}));
}

TEST_F(KeyspaceEventsTest, ActiveExpiryFiresFromCronUnlessDebugTurnsItOff) {
  config_.settings().enable_debug_command = "yes";
  Subscribe();
  Notify("Ex");
  Run("SET a v PX 5");
  Run("SET b v PX 50");
  EXPECT_EQ(Run("DEBUG SET-ACTIVE-EXPIRE 0"), "+OK\r\n");
  clock_.AdvanceMs(10);
  engine_->Cron();
  EXPECT_TRUE(Received().empty());
  EXPECT_EQ(Run("DEBUG SET-ACTIVE-EXPIRE 1"), "+OK\r\n");
  engine_->Cron();
  EXPECT_EQ(Received(), (Events{{"__keyevent@0__:expired", "a"}}));
  clock_.AdvanceMs(100);
  engine_->Cron();
  EXPECT_EQ(Received(), (Events{{"__keyevent@0__:expired", "b"}}));
}

TEST_F(KeyspaceEventsTest, EvictionFiresEvicted) {
  Subscribe();
  Notify("KEe");
  Run("SET victim v");
  engine_->EvictKey(engine_->keyspace().db(0), "victim");
  EXPECT_EQ(Received(),
            (Events{{"__keyspace@0__:victim", "evicted"}, {"__keyevent@0__:evicted", "victim"}}));
  EXPECT_EQ(Run("EXISTS victim"), ":0\r\n");
}

TEST_F(KeyspaceEventsTest, RdbLoadingCreatesNoNewEvents) {
  Subscribe();
  Notify("En");
  engine_->keyspace().db(0).AddLoaded("loaded", Value(std::string("v")));
  EXPECT_TRUE(Received().empty());
  engine_->keyspace().db(0).Add("added", Value(std::string("v")));
  EXPECT_EQ(Received(), (Events{{"__keyevent@0__:new", "added"}}));
}

TEST_F(KeyspaceEventsTest, BlockedPopServedAtWakeUpFiresAfterThePush) {
  Subscribe();
  Notify("Elg");
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLMOVE src dst LEFT RIGHT 0"), "");
  Run("RPUSH src a");
  EXPECT_EQ(Received(), (Events{{"__keyevent@0__:rpush", "src"},
                                {"__keyevent@0__:rpush", "dst"},
                                {"__keyevent@0__:lpop", "src"},
                                {"__keyevent@0__:del", "src"}}));
}

TEST_F(KeyspaceEventsTest, TransactionsAndScriptsFireAsTheirCommandsRun) {
  Subscribe();
  Notify("E$g");
  Run("MULTI");
  Run("SET a 1");
  Run("INCR a");
  Run("DEL a");
  Run("EXEC");
  Run("EVAL \"redis.call('set', KEYS[1], 'x'); redis.call('expire', KEYS[1], 10)\" 1 b");
  EXPECT_EQ(Received(), (Events{{"__keyevent@0__:set", "a"},
                                {"__keyevent@0__:incrby", "a"},
                                {"__keyevent@0__:del", "a"},
                                {"__keyevent@0__:set", "b"},
                                {"__keyevent@0__:expire", "b"}}));
}

TEST_F(KeyspaceEventsTest, BadClassLetterIsRefusedWithRedisText) {
  EXPECT_EQ(Run("CONFIG SET notify-keyspace-events KEw"),
            "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n");
}

}  // namespace
}  // namespace drayman::testing
