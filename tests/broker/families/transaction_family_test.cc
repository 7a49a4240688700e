// MULTI, EXEC, DISCARD, WATCH, UNWATCH, as transcripts checked against Debian's redis-server
// 7.0.15. Transcripts whose writers are other families' commands need those families; the same
// invalidations are also driven through the Database API, which is what those commands call.
#include <functional>
#include <memory>
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class TransactionFamilyTest : public EngineTest {
 protected:
  // What SET does to the keyspace: store, then report the change.
  void Write(std::string_view key, std::string value, int db = 0) {
    Database& database = engine_->keyspace().db(db);
    database.Put(key, Value(std::move(value)));
    database.SignalModified(key);
  }

  // WATCH k, let `change` happen, then MULTI PING EXEC: returns EXEC's reply.
  std::string ExecAfter(const std::function<void()>& change) {
    EXPECT_EQ(Run("WATCH k"), "+OK\r\n");
    change();
    EXPECT_EQ(Run("MULTI"), "+OK\r\n");
    EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
    return Run("EXEC");
  }

  static constexpr char kPong[] = "*1\r\n+PONG\r\n";
  static constexpr char kAborted[] = "*-1\r\n";
};

TEST_F(TransactionFamilyTest, RowsMatchRedis) {
  // COMMAND INFO as redis-server 7.0.15 reports these rows.
  const CommandSpec* watch = engine_->commands().Find("watch");
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->arity, -2);
  EXPECT_EQ(CommandFlagNames(watch->flags),
            (std::vector<std::string_view>{"noscript", "loading", "stale", "fast", "allow_busy"}));
  EXPECT_EQ(watch->AclCategories(), (std::vector<std::string>{"@fast", "@transaction"}));
  EXPECT_EQ(watch->KeyIndexes({"WATCH", "a", "b"}), (std::vector<int>{1, 2}));
  const CommandSpec* exec = engine_->commands().Find("exec");
  EXPECT_EQ(CommandFlagNames(exec->flags),
            (std::vector<std::string_view>{"noscript", "loading", "stale", "skip_slowlog"}));
  EXPECT_EQ(exec->AclCategories(), (std::vector<std::string>{"@slow", "@transaction"}));
}

TEST_F(TransactionFamilyTest, QueuesAndExecutesInOrder) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_TRUE(client_->in_multi);
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("ECHO hi"), "+QUEUED\r\n");
  EXPECT_EQ(Run("SELECT 2"), "+QUEUED\r\n");
  EXPECT_EQ(client_->db, 0);  // queued, not run
  EXPECT_EQ(client_->multi_queue.size(), 3u);
  EXPECT_EQ(Run("EXEC"), "*3\r\n+PONG\r\n$2\r\nhi\r\n+OK\r\n");
  EXPECT_EQ(client_->db, 2);
  EXPECT_FALSE(client_->in_multi);
  EXPECT_EQ(Run("EXEC"), "-ERR EXEC without MULTI\r\n");
}

TEST_F(TransactionFamilyTest, EmptyTransaction) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("EXEC"), "*0\r\n");
}

TEST_F(TransactionFamilyTest, ControlErrorsDoNotAbortTheTransaction) {
  EXPECT_EQ(Run("EXEC"), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(Run("DISCARD"), "-ERR DISCARD without MULTI\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("MULTI"), "-ERR MULTI calls can not be nested\r\n");
  EXPECT_EQ(Run("WATCH k"), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionFamilyTest, QueueingErrorsMakeExecAbort) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("foo"), "-ERR unknown command 'foo', with args beginning with: \r\n");
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_FALSE(client_->in_multi);
  EXPECT_EQ(Run("EXEC"), "-ERR EXEC without MULTI\r\n");

  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("ECHO"), "-ERR wrong number of arguments for 'echo' command\r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");

  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("WATCH"), "-ERR wrong number of arguments for 'watch' command\r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");

  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT NOSUCH"), "-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST_F(TransactionFamilyTest, RuntimeErrorsInsideExecDoNotStopTheRest) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SELECT abc"), "+QUEUED\r\n");
  EXPECT_EQ(Run("BLPOP k -1"), "+QUEUED\r\n");
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"),
            "*3\r\n-ERR value is not an integer or out of range\r\n-ERR timeout is negative\r\n"
            "+PONG\r\n");
  // Each error is counted once (by the command that failed), and EXEC itself did not fail.
  EXPECT_EQ(engine_->stats().total_error_replies, 2u);
  EXPECT_EQ(engine_->stats().error_counts["ERR"], 2u);
  EXPECT_EQ(engine_->commands().Find("exec")->stats.failed_calls, 0u);
  EXPECT_EQ(engine_->commands().Find("select")->stats.failed_calls, 1u);
  EXPECT_EQ(engine_->commands().Find("exec")->stats.calls, 1u);
}

TEST_F(TransactionFamilyTest, ExecAbortIsCountedAsExecFailing) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("nosuch"), "-ERR unknown command 'nosuch', with args beginning with: \r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(engine_->stats().total_error_replies, 2u);
  EXPECT_EQ(engine_->stats().error_counts["EXECABORT"], 1u);
  EXPECT_EQ(engine_->commands().Find("exec")->stats.failed_calls, 1u);
}

TEST_F(TransactionFamilyTest, DiscardDropsTheQueue) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SELECT 3"), "+QUEUED\r\n");
  EXPECT_EQ(Run("DISCARD"), "+OK\r\n");
  EXPECT_EQ(client_->db, 0);
  EXPECT_TRUE(client_->multi_queue.empty());
  EXPECT_EQ(Run("DISCARD"), "-ERR DISCARD without MULTI\r\n");
}

TEST_F(TransactionFamilyTest, QuitInsideMultiIsNotQueued) {
  EXPECT_EQ(Feed("MULTI\r\nPING\r\nQUIT\r\nPING\r\n"), "+OK\r\n+QUEUED\r\n+OK\r\n");
  EXPECT_TRUE(client_->close_after_reply);
}

TEST_F(TransactionFamilyTest, PipelinedTransactionAsRedisPyWritesIt) {
  EXPECT_EQ(Feed("*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*1\r\n$4\r\nEXEC\r\n"),
            "+OK\r\n+QUEUED\r\n*1\r\n$1\r\na\r\n");
}

TEST_F(TransactionFamilyTest, WatchArityAndReplies) {
  EXPECT_EQ(Run("WATCH"), "-ERR wrong number of arguments for 'watch' command\r\n");
  EXPECT_EQ(Run("WATCH a b a"), "+OK\r\n");
  EXPECT_EQ(client_->watched_keys.size(), 2u);
  EXPECT_EQ(Run("UNWATCH"), "+OK\r\n");
  EXPECT_TRUE(client_->watched_keys.empty());
  EXPECT_EQ(Run("UNWATCH"), "+OK\r\n");
}

TEST_F(TransactionFamilyTest, UntouchedWatchExecutes) {
  EXPECT_EQ(ExecAfter([] {}), kPong);
}

TEST_F(TransactionFamilyTest, WriteByAnotherClientAborts) {
  EXPECT_EQ(ExecAfter([&] { Write("k", "v"); }), kAborted);
  EXPECT_FALSE(client_->in_multi);
  EXPECT_TRUE(client_->watched_keys.empty());  // EXEC unwatches, even when aborted
  EXPECT_EQ(ExecAfter([] {}), kPong);
}

TEST_F(TransactionFamilyTest, AbortedExecIsANullInResp3) {
  Resp3();
  EXPECT_EQ(ExecAfter([&] { Write("k", "v"); }), "_\r\n");
}

TEST_F(TransactionFamilyTest, WriteAfterMultiStillAborts) {
  EXPECT_EQ(Run("WATCH k"), "+OK\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  Write("k", "v");
  EXPECT_EQ(Run("EXEC"), kAborted);
}

TEST_F(TransactionFamilyTest, QueueErrorWinsOverTouchedWatch) {
  EXPECT_EQ(Run("WATCH k"), "+OK\r\n");
  Write("k", "v");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("foo"), "-ERR unknown command 'foo', with args beginning with: \r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST_F(TransactionFamilyTest, WritesToOtherKeysOrDatabasesDoNotAbort) {
  EXPECT_EQ(ExecAfter([&] {
              Write("other", "v");
              Write("k", "v", 1);
            }),
            kPong);
}

TEST_F(TransactionFamilyTest, DeletionAborts) {
  Write("k", "v");
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().db(0).Delete("k"); }), kAborted);
}

TEST_F(TransactionFamilyTest, KeyExpiringWhileWatchedAborts) {
  Database& database = engine_->keyspace().db(0);
  Write("k", "v");
  database.SetExpire("k", *database.Find("k"), clock_.NowMs() + 100);
  // Nobody touches the key: it is still stored when EXEC runs, but logically gone. (101 ms: a key
  // lives through its deadline millisecond in Redis.)
  EXPECT_EQ(ExecAfter([&] { clock_.AdvanceMs(101); }), kAborted);
}

TEST_F(TransactionFamilyTest, KeyExpiredBeforeWatchDoesNotAbort) {
  Database& database = engine_->keyspace().db(0);
  Write("k", "v");
  database.SetExpire("k", *database.Find("k"), clock_.NowMs() + 50);
  clock_.AdvanceMs(100);
  EXPECT_EQ(ExecAfter([] {}), kPong);
}

TEST_F(TransactionFamilyTest, ActiveExpiryOfAWatchedKeyAborts) {
  Database& database = engine_->keyspace().db(0);
  Write("k", "v");
  database.SetExpire("k", *database.Find("k"), clock_.NowMs() + 100);
  EXPECT_EQ(ExecAfter([&] {
              clock_.AdvanceMs(101);
              engine_->Cron();
              EXPECT_EQ(database.size(), 0u);
            }),
            kAborted);
}

TEST_F(TransactionFamilyTest, FlushAbortsOnlyWhenTheWatchedKeyExisted) {
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().FlushAll(); }), kPong);
  Write("k", "v");
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().FlushAll(); }), kAborted);
  Write("k", "v");
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().db(0).Clear(); }), kAborted);
  Write("k", "v");
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().db(1).Clear(); }), kPong);
}

TEST_F(TransactionFamilyTest, SwapdbAbortsWhenTheKeyExistsOnEitherSide) {
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().Swap(0, 1); }), kPong);
  Write("k", "v", 1);
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().Swap(0, 1); }), kAborted);  // k moves in
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().Swap(0, 1); }), kAborted);  // k moves out
  EXPECT_EQ(ExecAfter([&] { engine_->keyspace().Swap(2, 3); }), kPong);
}

TEST_F(TransactionFamilyTest, ABlockedCommandDoesNotTouchItsKeys) {
  EXPECT_EQ(Run("WATCH k"), "+OK\r\n");
  EXPECT_EQ(Run("BLMPOP 0 1 k LEFT"), "");  // blocks: a blocked command does not touch k
  EXPECT_TRUE(client_->blocked);
  Client* other = NewClient();
  EXPECT_EQ(RunOn(other, "CLIENT UNBLOCK " + std::to_string(client_->id())), ":1\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("EXEC"), "*0\r\n");
}

TEST_F(TransactionFamilyTest, APopByABlockedClientTouchesTheKey) {
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  EXPECT_EQ(ExecAfter([&] {
              Database& database = engine_->keyspace().db(0);
              database.Add("k", Value(std::make_unique<List>()));
              ValueAs<List>(database.Find("k")->value).PushBack("v");
              database.SignalReady("k");
              engine_->blocked_clients().ServeReady();
            }),
            kAborted);
  EXPECT_EQ(waiter->output(), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_F(TransactionFamilyTest, DiscardAndUnwatchForgetWatches) {
  EXPECT_EQ(Run("WATCH k"), "+OK\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("DISCARD"), "+OK\r\n");
  Write("k", "v");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("EXEC"), "*0\r\n");

  EXPECT_EQ(Run("WATCH k"), "+OK\r\n");
  EXPECT_EQ(Run("UNWATCH"), "+OK\r\n");
  Write("k", "w");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("EXEC"), "*0\r\n");
  EXPECT_EQ(engine_->watched_keys().watched_key_count(), 0u);
}

TEST_F(TransactionFamilyTest, DisconnectForgetsWatchesAndTheQueue) {
  Client* other = NewClient();
  EXPECT_EQ(RunOn(other, "WATCH k j"), "+OK\r\n");
  EXPECT_EQ(RunOn(other, "MULTI"), "+OK\r\n");
  EXPECT_EQ(engine_->watched_keys().watched_key_count(), 2u);
  engine_->Disconnect(other);
  EXPECT_EQ(engine_->watched_keys().watched_key_count(), 0u);
  Write("k", "v");  // must not touch the freed client
  EXPECT_EQ(ExecAfter([] {}), kPong);
}

TEST_F(TransactionFamilyTest, SeveralWatchersAreAllTouched) {
  Client* other = NewClient();
  EXPECT_EQ(RunOn(other, "WATCH k"), "+OK\r\n");
  EXPECT_EQ(ExecAfter([&] { Write("k", "v"); }), kAborted);
  EXPECT_EQ(RunOn(other, "MULTI"), "+OK\r\n");
  EXPECT_EQ(RunOn(other, "EXEC"), kAborted);
}

// --- The same through the commands that cause them (other families) ---

TEST_F(TransactionFamilyTest, WatchInvalidatedByCommands) {
  Client* other = NewClient();
  auto exec_after = [&](std::string_view change) {
    return ExecAfter([&] { RunOn(other, change); });
  };
  EXPECT_EQ(exec_after("SET k v"), kAborted);  // a missing key, then written
  EXPECT_EQ(exec_after("SET k v"), kAborted);  // same value: still a change
  EXPECT_EQ(exec_after("EXPIRE k 100"), kAborted);
  EXPECT_EQ(exec_after("DEL k"), kAborted);
  EXPECT_EQ(exec_after("DEL k"), kPong);  // deleting a missing key changes nothing
  EXPECT_EQ(exec_after("EXPIRE k 100"), kPong);
  EXPECT_EQ(exec_after("HSET k f v"), kAborted);
  EXPECT_EQ(exec_after("HSET other f v"), kPong);
  EXPECT_EQ(exec_after("RENAME other k"), kAborted);
  EXPECT_EQ(exec_after("RENAME k moved"), kAborted);
  EXPECT_EQ(exec_after("FLUSHDB"), kPong);  // k does not exist
  EXPECT_EQ(exec_after("LPUSH k v"), kAborted);
  EXPECT_EQ(exec_after("FLUSHALL"), kAborted);
  EXPECT_EQ(exec_after("SWAPDB 0 1"), kPong);
  EXPECT_EQ(RunOn(other, "SELECT 1"), "+OK\r\n");
  EXPECT_EQ(exec_after("SET k v"), kPong);  // another database
  EXPECT_EQ(exec_after("SWAPDB 0 1"), kAborted);
}

TEST_F(TransactionFamilyTest, OwnWritesAreChangesToo) {
  EXPECT_EQ(Run("WATCH k"), "+OK\r\n");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), kAborted);
}

TEST_F(TransactionFamilyTest, KombuRestoreTransaction) {
  // WATCH unacked; HGET; MULTI ZREM HDEL RPUSH EXEC, with the RPUSH waking a BRPOP consumer.
  Client* worker = NewClient();
  EXPECT_EQ(RunOn(worker, "BRPOP celery 1"), "");
  EXPECT_EQ(Run("HSET unacked tag payload"), ":1\r\n");
  EXPECT_EQ(Run("ZADD unacked_index 1 tag"), ":1\r\n");
  EXPECT_EQ(Run("WATCH unacked"), "+OK\r\n");
  EXPECT_EQ(Run("HGET unacked tag"), "$7\r\npayload\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("ZREM unacked_index tag"), "+QUEUED\r\n");
  EXPECT_EQ(Run("HDEL unacked tag"), "+QUEUED\r\n");
  EXPECT_EQ(Run("RPUSH celery payload"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*3\r\n:1\r\n:1\r\n:1\r\n");
  EXPECT_EQ(worker->output(), "*2\r\n$6\r\ncelery\r\n$7\r\npayload\r\n");
}

TEST_F(TransactionFamilyTest, KombuRestoreRetriesWhenAnotherWorkerTouchesTheHash) {
  Client* other_worker = NewClient();
  EXPECT_EQ(Run("HSET unacked tag payload"), ":1\r\n");
  EXPECT_EQ(Run("WATCH unacked"), "+OK\r\n");
  EXPECT_EQ(Run("HGET unacked tag"), "$7\r\npayload\r\n");
  EXPECT_EQ(RunOn(other_worker, "HSET unacked other-tag x"), ":1\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("HDEL unacked tag"), "+QUEUED\r\n");
  EXPECT_EQ(Run("RPUSH celery payload"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*-1\r\n");
  EXPECT_EQ(Run("EXISTS celery"), ":0\r\n");
}

}  // namespace
}  // namespace drayman::testing
