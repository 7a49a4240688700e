// The blocking framework on its own: waiters, ready keys, FIFO order, deadlines, disconnects.
// Keys are filled through the Database API (what LPUSH does: write, then signal the key), so these
// tests need no list command; the command-level behaviour is in blocking_family_test.cc.
#include "broker/blocking/blocked_clients.h"

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "broker/command/context.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class BlockedClientsTest : public EngineTest {
 protected:
  BlockedClients& blocked() { return engine_->blocked_clients(); }

  // Appends `values` to the list at `key` and signals the key, as a push command does.
  void Push(std::string_view key, std::initializer_list<std::string_view> values, int db = 0) {
    Database& database = engine_->keyspace().db(db);
    bool wrong_type = false;
    List* list = database.FindAs<List>(key, &wrong_type);
    ASSERT_FALSE(wrong_type);
    if (list == nullptr) {
      list = &ValueAs<List>(database.Add(key, Value(std::make_unique<List>())).value);
    }
    for (std::string_view value : values) list->PushBack(value);
    database.SignalModified(key);
    database.SignalReady(key);
  }

  size_t Length(std::string_view key, int db = 0) {
    bool wrong_type = false;
    List* list = engine_->keyspace().db(db).FindAs<List>(key, &wrong_type);
    return list == nullptr ? 0 : list->size();
  }

  // Takes what the engine wrote to `client` since the last call.
  static std::string Output(Client* client) {
    std::string out;
    out.swap(client->output());
    return out;
  }
};

TEST_F(BlockedClientsTest, WaitersOnOneKeyAreServedInArrivalOrder) {
  Client* first = NewClient();
  Client* second = NewClient();
  Client* third = NewClient();
  EXPECT_EQ(RunOn(first, "BLPOP k 0"), "");
  EXPECT_EQ(RunOn(second, "BLPOP k 0"), "");
  EXPECT_EQ(RunOn(third, "BLPOP k 0"), "");
  EXPECT_EQ(blocked().blocked_count(), 3u);

  Push("k", {"a", "b"});
  blocked().ServeReady();
  EXPECT_EQ(Output(first), "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  EXPECT_EQ(Output(second), "*2\r\n$1\r\nk\r\n$1\r\nb\r\n");
  EXPECT_EQ(Output(third), "");
  EXPECT_TRUE(third->blocked);
  EXPECT_FALSE(first->blocked);
  EXPECT_EQ(blocked().TakeResumed(), (std::vector<uint64_t>{first->id(), second->id()}));
  EXPECT_EQ(Length("k"), 0u);
  EXPECT_FALSE(engine_->keyspace().db(0).Find("k"));  // the emptied list is gone

  Push("k", {"c"});
  blocked().ServeReady();
  EXPECT_EQ(Output(third), "*2\r\n$1\r\nk\r\n$1\r\nc\r\n");
  EXPECT_EQ(blocked().blocked_count(), 0u);
}

TEST_F(BlockedClientsTest, AWaiterOnSeveralKeysIsServedOnceFromTheFirstReadyKey) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BRPOP high low 0"), "");
  // Both keys become ready before the engine serves: the key signalled first serves (Redis 7.0
  // serves ready keys in signalling order).
  Push("low", {"l"});
  Push("high", {"h"});
  blocked().ServeReady();
  EXPECT_EQ(Output(waiter), "*2\r\n$3\r\nlow\r\n$1\r\nl\r\n");
  EXPECT_EQ(Length("high"), 1u);
  EXPECT_EQ(blocked().blocked_count(), 0u);
}

TEST_F(BlockedClientsTest, ReadyKeysWithoutWaitersCostNothing) {
  Push("nobody-waits", {"x"});
  blocked().ServeReady();
  EXPECT_EQ(Length("nobody-waits"), 1u);
  EXPECT_TRUE(blocked().TakeResumed().empty());
}

TEST_F(BlockedClientsTest, BlmoveChainsResolveInOnePass) {
  Client* mover1 = NewClient();
  Client* mover2 = NewClient();
  Client* consumer = NewClient();
  EXPECT_EQ(RunOn(mover1, "BLMOVE a b LEFT RIGHT 0"), "");
  EXPECT_EQ(RunOn(mover2, "BRPOPLPUSH b c 0"), "");
  EXPECT_EQ(RunOn(consumer, "BLPOP c 0"), "");
  Push("a", {"x"});
  blocked().ServeReady();
  EXPECT_EQ(Output(mover1), "$1\r\nx\r\n");
  EXPECT_EQ(Output(mover2), "$1\r\nx\r\n");
  EXPECT_EQ(Output(consumer), "*2\r\n$1\r\nc\r\n$1\r\nx\r\n");
  EXPECT_EQ(Length("a") + Length("b") + Length("c"), 0u);
  EXPECT_EQ(blocked().blocked_count(), 0u);
}

TEST_F(BlockedClientsTest, AWrongTypeKeyKeepsTheWaiterWaiting) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  Database& database = engine_->keyspace().db(0);
  database.Put("k", Value(std::string("text")));
  database.SignalReady("k");
  blocked().ServeReady();
  EXPECT_EQ(Output(waiter), "");
  EXPECT_TRUE(waiter->blocked);
  database.Delete("k");
  Push("k", {"v"});
  blocked().ServeReady();
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_F(BlockedClientsTest, WaitersAreKeyedByDatabase) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "SELECT 3"), "+OK\r\n");
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  Push("k", {"db0"}, 0);
  blocked().ServeReady();
  EXPECT_EQ(Output(waiter), "");
  Push("k", {"db3"}, 3);
  blocked().ServeReady();
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$3\r\ndb3\r\n");
  EXPECT_EQ(Length("k", 0), 1u);
}

TEST_F(BlockedClientsTest, SwappingInADatabaseWakesItsWaiters) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  Push("k", {"from-db1"}, 1);
  engine_->keyspace().Swap(0, 1);
  blocked().ServeReady();
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$8\r\nfrom-db1\r\n");
}

TEST_F(BlockedClientsTest, TimeoutFiresAtTheDeadlineExactly) {
  Client* waiter = NewClient();
  const int64_t start = clock_.NowMs();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 1.5"), "");
  EXPECT_EQ(engine_->NextBlockingDeadline(), start + 1500);
  EXPECT_EQ(blocked().timeout_count(), 1u);
  clock_.AdvanceMs(1499);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "");
  clock_.AdvanceMs(1);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "*-1\r\n");
  EXPECT_FALSE(waiter->blocked);
  EXPECT_EQ(engine_->NextBlockingDeadline(), 0);
  EXPECT_EQ(blocked().timeout_count(), 0u);
}

TEST_F(BlockedClientsTest, TimeoutsFireInDeadlineOrderAndForeverNeverDoes) {
  Client* forever = NewClient();
  Client* late = NewClient();
  Client* early = NewClient();
  const int64_t start = clock_.NowMs();
  EXPECT_EQ(RunOn(forever, "BLPOP k 0"), "");
  EXPECT_EQ(RunOn(late, "BLPOP k 2"), "");
  EXPECT_EQ(RunOn(early, "BLPOP k 1"), "");
  EXPECT_EQ(engine_->NextBlockingDeadline(), start + 1000);
  clock_.AdvanceMs(1000);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(early), "*-1\r\n");
  EXPECT_EQ(Output(late), "");
  EXPECT_EQ(engine_->NextBlockingDeadline(), start + 2000);
  clock_.AdvanceMs(1'000'000);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(late), "*-1\r\n");
  EXPECT_EQ(Output(forever), "");
  EXPECT_TRUE(forever->blocked);
  EXPECT_EQ(engine_->NextBlockingDeadline(), 0);
}

TEST_F(BlockedClientsTest, TimeoutReplyFollowsTheProtocol) {
  Client* waiter = NewClient();
  waiter->reply().set_protocol(Protocol::kResp3);
  EXPECT_EQ(RunOn(waiter, "BLMOVE a b LEFT LEFT 0.25"), "");
  clock_.AdvanceMs(250);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(waiter), "_\r\n");
}

TEST_F(BlockedClientsTest, DisconnectWhileBlockedLeavesNoTrace) {
  Client* gone = NewClient();
  Client* stays = NewClient();
  EXPECT_EQ(RunOn(gone, "BLPOP k other 5"), "");
  EXPECT_EQ(RunOn(stays, "BLPOP k 0"), "");
  engine_->Disconnect(gone);
  EXPECT_EQ(blocked().blocked_count(), 1u);
  EXPECT_EQ(blocked().timeout_count(), 0u);
  EXPECT_EQ(engine_->NextBlockingDeadline(), 0);
  Push("k", {"v"});
  Push("other", {"w"});
  blocked().ServeReady();
  EXPECT_EQ(Output(stays), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(Length("other"), 1u);
  EXPECT_EQ(blocked().TakeResumed(), std::vector<uint64_t>{stays->id()});
}

TEST_F(BlockedClientsTest, DisconnectAfterServedBeforeResumedIsSafe) {
  Client* waiter = NewClient();
  Client* pusher = NewClient();
  waiter->parser().Feed("BLPOP k 1\r\nPING\r\n");
  engine_->ProcessInput(*waiter);
  EXPECT_TRUE(waiter->blocked);
  clock_.AdvanceMs(1000);
  blocked().TimeOutDue(clock_.NowMs());  // queued for resumption, not yet resumed
  engine_->Disconnect(waiter);
  EXPECT_EQ(RunOn(pusher, "PING"), "+PONG\r\n");  // resumes nothing, crashes nothing
}

TEST_F(BlockedClientsTest, DuplicateKeysWaitOnce) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k k k 0"), "");
  Push("k", {"a", "b"});
  blocked().ServeReady();
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  EXPECT_EQ(Length("k"), 1u);
}

TEST_F(BlockedClientsTest, AKeySignalledTwiceIsServedOnceInFirstSignalOrder) {
  Client* on_a = NewClient();
  Client* on_b = NewClient();
  EXPECT_EQ(RunOn(on_a, "BLPOP a 0"), "");
  EXPECT_EQ(RunOn(on_b, "BLPOP b 0"), "");
  Client* both = NewClient();
  EXPECT_EQ(RunOn(both, "BLPOP b a 0"), "");
  // a, b, a again: a's waiters are served first (then `both` from a, its second key), then b's.
  Push("a", {"a1"});
  Push("b", {"b1"});
  Push("a", {"a2"});
  blocked().ServeReady();
  EXPECT_EQ(Output(on_a), "*2\r\n$1\r\na\r\n$2\r\na1\r\n");
  EXPECT_EQ(Output(both), "*2\r\n$1\r\na\r\n$2\r\na2\r\n");
  EXPECT_EQ(Output(on_b), "*2\r\n$1\r\nb\r\n$2\r\nb1\r\n");
  EXPECT_EQ(blocked().TakeResumed(),
            (std::vector<uint64_t>{on_a->id(), both->id(), on_b->id()}));
  EXPECT_EQ(blocked().blocked_count(), 0u);
}

// Finished waits are recycled for the next Block: nothing of an earlier wait (arguments, keys,
// deadline, serve function) may leak into a later one.
TEST_F(BlockedClientsTest, ARecycledWaitCarriesNothingOver) {
  Client* mover = NewClient();
  Client* popper = NewClient();
  EXPECT_EQ(RunOn(mover, "BLMOVE src dst LEFT RIGHT 5"), "");
  EXPECT_EQ(RunOn(popper, "BRPOP x y 0"), "");
  Push("src", {"m"});
  blocked().ServeReady();
  EXPECT_EQ(Output(mover), "$1\r\nm\r\n");
  EXPECT_EQ(Length("dst"), 1u);
  EXPECT_EQ(blocked().timeout_count(), 0u);
  // The mover now waits on another key, without a deadline, with BLPOP's reply shape.
  EXPECT_EQ(RunOn(mover, "BLPOP q 0"), "");
  EXPECT_EQ(blocked().blocked_count(), 2u);
  EXPECT_EQ(engine_->NextBlockingDeadline(), 0);
  Push("src", {"not for anyone"});
  Push("y", {"y1"});
  blocked().ServeReady();
  EXPECT_EQ(Output(mover), "");
  EXPECT_EQ(Output(popper), "*2\r\n$1\r\ny\r\n$2\r\ny1\r\n");
  EXPECT_EQ(Length("src"), 1u);
  // The popper's recycled wait is on `z` only: `x` and `y` no longer reach it.
  EXPECT_EQ(RunOn(popper, "BLPOP z 0"), "");
  Push("x", {"x1"});
  Push("q", {"q1"});
  blocked().ServeReady();
  EXPECT_EQ(Output(popper), "");
  EXPECT_EQ(Output(mover), "*2\r\n$1\r\nq\r\n$2\r\nq1\r\n");
  EXPECT_EQ(Length("x"), 1u);
  EXPECT_EQ(blocked().blocked_count(), 1u);
}

// The extension point BZPOPMIN & co. use: a serve function for another value type.
TEST_F(BlockedClientsTest, ServeFunctionsDecideWhatServes) {
  Client* waiter = NewClient();
  const CommandSpec* spec = engine_->commands().Find("blpop");
  std::vector<std::string> args = {"XWAIT", "s", "0"};
  int calls = 0;
  blocked().Block(*waiter, *spec, args, {"s"}, 0,
                  [&calls](CommandContext& ctx, std::string_view key) {
                    ++calls;
                    bool wrong_type = false;
                    std::string* text = ctx.db.FindAs<std::string>(key, &wrong_type);
                    if (wrong_type) return ServeResult::kWrongType;
                    if (text == nullptr) return ServeResult::kNotReady;
                    ctx.reply.Bulk(*text);
                    ctx.db.Delete(key);
                    ctx.AddDirty();
                    return ServeResult::kServed;
                  });
  EXPECT_TRUE(waiter->blocked);
  Push("s", {"a list: wrong type for this waiter"});
  blocked().ServeReady();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(waiter->blocked);
  engine_->keyspace().db(0).Put("s", Value(std::string("hello")));
  engine_->keyspace().db(0).SignalReady("s");
  blocked().ServeReady();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Output(waiter), "$5\r\nhello\r\n");
  EXPECT_FALSE(waiter->blocked);
}

}  // namespace
}  // namespace drayman::testing
