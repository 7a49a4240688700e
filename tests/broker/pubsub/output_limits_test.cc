// client-output-buffer-limit: parsing and CONFIG GET form (texts from redis-server 7.0.15), and
// disconnection of clients whose pending output grows past the limits. Time is the manual clock.
#include "broker/pubsub/output_limits.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kDefaultLimits =
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

std::string GetLimits(const Config& config) {
  auto found = config.Get("client-output-buffer-limit");
  EXPECT_EQ(found.size(), 1u);
  return found.empty() ? "" : found[0].second;
}

TEST(OutputLimitConfigTest, DefaultsPrintAsRedisPrintsThem) {
  Config config;
  EXPECT_EQ(GetLimits(config), kDefaultLimits);
}

TEST(OutputLimitConfigTest, ConfigSetChangesOnlyTheNamedClasses) {
  Config config;
  std::string error;
  ASSERT_TRUE(config.Set("client-output-buffer-limit", {"pubsub 1mb 512kb 5"}, false, &error));
  EXPECT_EQ(GetLimits(config), "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 5");
  ASSERT_TRUE(
      config.Set("client-output-buffer-limit", {"replica 1k 2K 3 normal 1g 2 3"}, false, &error));
  EXPECT_EQ(GetLimits(config), "normal 1000000000 2 3 slave 1000 2000 3 pubsub 1048576 524288 5");
  // An empty value changes nothing.
  ASSERT_TRUE(config.Set("client-output-buffer-limit", {""}, false, &error));
  EXPECT_EQ(GetLimits(config), "normal 1000000000 2 3 slave 1000 2000 3 pubsub 1048576 524288 5");
}

TEST(OutputLimitConfigTest, ConfigSetErrorsAndAtomicity) {
  Config config;
  std::string error;
  const std::string prefix =
      "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ";
  EXPECT_FALSE(config.Set("client-output-buffer-limit", {"pubsub 1mb 512kb"}, false, &error));
  EXPECT_EQ(error, prefix + "Wrong number of arguments in buffer limit configuration.");
  for (const char* bad : {"foo 1 1 1", "master 1 1 1", "  normal   5 6   7  "}) {
    EXPECT_FALSE(config.Set("client-output-buffer-limit", {bad}, false, &error)) << bad;
    EXPECT_EQ(error, prefix + "Invalid client class specified in buffer limit configuration.");
  }
  for (const char* bad :
       {"normal x 1 1", "normal -1 1 1", "normal 1 1 -1", "normal 1 1 x", "normal 1.5mb 2 3"}) {
    EXPECT_FALSE(config.Set("client-output-buffer-limit", {bad}, false, &error)) << bad;
    EXPECT_EQ(
        error,
        prefix + "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  }
  // A bad group anywhere leaves every class as it was.
  EXPECT_FALSE(
      config.Set("client-output-buffer-limit", {"pubsub 1 2 3 normal x 1 1"}, false, &error));
  EXPECT_EQ(GetLimits(config), kDefaultLimits);
}

TEST(OutputLimitConfigTest, ConfigFileLinesAndFlags) {
  Config config;
  std::string error;
  ASSERT_TRUE(
      config.LoadText("client-output-buffer-limit pubsub 64mb 16mb 90\n"
                      "client-output-buffer-limit normal 1mb 0 0 slave 0 0 0\n",
                      &error))
      << error;
  EXPECT_EQ(GetLimits(config), "normal 1048576 0 0 slave 0 0 0 pubsub 67108864 16777216 90");
  const char* argv[] = {"drayman-server", "--client-output-buffer-limit", "pubsub 1mb 512kb 5"};
  ASSERT_TRUE(config.ParseCommandLine(3, argv, &error)) << error;
  EXPECT_EQ(config.settings().client_output_buffer_limit[2].hard_bytes, 1048576);
  EXPECT_EQ(config.settings().client_output_buffer_limit[2].soft_seconds, 5);
}

class OutputLimitTest : public EngineTest {
 protected:
  OutputLimitTest() {
    subscriber_ = engine_->Connect(&subscriber_observer_, "127.0.0.1:50001", "127.0.0.1:6379", 8);
    healthy_ = engine_->Connect(&healthy_observer_, "127.0.0.1:50002", "127.0.0.1:6379", 9);
    RunOn(subscriber_, "SUBSCRIBE c");
    RunOn(healthy_, "SUBSCRIBE c");
  }

  void SetLimits(std::string_view value) {
    std::string error;
    ASSERT_TRUE(config_.Set("client-output-buffer-limit", {std::string(value)}, false, &error))
        << error;
  }

  // Publishes a message whose frame is exactly 100 bytes; the healthy subscriber reads it.
  std::string Publish100() {
    // *3 $7 message $1 c $<n> payload: 4+13+7+(5+n+2) = 100 for n = 69.
    std::string reply = Run("PUBLISH c " + std::string(69, 'x'));
    EXPECT_EQ(healthy_->output().size(), 100u);
    healthy_->output().clear();
    return reply;
  }

  RecordingObserver subscriber_observer_;
  RecordingObserver healthy_observer_;
  Client* subscriber_ = nullptr;
  Client* healthy_ = nullptr;
};

TEST_F(OutputLimitTest, HardLimitDisconnectsOnlyTheSlowSubscriber) {
  SetLimits("pubsub 300 0 0");
  EXPECT_EQ(Publish100(), ":2\r\n");
  EXPECT_EQ(Publish100(), ":2\r\n");
  EXPECT_EQ(subscriber_->output().size(), 200u);
  EXPECT_FALSE(subscriber_->close_asap);
  EXPECT_EQ(Publish100(), ":2\r\n");  // reaches 300 bytes: at the hard limit
  EXPECT_TRUE(subscriber_->close_asap);
  EXPECT_EQ(subscriber_observer_.close_requested, 1);
  EXPECT_EQ(subscriber_->output(), "");  // its backlog is dropped at once
  EXPECT_EQ(engine_->pubsub().output_limit_disconnections(), 1u);
  // Until the transport disconnects it, it is still a subscriber but receives nothing.
  EXPECT_EQ(Publish100(), ":2\r\n");
  EXPECT_EQ(subscriber_->output(), "");
  EXPECT_EQ(healthy_observer_.close_requested, 0);
  EXPECT_FALSE(healthy_->close_asap);
  engine_->Disconnect(subscriber_);
  EXPECT_EQ(Publish100(), ":1\r\n");
}

TEST_F(OutputLimitTest, BytesInFlightCountTowardsTheLimit) {
  SetLimits("pubsub 300 0 0");
  subscriber_->output_in_flight = 250;  // handed to the socket, not yet written
  EXPECT_EQ(Publish100(), ":2\r\n");
  EXPECT_TRUE(subscriber_->close_asap);
}

TEST_F(OutputLimitTest, SoftLimitMustHoldLongerThanItsSeconds) {
  SetLimits("pubsub 0 150 5");
  Publish100();
  Publish100();  // 200 >= 150: the soft-limit clock starts
  clock_.AdvanceMs(5000);
  Publish100();  // exactly 5 s over: not yet
  EXPECT_FALSE(subscriber_->close_asap);
  clock_.AdvanceMs(1);
  Publish100();
  EXPECT_TRUE(subscriber_->close_asap);
  EXPECT_FALSE(healthy_->close_asap);
}

TEST_F(OutputLimitTest, DroppingUnderTheSoftLimitResetsItsClock) {
  SetLimits("pubsub 0 150 5");
  Publish100();
  Publish100();  // over: clock starts
  clock_.AdvanceMs(4000);
  subscriber_->output().clear();  // the subscriber caught up
  Publish100();                   // under: clock resets
  Publish100();                   // over again: clock restarts now
  clock_.AdvanceMs(4000);
  Publish100();
  EXPECT_FALSE(subscriber_->close_asap);
  clock_.AdvanceMs(1001);
  Publish100();
  EXPECT_TRUE(subscriber_->close_asap);
}

TEST_F(OutputLimitTest, MonitorsAndOwnRepliesUseTheNormalClass) {
  SetLimits("pubsub 1 0 0");
  Client* monitor = NewClient();
  EXPECT_EQ(RunOn(monitor, "MONITOR"), "+OK\r\n");
  Run("PING");
  EXPECT_FALSE(monitor->close_asap);  // the pubsub limit does not apply to monitors
  SetLimits("normal 100 0 0");
  Run("ECHO " + std::string(100, 'x'));
  EXPECT_TRUE(monitor->close_asap);
  // A normal client's own replies are checked after each batch it sends.
  Client* reader = NewClient();
  EXPECT_EQ(Feed("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", reader), "$2\r\nhi\r\n");
  EXPECT_FALSE(reader->close_asap);
  Feed("*2\r\n$4\r\nECHO\r\n$200\r\n" + std::string(200, 'y') + "\r\n", reader);
  EXPECT_TRUE(reader->close_asap);
}

TEST_F(OutputLimitTest, DefaultsLeaveNormalClientsUnlimited) {
  Client* reader = NewClient();
  std::string big(1 << 20, 'z');
  reader->output_in_flight = 512 << 20;
  RunArgsOn(reader, {"ECHO", big});
  EXPECT_TRUE(OutputClientClass(*reader) == ClientClass::kNormal);
  EXPECT_FALSE(OutputLimitReached(*reader, config_.settings(), clock_.NowMs(), false));
  EXPECT_TRUE(OutputClientClass(*subscriber_) == ClientClass::kPubSub);
}

// CVE-2025-21605: with requirepass set, a client that has not authenticated and does not read
// its replies is closed once its pending output passes 16 KiB (redis-server 7.0.15 as patched
// by Debian closes it as its replies spill past the 16 KiB static buffer), with Redis's log line.
class UnauthenticatedOutputTest : public EngineTest {
 protected:
  UnauthenticatedOutputTest() {
    config_.settings().requirepass = "secret";
    Restart();
    engine_->log_sink = [this](LogLevel level, std::string_view message) {
      logged_.emplace_back(level, std::string(message));
    };
  }

  // Pipelines `count` PINGs (each answered "-NOAUTH Authentication required.\r\n", 34 bytes)
  // that the client never reads.
  void PipelinePings(Client* client, int count) {
    std::string pings;
    for (int i = 0; i < count; ++i) pings += "PING\r\n";
    client->parser().Feed(pings);
    engine_->ProcessInput(*client);
  }

  std::vector<std::pair<LogLevel, std::string>> logged_;
};

TEST_F(UnauthenticatedOutputTest, ClosedOncePendingOutputPasses16KiB) {
  PipelinePings(client_, 480);  // 16,320 bytes of replies: under the limit
  EXPECT_FALSE(client_->close_asap);
  PipelinePings(client_, 2);  // 16,388 bytes
  EXPECT_TRUE(client_->close_asap);
  EXPECT_EQ(observer_.close_requested, 1);
  EXPECT_EQ(client_->output(), "");  // the backlog is freed at once
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_EQ(logged_[0].first, LogLevel::kWarning);
  EXPECT_EQ(logged_[0].second.rfind("Client id=", 0), 0u) << logged_[0].second;
  EXPECT_NE(logged_[0].second.find(" addr=127.0.0.1:50000 "), std::string::npos);
  EXPECT_TRUE(logged_[0].second.ends_with(
      " scheduled to be closed ASAP for overcoming of output buffer limits."))
      << logged_[0].second;
}

TEST_F(UnauthenticatedOutputTest, BytesInFlightCount) {
  client_->output_in_flight = 16 * 1024;
  PipelinePings(client_, 1);
  EXPECT_TRUE(client_->close_asap);
}

TEST_F(UnauthenticatedOutputTest, AuthenticatedOrPasswordlessClientsKeepTheClassLimits) {
  Client* authenticated = NewClient();
  authenticated->parser().Feed("AUTH secret\r\n");
  engine_->ProcessInput(*authenticated);
  PipelinePings(authenticated, 3000);  // 21 KB of +PONG
  EXPECT_FALSE(authenticated->close_asap);
  // No password: nobody needs to authenticate.
  EXPECT_EQ(RunArgsOn(authenticated, {"CONFIG", "SET", "requirepass", ""}), "+OK\r\n");
  PipelinePings(client_, 3000);
  EXPECT_FALSE(client_->close_asap);
  EXPECT_TRUE(logged_.empty());
}

// The limit follows Redis's authRequired(): the default user's password, however it was set
// (ACL SETUSER, a `user default` line), or the default user switched off; not requirepass alone.
class UnauthenticatedOutputAclTest : public EngineTest {
 protected:
  void PipelinePings(Client* client, int count) {
    std::string pings;
    for (int i = 0; i < count; ++i) pings += "PING\r\n";
    client->parser().Feed(pings);
    engine_->ProcessInput(*client);
  }
};

TEST_F(UnauthenticatedOutputAclTest, DefaultUserPasswordSetThroughAcl) {
  ASSERT_TRUE(config_.settings().requirepass.empty());
  EXPECT_EQ(RunArgs({"ACL", "SETUSER", "default", "resetpass", ">secret"}), "+OK\r\n");
  Client* stranger = NewClient();
  PipelinePings(stranger, 482);  // 16,388 bytes of -NOAUTH
  EXPECT_TRUE(stranger->close_asap);
}

TEST_F(UnauthenticatedOutputAclTest, DefaultUserSwitchedOff) {
  EXPECT_EQ(RunArgs({"ACL", "SETUSER", "default", "off"}), "+OK\r\n");
  Client* stranger = NewClient();
  PipelinePings(stranger, 482);
  EXPECT_TRUE(stranger->close_asap);
}

TEST_F(UnauthenticatedOutputAclTest, NopassDefaultUserHasOnlyTheClassLimits) {
  EXPECT_EQ(RunArgs({"ACL", "SETUSER", "default", "on", "nopass"}), "+OK\r\n");
  Client* stranger = NewClient();
  PipelinePings(stranger, 3000);
  EXPECT_FALSE(stranger->close_asap);
}

}  // namespace
}  // namespace drayman::testing
