#include "broker/engine.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

using DispatchTest = EngineTest;

TEST_F(DispatchTest, UnknownCommandListsArgumentsWithTrailingSpace) {
  EXPECT_EQ(Run("foo a b"), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(Run("foo"), "-ERR unknown command 'foo', with args beginning with: \r\n");
}

TEST_F(DispatchTest, WrongArityNamesTheCommandInLowercase) {
  EXPECT_EQ(Run("ECHO"), "-ERR wrong number of arguments for 'echo' command\r\n");
}

TEST_F(DispatchTest, CommandNamesAreCaseInsensitive) {
  EXPECT_EQ(Run("PiNg"), "+PONG\r\n");
  EXPECT_EQ(Run("ping hello"), "$5\r\nhello\r\n");
}

TEST_F(DispatchTest, ProtocolErrorAnswersOnceAndClosesAfterReply) {
  EXPECT_EQ(Feed("PING\r\n*1\r\n$abc\r\nPING\r\n"),
            "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(client_->close_after_reply);
}

TEST_F(DispatchTest, PipelinedCommandsRunInOrder) {
  EXPECT_EQ(Feed("PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n"),
            "+PONG\r\n$2\r\nhi\r\n+PONG\r\n");
}

TEST_F(DispatchTest, SelectValidatesIndex) {
  EXPECT_EQ(Run("SELECT 15"), "+OK\r\n");
  EXPECT_EQ(Run("SELECT 16"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("SELECT abc"), "-ERR value is not an integer or out of range\r\n");
}

TEST_F(DispatchTest, QuitRepliesOkAndCloses) {
  EXPECT_EQ(Feed("QUIT\r\nPING\r\n"), "+OK\r\n");
  EXPECT_TRUE(client_->close_after_reply);
}

// --- Blocking and transactions in dispatch ---

TEST_F(DispatchTest, ABlockedClientsPipelineWaitsAndEarlierRepliesAreReady) {
  Client* waiter = NewClient();
  EXPECT_EQ(Feed("ECHO before\r\nBLPOP k 0\r\nECHO after\r\n", waiter), "$6\r\nbefore\r\n");
  EXPECT_TRUE(waiter->blocked);
  EXPECT_EQ(waiter->parser().buffered_bytes(), 12u);  // "ECHO after\r\n" is still unread
  EXPECT_EQ(Feed("PING\r\n", waiter), "");
  EXPECT_EQ(engine_->blocked_clients().blocked_count(), 1u);
}

TEST_F(DispatchTest, IdleTimeoutSparesBlockedClients) {
  config_.settings().timeout_seconds = 1;
  Restart();
  Client* waiter = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP k 0"), "");
  clock_.AdvanceMs(5000);
  engine_->Cron();
  EXPECT_FALSE(waiter->close_asap);
  EXPECT_TRUE(client_->close_asap);  // idle and not blocked
}

TEST_F(DispatchTest, IdleTimeoutSparesSubscribersAndMonitors) {
  // Redis's clientsCronHandleTimeout skips pub/sub clients (any channel, pattern or shard
  // channel, RESP2 or RESP3) and MONITOR clients: they only listen.
  config_.settings().timeout_seconds = 1;
  Restart();
  Client* subscriber = NewClient();
  Client* pattern_subscriber = NewClient();
  Client* shard_subscriber = NewClient();
  Client* monitor = NewClient();
  Client* unsubscribed = NewClient();
  RunOn(subscriber, "SUBSCRIBE news");
  RunOn(pattern_subscriber, "PSUBSCRIBE n*");
  RunOn(shard_subscriber, "SSUBSCRIBE s");
  RunOn(monitor, "MONITOR");
  RunOn(unsubscribed, "SUBSCRIBE a");
  RunOn(unsubscribed, "UNSUBSCRIBE a");
  clock_.AdvanceMs(5000);
  engine_->Cron();
  EXPECT_FALSE(subscriber->close_asap);
  EXPECT_FALSE(pattern_subscriber->close_asap);
  EXPECT_FALSE(shard_subscriber->close_asap);
  EXPECT_FALSE(monitor->close_asap);
  EXPECT_TRUE(unsubscribed->close_asap);  // no longer subscribed: an idle client like any other
  EXPECT_TRUE(client_->close_asap);
}

TEST_F(DispatchTest, MultiQueuesOnlyAfterTheCommandPassesDispatchChecks) {
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("PING a b"), "+QUEUED\r\n");  // PING checks its own arguments when it runs
  EXPECT_EQ(Run("ECHO"), "-ERR wrong number of arguments for 'echo' command\r\n");
  EXPECT_TRUE(client_->multi_aborted);
  EXPECT_EQ(Run("DISCARD"), "+OK\r\n");
  EXPECT_FALSE(client_->multi_aborted);
  // Queued commands are not executions: no calls, no processed commands.
  EXPECT_EQ(engine_->commands().Find("ping")->stats.calls, 0u);
  EXPECT_EQ(client_->last_command_name(), "discard");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("ECHO x"), "+QUEUED\r\n");
  EXPECT_EQ(client_->last_command_name(), "echo");  // CLIENT LIST's cmd= names the queued command
}

}  // namespace
}  // namespace drayman::testing
