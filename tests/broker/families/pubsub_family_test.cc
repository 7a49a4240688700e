// Pub/sub and MONITOR as redis-cli transcripts, with two or more clients. Expected bytes were
// taken from Debian's redis-server 7.0.15.
#include <string>
#include <vector>

#include "broker/engine.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kContextTail =
    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
    "context\r\n";

class PubSubFamilyTest : public EngineTest {
 protected:
  PubSubFamilyTest() {
    subscriber_ = engine_->Connect(&subscriber_observer_, "127.0.0.1:50001", "127.0.0.1:6379", 8);
  }

  // Takes whatever was appended to `client` outside its own commands.
  static std::string Drain(Client* client) {
    std::string out;
    out.swap(client->output());
    return out;
  }

  // One [kind, name, count] frame, for loops over many names.
  static std::string Confirmation(std::string_view kind, std::string_view name, int64_t count,
                                  char type = '*') {
    return std::string(1, type) + "3\r\n$" + std::to_string(kind.size()) + "\r\n" +
           std::string(kind) + "\r\n$" + std::to_string(name.size()) + "\r\n" + std::string(name) +
           "\r\n:" + std::to_string(count) + "\r\n";
  }

  RecordingObserver subscriber_observer_;
  Client* subscriber_ = nullptr;
};

TEST_F(PubSubFamilyTest, SubscribeConfirmsEachNameWithChannelsPlusPatterns) {
  EXPECT_EQ(RunOn(subscriber_, "SUBSCRIBE c1 c2 c1"),
            "*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n"
            "*3\r\n$9\r\nsubscribe\r\n$2\r\nc2\r\n:2\r\n"
            "*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:2\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PSUBSCRIBE c* /0.*"),
            "*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:3\r\n"
            "*3\r\n$10\r\npsubscribe\r\n$4\r\n/0.*\r\n:4\r\n");
  // Shard channels are counted apart from channels and patterns, as in Redis 7.0.
  EXPECT_EQ(RunOn(subscriber_, "SSUBSCRIBE s1 s2"),
            "*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n"
            "*3\r\n$10\r\nssubscribe\r\n$2\r\ns2\r\n:2\r\n");
  EXPECT_EQ(RunOn(subscriber_, "SSUBSCRIBE c1"), "*3\r\n$10\r\nssubscribe\r\n$2\r\nc1\r\n:3\r\n");
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE c2"), "*3\r\n$11\r\nunsubscribe\r\n$2\r\nc2\r\n:3\r\n");
}

TEST_F(PubSubFamilyTest, SubscribeWithoutNamesIsAnArityError) {
  EXPECT_EQ(Run("SUBSCRIBE"), "-ERR wrong number of arguments for 'subscribe' command\r\n");
  EXPECT_EQ(Run("PSUBSCRIBE"), "-ERR wrong number of arguments for 'psubscribe' command\r\n");
  EXPECT_EQ(Run("SSUBSCRIBE"), "-ERR wrong number of arguments for 'ssubscribe' command\r\n");
  EXPECT_EQ(Run("PUBLISH x"), "-ERR wrong number of arguments for 'publish' command\r\n");
}

TEST_F(PubSubFamilyTest, PublishDeliversToChannelAndPatternSubscribers) {
  Client* other = NewClient();
  RunOn(subscriber_, "SUBSCRIBE news");
  RunOn(other, "PSUBSCRIBE n*");
  const int pending_before = subscriber_observer_.output_pending;
  EXPECT_EQ(Run("PUBLISH news hello"), ":2\r\n");
  EXPECT_EQ(Drain(subscriber_), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  EXPECT_EQ(Drain(other), "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  // Output appended outside the subscriber's own command is announced to its transport.
  EXPECT_EQ(subscriber_observer_.output_pending, pending_before + 1);
  EXPECT_EQ(Run("PUBLISH other x"), ":0\r\n");
  EXPECT_EQ(Drain(subscriber_), "");
  EXPECT_EQ(Drain(other), "");
}

TEST_F(PubSubFamilyTest, ClientMatchingByChannelAndPatternsGetsEveryCopy) {
  RunOn(subscriber_, "PSUBSCRIBE a* *b a*");
  RunOn(subscriber_, "SUBSCRIBE ab");
  EXPECT_EQ(Run("PUBLISH ab x"), ":3\r\n");
  // The channel message first, then one pmessage per matching pattern.
  EXPECT_EQ(Drain(subscriber_),
            "*3\r\n$7\r\nmessage\r\n$2\r\nab\r\n$1\r\nx\r\n"
            "*4\r\n$8\r\npmessage\r\n$2\r\n*b\r\n$2\r\nab\r\n$1\r\nx\r\n"
            "*4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$2\r\nab\r\n$1\r\nx\r\n");
}

TEST_F(PubSubFamilyTest, PatternsUseRedisGlobRules) {
  RunOn(subscriber_, "PSUBSCRIBE h[ae]llo h\\* /0.celery.pidbox");
  EXPECT_EQ(Run("PUBLISH hallo 1"), ":1\r\n");
  EXPECT_EQ(Run("PUBLISH h* 2"), ":1\r\n");
  EXPECT_EQ(Run("PUBLISH hxllo 3"), ":0\r\n");
  EXPECT_EQ(Run("PUBLISH /0.celery.pidbox 4"), ":1\r\n");
  EXPECT_EQ(Drain(subscriber_),
            "*4\r\n$8\r\npmessage\r\n$8\r\nh[ae]llo\r\n$5\r\nhallo\r\n$1\r\n1\r\n"
            "*4\r\n$8\r\npmessage\r\n$3\r\nh\\*\r\n$2\r\nh*\r\n$1\r\n2\r\n"
            "*4\r\n$8\r\npmessage\r\n$16\r\n/0.celery.pidbox\r\n$16\r\n/0.celery.pidbox\r\n"
            "$1\r\n4\r\n");
}

TEST_F(PubSubFamilyTest, PubSubIsGlobalAcrossDatabases) {
  RunOn(subscriber_, "SUBSCRIBE celery-task-meta-1");
  EXPECT_EQ(Run("SELECT 5"), "+OK\r\n");
  EXPECT_EQ(Run("PUBLISH celery-task-meta-1 done"), ":1\r\n");
  EXPECT_EQ(Drain(subscriber_),
            "*3\r\n$7\r\nmessage\r\n$18\r\ncelery-task-meta-1\r\n$4\r\ndone\r\n");
}

TEST_F(PubSubFamilyTest, NamesAndMessagesAreBinarySafe) {
  const std::string channel("a\0b\r\n", 5);
  const std::string message("\x06\x16\0\xff", 4);
  EXPECT_EQ(RunArgsOn(subscriber_, {"SUBSCRIBE", channel}),
            "*3\r\n$9\r\nsubscribe\r\n$5\r\n" + channel + "\r\n:1\r\n");
  EXPECT_EQ(RunArgs({"PUBLISH", channel, message}), ":1\r\n");
  EXPECT_EQ(Drain(subscriber_),
            "*3\r\n$7\r\nmessage\r\n$5\r\n" + channel + "\r\n$4\r\n" + message + "\r\n");
  EXPECT_EQ(RunArgs({"PUBLISH", std::string("a\0c\r\n", 5), message}), ":0\r\n");
}

TEST_F(PubSubFamilyTest, NoArgumentUnsubscribeOutsideSubscribedModeRepliesOnceWithNull) {
  // Redis 7.0's reply that Celery and redis-cli rely on (Valkey 8 changed it and broke Celery).
  EXPECT_EQ(Run("UNSUBSCRIBE"), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(Run("PUNSUBSCRIBE"), "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(Run("SUNSUBSCRIBE"), "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(Run("UNSUBSCRIBE x y"),
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:0\r\n"
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\ny\r\n:0\r\n");
  // Still not in subscribed mode: other commands run.
  EXPECT_EQ(Run("ECHO hi"), "$2\r\nhi\r\n");
}

TEST_F(PubSubFamilyTest, NoArgumentUnsubscribeWithOnlyPatternsCarriesThePatternCount) {
  RunOn(subscriber_, "PSUBSCRIBE p1 p2");
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE"), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:2\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PUNSUBSCRIBE p2"),
            "*3\r\n$12\r\npunsubscribe\r\n$2\r\np2\r\n:1\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PUNSUBSCRIBE"), "*3\r\n$12\r\npunsubscribe\r\n$2\r\np1\r\n:0\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PUNSUBSCRIBE"), "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
}

TEST_F(PubSubFamilyTest, NoArgumentUnsubscribeRepliesPerChannelWithFallingCounts) {
  RunOn(subscriber_, "SUBSCRIBE c1 c2 c3");
  RunOn(subscriber_, "PSUBSCRIBE p*");
  const std::string reply = RunOn(subscriber_, "UNSUBSCRIBE");
  // Channel order is the set's (Redis's is its dict's); counts fall from 3 to 1 (the pattern).
  std::vector<std::string> seen;
  size_t at = 0;
  for (int64_t count = 3; count >= 1; --count) {
    bool matched = false;
    for (std::string name : {"c1", "c2", "c3"}) {
      const std::string frame = Confirmation("unsubscribe", name, count);
      if (reply.compare(at, frame.size(), frame) == 0) {
        seen.push_back(name);
        at += frame.size();
        matched = true;
        break;
      }
    }
    ASSERT_TRUE(matched) << reply;
  }
  EXPECT_EQ(at, reply.size());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(Run("PUBLISH c1 x"), ":0\r\n");
  EXPECT_EQ(Run("PUBSUB NUMSUB c1 c2 c3"),
            "*6\r\n$2\r\nc1\r\n:0\r\n$2\r\nc2\r\n:0\r\n$2\r\nc3\r\n:0\r\n");
}

TEST_F(PubSubFamilyTest, UnsubscribeOfANameHeldOnlyAsAPatternLeavesThePattern) {
  // kombu subscribes its fanout topics with PSUBSCRIBE and unsubscribes them with UNSUBSCRIBE.
  RunOn(subscriber_, "PSUBSCRIBE /0.celery.pidbox");
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE /0.celery.pidbox"),
            "*3\r\n$11\r\nunsubscribe\r\n$16\r\n/0.celery.pidbox\r\n:1\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PUNSUBSCRIBE c1"),
            "*3\r\n$12\r\npunsubscribe\r\n$2\r\nc1\r\n:1\r\n");
  EXPECT_EQ(Run("PUBLISH /0.celery.pidbox m"), ":1\r\n");
  EXPECT_EQ(Run("PUBSUB NUMPAT"), ":1\r\n");
}

TEST_F(PubSubFamilyTest, SubscribedResp2ClientMayOnlyRunPubSubContextCommands) {
  RunOn(subscriber_, "SUBSCRIBE x");
  EXPECT_EQ(RunOn(subscriber_, "ECHO hi"), "-ERR Can't execute 'echo" + std::string(kContextTail));
  EXPECT_EQ(RunOn(subscriber_, "publish x y"),
            "-ERR Can't execute 'publish" + std::string(kContextTail));
  // Subcommands are named by their full name.
  EXPECT_EQ(RunOn(subscriber_, "PUBSUB NUMPAT"),
            "-ERR Can't execute 'pubsub|numpat" + std::string(kContextTail));
  EXPECT_EQ(RunOn(subscriber_, "MONITOR"),
            "-ERR Can't execute 'monitor" + std::string(kContextTail));
  // Lookup and arity come first.
  EXPECT_EQ(RunOn(subscriber_, "FOO x"),
            "-ERR unknown command 'FOO', with args beginning with: 'x' \r\n");
  EXPECT_EQ(RunOn(subscriber_, "ECHO"), "-ERR wrong number of arguments for 'echo' command\r\n");
  // Rejections count in COMMANDSTATS (one refused here, one for its arity).
  EXPECT_EQ(engine_->commands().Find("echo")->stats.rejected_calls, 2u);
  // Allowed: the (un)subscribe family, PING, QUIT.
  EXPECT_EQ(RunOn(subscriber_, "PSUBSCRIBE p"), "*3\r\n$10\r\npsubscribe\r\n$1\r\np\r\n:2\r\n");
  EXPECT_EQ(RunOn(subscriber_, "SSUBSCRIBE s"), "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE"), "*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:1\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PUNSUBSCRIBE"), "*3\r\n$12\r\npunsubscribe\r\n$1\r\np\r\n:0\r\n");
  // A shard subscription alone keeps the client in subscribed mode.
  EXPECT_EQ(RunOn(subscriber_, "ECHO hi"), "-ERR Can't execute 'echo" + std::string(kContextTail));
  EXPECT_EQ(RunOn(subscriber_, "SUNSUBSCRIBE"), "*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n");
  EXPECT_EQ(RunOn(subscriber_, "ECHO hi"), "$2\r\nhi\r\n");
  RunOn(subscriber_, "SUBSCRIBE x");
  EXPECT_EQ(RunOn(subscriber_, "QUIT"), "+OK\r\n");
  EXPECT_TRUE(subscriber_->close_after_reply);
}

TEST_F(PubSubFamilyTest, PingWhileSubscribedInResp2IsAPongArray) {
  EXPECT_EQ(RunOn(subscriber_, "PING"), "+PONG\r\n");
  RunOn(subscriber_, "SUBSCRIBE x");
  EXPECT_EQ(RunOn(subscriber_, "PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  // redis-py's health check.
  EXPECT_EQ(RunOn(subscriber_, "PING redis-py-health-check"),
            "*2\r\n$4\r\npong\r\n$21\r\nredis-py-health-check\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PING a b"),
            "-ERR wrong number of arguments for 'ping' command\r\n");
  RunOn(subscriber_, "UNSUBSCRIBE");
  EXPECT_EQ(RunOn(subscriber_, "PING hi"), "$2\r\nhi\r\n");
}

TEST_F(PubSubFamilyTest, Resp3UsesPushFramesAndAllowsEveryCommand) {
  subscriber_->reply().set_protocol(Protocol::kResp3);
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE"), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
  EXPECT_EQ(RunOn(subscriber_, "SUBSCRIBE c1"), ">3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PSUBSCRIBE c*"), ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n");
  EXPECT_EQ(RunOn(subscriber_, "ECHO hi"), "$2\r\nhi\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PING"), "+PONG\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PING hello"), "$5\r\nhello\r\n");
  EXPECT_EQ(Run("PUBLISH c1 m1"), ":2\r\n");
  EXPECT_EQ(Drain(subscriber_),
            ">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$2\r\nm1\r\n"
            ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$2\r\nm1\r\n");
  EXPECT_EQ(RunOn(subscriber_, "PUNSUBSCRIBE"), ">3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:1\r\n");
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE"), ">3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:0\r\n");
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE"), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

TEST_F(PubSubFamilyTest, OnePublishServesResp2AndResp3SubscribersTheirOwnFraming) {
  Client* resp3 = NewClient();
  resp3->reply().set_protocol(Protocol::kResp3);
  RunOn(subscriber_, "SUBSCRIBE c");
  RunOn(resp3, "SUBSCRIBE c");
  EXPECT_EQ(Run("PUBLISH c m"), ":2\r\n");
  EXPECT_EQ(Drain(subscriber_), "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  EXPECT_EQ(Drain(resp3), ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
}

TEST_F(PubSubFamilyTest, ShardChannelsAreASeparateNamespace) {
  RunOn(subscriber_, "SSUBSCRIBE s1");
  RunOn(subscriber_, "PSUBSCRIBE *");
  Drain(subscriber_);
  EXPECT_EQ(Run("SPUBLISH s1 m"), ":1\r\n");
  EXPECT_EQ(Drain(subscriber_), "*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$1\r\nm\r\n");
  // PUBLISH reaches the pattern only; SPUBLISH never reaches patterns.
  EXPECT_EQ(Run("PUBLISH s1 m"), ":1\r\n");
  EXPECT_EQ(Drain(subscriber_), "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$2\r\ns1\r\n$1\r\nm\r\n");
  EXPECT_EQ(Run("SPUBLISH other m"), ":0\r\n");
  EXPECT_EQ(Run("PUBSUB SHARDNUMSUB s1 c1"), "*4\r\n$2\r\ns1\r\n:1\r\n$2\r\nc1\r\n:0\r\n");
  EXPECT_EQ(Run("PUBSUB NUMSUB s1"), "*2\r\n$2\r\ns1\r\n:0\r\n");
  EXPECT_EQ(Run("PUBSUB SHARDCHANNELS"), "*1\r\n$2\r\ns1\r\n");
  EXPECT_EQ(Run("PUBSUB SHARDCHANNELS x*"), "*0\r\n");
  EXPECT_EQ(Run("PUBSUB CHANNELS"), "*0\r\n");
}

TEST_F(PubSubFamilyTest, PubsubIntrospection) {
  Client* other = NewClient();
  RunOn(subscriber_, "SUBSCRIBE c1 c2");
  RunOn(other, "SUBSCRIBE c1");
  RunOn(subscriber_, "PSUBSCRIBE p*");
  RunOn(other, "PSUBSCRIBE p* q*");
  EXPECT_EQ(Run("PUBSUB NUMSUB c1 c2 zz"),
            "*6\r\n$2\r\nc1\r\n:2\r\n$2\r\nc2\r\n:1\r\n$2\r\nzz\r\n:0\r\n");
  EXPECT_EQ(Run("PUBSUB NUMSUB"), "*0\r\n");
  // Distinct patterns.
  EXPECT_EQ(Run("PUBSUB NUMPAT"), ":2\r\n");
  EXPECT_EQ(Run("PUBSUB CHANNELS c1*"), "*1\r\n$2\r\nc1\r\n");
  EXPECT_EQ(Run("PUBSUB CHANNELS C*"), "*0\r\n");
  const std::string all = Run("PUBSUB CHANNELS");
  EXPECT_TRUE(all == "*2\r\n$2\r\nc1\r\n$2\r\nc2\r\n" || all == "*2\r\n$2\r\nc2\r\n$2\r\nc1\r\n")
      << all;
  // The same answers in RESP3: NUMSUB stays a flat array, as Redis 7.0 sends it.
  Resp3();
  EXPECT_EQ(Run("PUBSUB NUMSUB c2"), "*2\r\n$2\r\nc2\r\n:1\r\n");
  EXPECT_EQ(engine_->pubsub().channel_count(), 2u);
  EXPECT_EQ(engine_->pubsub().pattern_count(), 2u);
  EXPECT_EQ(engine_->pubsub().shard_channel_count(), 0u);
}

TEST_F(PubSubFamilyTest, PubsubErrorsAndHelp) {
  EXPECT_EQ(Run("PUBSUB"), "-ERR wrong number of arguments for 'pubsub' command\r\n");
  EXPECT_EQ(Run("PUBSUB FOO"), "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n");
  EXPECT_EQ(Run("PUBSUB NUMPAT x"),
            "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
  EXPECT_EQ(Run("PUBSUB Help x"), "-ERR wrong number of arguments for 'pubsub|help' command\r\n");
  EXPECT_EQ(Run("pubsub channels x y"),
            "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB "
            "HELP.\r\n");
  EXPECT_EQ(Run("PUBSUB SHARDCHANNELS x y"),
            "-ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try PUBSUB "
            "HELP.\r\n");
  EXPECT_EQ(Run("PUBSUB HELP"),
            "*14\r\n"
            "+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+CHANNELS [<pattern>]\r\n"
            "+    Return the currently active channels matching a <pattern> (default: '*').\r\n"
            "+NUMPAT\r\n"
            "+    Return number of subscriptions to patterns.\r\n"
            "+NUMSUB [<channel> ...]\r\n"
            "+    Return the number of subscribers for the specified channels, excluding\r\n"
            "+    pattern subscriptions(default: no channels).\r\n"
            "+SHARDCHANNELS [<pattern>]\r\n"
            "+    Return the currently active shard level channels matching a <pattern> "
            "(default: '*').\r\n"
            "+SHARDNUMSUB [<shardchannel> ...]\r\n"
            "+    Return the number of subscribers for the specified shard level channel(s)\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
}

TEST_F(PubSubFamilyTest, DisconnectDropsEverySubscription) {
  RunOn(subscriber_, "SUBSCRIBE c1 c2");
  RunOn(subscriber_, "PSUBSCRIBE p*");
  RunOn(subscriber_, "SSUBSCRIBE s");
  Client* other = NewClient();
  RunOn(other, "SUBSCRIBE c1");
  engine_->Disconnect(subscriber_);
  subscriber_ = nullptr;
  EXPECT_EQ(Run("PUBSUB NUMSUB c1 c2"), "*4\r\n$2\r\nc1\r\n:1\r\n$2\r\nc2\r\n:0\r\n");
  EXPECT_EQ(Run("PUBSUB NUMPAT"), ":0\r\n");
  EXPECT_EQ(Run("PUBLISH p1 x"), ":0\r\n");
  EXPECT_EQ(Run("SPUBLISH s x"), ":0\r\n");
  EXPECT_EQ(Run("PUBLISH c1 x"), ":1\r\n");
  EXPECT_EQ(engine_->pubsub().channel_count(), 1u);
}

TEST_F(PubSubFamilyTest, ManySubscriptionsOnOneClient) {
  // Celery's result consumer holds one channel per pending task on one connection.
  std::vector<std::string> args = {"SUBSCRIBE"};
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    args.push_back("celery-task-meta-" + std::to_string(i));
    expected += Confirmation("subscribe", args.back(), i + 1);
  }
  EXPECT_EQ(RunArgsOn(subscriber_, args), expected);
  EXPECT_EQ(Run("PUBLISH celery-task-meta-12345 r"), ":1\r\n");
  EXPECT_EQ(Drain(subscriber_),
            "*3\r\n$7\r\nmessage\r\n$22\r\ncelery-task-meta-12345\r\n$1\r\nr\r\n");
  EXPECT_EQ(RunOn(subscriber_, "UNSUBSCRIBE celery-task-meta-12345"),
            Confirmation("unsubscribe", "celery-task-meta-12345", 19999));
  // One confirmation per remaining channel, counts falling to 0 (names in the set's order).
  const std::string all = RunOn(subscriber_, "UNSUBSCRIBE");
  size_t expected_size = 0;
  for (int i = 0, count = 19998; i < 20000; ++i) {
    if (i != 12345) expected_size += Confirmation("unsubscribe", args[i + 1], count--).size();
  }
  EXPECT_EQ(all.size(), expected_size);
  EXPECT_EQ(all.substr(all.size() - 4), ":0\r\n");
  EXPECT_EQ(engine_->pubsub().channel_count(), 0u);
  EXPECT_FALSE(subscriber_->pubsub.subscribed());
}

// --- MONITOR ---

class MonitorTest : public PubSubFamilyTest {
 protected:
  MonitorTest() {
    clock_.SetMs(1'700'000'123'456);
    clock_.AdvanceUs(789);  // 1700000123.456789
    monitor_ = engine_->Connect(&monitor_observer_, "127.0.0.1:40000", "127.0.0.1:6379", 9);
    EXPECT_EQ(RunOn(monitor_, "MONITOR"), "+OK\r\n");
  }
  RecordingObserver monitor_observer_;
  Client* monitor_ = nullptr;
};

TEST_F(MonitorTest, FeedsEachExecutedCommandAfterItRan) {
  EXPECT_EQ(Run("ECHO hello"), "$5\r\nhello\r\n");
  EXPECT_EQ(Drain(monitor_), "+1700000123.456789 [0 127.0.0.1:50000] \"ECHO\" \"hello\"\r\n");
  EXPECT_GE(monitor_observer_.output_pending, 1);
  // SELECT shows the database it selected: the line is fed after the command.
  clock_.AdvanceUs(1);
  EXPECT_EQ(Run("SELECT 3"), "+OK\r\n");
  EXPECT_EQ(Drain(monitor_), "+1700000123.456790 [3 127.0.0.1:50000] \"SELECT\" \"3\"\r\n");
  // Sub-second part is zero-padded to six digits.
  clock_.SetMs(1'700'000'000'005);
  EXPECT_EQ(Run("PUBLISH c m"), ":0\r\n");
  EXPECT_EQ(Drain(monitor_), "+1700000000.005000 [3 127.0.0.1:50000] \"PUBLISH\" \"c\" \"m\"\r\n");
}

TEST_F(MonitorTest, QuotesArgumentsAsSdscatreprDoes) {
  RunArgs({"ECHO", std::string("k\x06\x16\"\\ \n\r\t\a\b\xff\x7f\x1f~\0", 16)});
  EXPECT_EQ(Drain(monitor_),
            "+1700000123.456789 [0 127.0.0.1:50000] \"ECHO\" "
            "\"k\\x06\\x16\\\"\\\\ \\n\\r\\t\\a\\b\\xff\\x7f\\x1f~\\x00\"\r\n");
  RunArgs({"ECHO", ""});
  EXPECT_EQ(Drain(monitor_), "+1700000123.456789 [0 127.0.0.1:50000] \"ECHO\" \"\"\r\n");
}

TEST_F(MonitorTest, SkipsRejectedAdminAndMonitorCommands) {
  Run("FOO");                         // unknown: never executed
  Run("ECHO");                        // wrong arity: never executed
  RunOn(subscriber_, "SUBSCRIBE c");  // executed: fed
  RunOn(subscriber_, "ECHO x");       // refused in the subscribed context: not fed
  Client* other = NewClient();
  EXPECT_EQ(RunOn(other, "MONITOR"), "+OK\r\n");  // admin: not fed
  EXPECT_EQ(Drain(monitor_), "+1700000123.456789 [0 127.0.0.1:50001] \"SUBSCRIBE\" \"c\"\r\n");
  // A second MONITOR is ignored without a reply, as in Redis.
  EXPECT_EQ(RunOn(monitor_, "MONITOR"), "");
  EXPECT_EQ(engine_->pubsub().monitor_count(), 2u);
}

TEST_F(MonitorTest, MonitorSeesItsOwnCommandsAfterTheirReplies) {
  EXPECT_EQ(RunOn(monitor_, "PING"),
            "+PONG\r\n+1700000123.456789 [0 127.0.0.1:40000] \"PING\"\r\n");
  // Monitors may not touch the keyspace, nor run what may replicate (PUBLISH, EVAL without
  // no-writes), as redis-server 7.0.15 refuses them to a MONITOR client (a replica to it).
  EXPECT_EQ(RunOn(monitor_, "PUBLISH c m"), "-ERR Replica can't interact with the keyspace\r\n");
  EXPECT_EQ(RunOn(monitor_, "EVAL \"return 1\" 0"),
            "-ERR Replica can't interact with the keyspace\r\n");
  EXPECT_EQ(RunOn(monitor_, "EVAL \"#!lua flags=no-writes\nreturn 1\" 0"),
            "+1700000123.456789 [0 127.0.0.1:40000] \"EVAL\" \"#!lua flags=no-writes\\nreturn "
            "1\" \"0\"\r\n:1\r\n");
}

TEST_F(MonitorTest, ScriptClientLinesSayLua) {
  Client* script = NewClient();
  script->is_script_client = true;
  script->db = 2;
  RunOn(script, "PUBLISH c m");
  EXPECT_EQ(Drain(monitor_), "+1700000123.456789 [2 lua] \"PUBLISH\" \"c\" \"m\"\r\n");
  // A scripting client cannot become a monitor (it expects one reply per command).
  EXPECT_EQ(RunOn(script, "MONITOR"), "-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
}

// Stands in for EVAL (scripting is another family): flagged skip_monitor like Redis's EVAL, it
// runs PING through a scripting client, then fails.
Engine* script_engine = nullptr;
Client* script_client = nullptr;
void CmdFakeEval(CommandContext& ctx) {
  std::vector<std::string> inner = {"ping"};
  script_engine->Execute(*script_client, inner);
  script_client->output().clear();
  ctx.reply.Error("ERR fake script failed");
}

TEST_F(MonitorTest, SkipMonitorCommandsAreFedBeforeTheyRun) {
  script_engine = engine_.get();
  script_client = NewClient();
  script_client->is_script_client = true;
  const_cast<CommandTable&>(engine_->commands())
      .Add({.name = "fakeeval",
            .arity = -1,
            .flags = kCmdNoscript | kCmdSkipMonitor,
            .handler = CmdFakeEval});
  EXPECT_EQ(Run("FAKEEVAL \"return redis.call('ping')\" 0"), "-ERR fake script failed\r\n");
  EXPECT_EQ(Drain(monitor_),
            "+1700000123.456789 [0 127.0.0.1:50000] \"FAKEEVAL\" \"return redis.call('ping')\" "
            "\"0\"\r\n"
            "+1700000123.456789 [0 lua] \"ping\"\r\n");
}

TEST_F(MonitorTest, UnixSocketClientsShowTheSocketPath) {
  config_.settings().unixsocket = "/tmp/drayman.sock";
  Client* local = engine_->Connect(&observer_, "/unixsocket:0", "/tmp/drayman.sock:0", 10);
  RunOn(local, "PING");
  EXPECT_EQ(Drain(monitor_), "+1700000123.456789 [0 unix:/tmp/drayman.sock] \"PING\"\r\n");
}

TEST_F(MonitorTest, DisconnectedMonitorIsForgotten) {
  engine_->Disconnect(monitor_);
  monitor_ = nullptr;
  EXPECT_EQ(engine_->pubsub().monitor_count(), 0u);
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
}

TEST_F(MonitorTest, EveryMonitorGetsTheSameLineWhateverItsProtocol) {
  Client* resp3 = engine_->Connect(&observer_, "127.0.0.1:40001", "127.0.0.1:6379", 11);
  resp3->reply().set_protocol(Protocol::kResp3);
  EXPECT_EQ(RunOn(resp3, "MONITOR"), "+OK\r\n");
  Run("PING");
  EXPECT_EQ(Drain(monitor_), "+1700000123.456789 [0 127.0.0.1:50000] \"PING\"\r\n");
  EXPECT_EQ(Drain(resp3), "+1700000123.456789 [0 127.0.0.1:50000] \"PING\"\r\n");
}

}  // namespace
}  // namespace drayman::testing
