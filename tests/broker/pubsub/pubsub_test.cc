// The PubSub registry below the commands: MONITOR argument formatting and redaction, and the
// refusals dispatch applies to subscribed and monitoring clients.
#include "broker/pubsub/pubsub.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

std::string Format(std::vector<std::string> args) { return PubSub::FormatMonitorArgs(args); }

TEST(MonitorArgsTest, RedactsAuthCredentialsWhereRedisHandlersDo) {
  EXPECT_EQ(Format({"AUTH", "secret"}), R"m("AUTH" "(redacted)")m");
  EXPECT_EQ(Format({"auth", "user", "secret"}), R"m("auth" "(redacted)" "(redacted)")m");
  // AUTH with too many arguments fails its syntax check before redacting.
  EXPECT_EQ(Format({"AUTH", "a", "b", "c"}), R"m("AUTH" "a" "b" "c")m");
}

TEST(MonitorArgsTest, RedactsHelloAuthPairsUpToTheFirstOptionError) {
  EXPECT_EQ(Format({"HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n"}),
            R"m("HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "n")m");
  EXPECT_EQ(Format({"HELLO", "2", "auth", "default", "pw", "AUTH", "a", "b"}),
            R"m("HELLO" "2" "auth" "(redacted)" "(redacted)" "AUTH" "(redacted)" "(redacted)")m");
  EXPECT_EQ(Format({"HELLO", "3"}), R"m("HELLO" "3")m");
  // Redis checks the version first, and stops at an unknown or incomplete option.
  EXPECT_EQ(Format({"HELLO", "4", "AUTH", "default", "pw"}),
            R"m("HELLO" "4" "AUTH" "default" "pw")m");
  EXPECT_EQ(Format({"HELLO", "x", "AUTH", "default", "pw"}),
            R"m("HELLO" "x" "AUTH" "default" "pw")m");
  EXPECT_EQ(Format({"HELLO", "2", "SETNAME", "n", "AUTH", "default"}),
            R"m("HELLO" "2" "SETNAME" "n" "AUTH" "default")m");
  EXPECT_EQ(Format({"HELLO", "2", "FOO", "AUTH", "default", "pw"}),
            R"m("HELLO" "2" "FOO" "AUTH" "default" "pw")m");
  EXPECT_EQ(Format({"HELLO", "2", "AUTH", "u", "p", "FOO", "AUTH", "v", "q"}),
            R"m("HELLO" "2" "AUTH" "(redacted)" "(redacted)" "FOO" "AUTH" "v" "q")m");
}

TEST(MonitorArgsTest, QuotesLikeSdscatrepr) {
  EXPECT_EQ(Format({"SET", "int", "12345"}), R"m("SET" "int" "12345")m");
  EXPECT_EQ(Format({"SET", "", std::string("\x7f\x1f~ ", 4)}), R"m("SET" "" "\x7f\x1f~ ")m");
  EXPECT_EQ(Format({"LPUSH",
                    "celery\x06\x16"
                    "3",
                    "{\"a\": 1}"}),
            R"m("LPUSH" "celery\x06\x163" "{\"a\": 1}")m");
}

using RefusalTest = EngineTest;

TEST_F(RefusalTest, MonitorsMayNotTouchTheKeyspace) {
  CommandSpec read{.name = "get", .flags = kCmdReadonly | kCmdFast};
  CommandSpec write{.name = "set", .flags = kCmdWrite | kCmdDenyOom};
  CommandSpec replicating{.name = "eval", .flags = kCmdMayReplicate};
  CommandSpec other{.name = "ping", .flags = kCmdFast | kCmdPubsubContext};
  EXPECT_EQ(PubSub::Refusal(*client_, read), "");
  EXPECT_EQ(Run("MONITOR"), "+OK\r\n");
  EXPECT_EQ(PubSub::Refusal(*client_, read), "ERR Replica can't interact with the keyspace");
  EXPECT_EQ(PubSub::Refusal(*client_, write), "ERR Replica can't interact with the keyspace");
  EXPECT_EQ(PubSub::Refusal(*client_, replicating), "ERR Replica can't interact with the keyspace");
  EXPECT_EQ(PubSub::Refusal(*client_, other), "");
}

TEST_F(RefusalTest, SubscribedContextAppliesToResp2Only) {
  CommandSpec get{.name = "get", .flags = kCmdReadonly | kCmdFast};
  get.full_name = "get";
  EXPECT_EQ(Run("SUBSCRIBE c"), "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  EXPECT_EQ(PubSub::Refusal(*client_, get),
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context");
  Resp3();
  EXPECT_EQ(PubSub::Refusal(*client_, get), "");
}

TEST_F(RefusalTest, RemoveClientDropsSubscriptionsAndMonitorWithoutReplies) {
  Run("SUBSCRIBE a b");
  Run("PSUBSCRIBE p*");
  Run("SSUBSCRIBE s");
  Run("MONITOR");
  client_->output().clear();
  engine_->pubsub().RemoveClient(*client_);
  EXPECT_EQ(client_->output(), "");
  EXPECT_FALSE(client_->pubsub.subscribed());
  EXPECT_FALSE(client_->pubsub.monitor);
  EXPECT_EQ(engine_->pubsub().channel_count(), 0u);
  EXPECT_EQ(engine_->pubsub().pattern_count(), 0u);
  EXPECT_EQ(engine_->pubsub().shard_channel_count(), 0u);
  EXPECT_EQ(engine_->pubsub().monitor_count(), 0u);
  // Back to a normal client: RESET relies on this.
  EXPECT_EQ(Run("ECHO x"), "$1\r\nx\r\n");
}

}  // namespace
}  // namespace drayman::testing
