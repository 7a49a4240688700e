// CLIENT PAUSE / UNPAUSE: the pause state on its own, then the engine holding clients' commands
// (WRITE vs ALL, MULTI, scripts, pipelines, order), the timeout on the manual clock, and the
// dataset standing still (lazy and active expiry, eviction) while paused. Replies are compared
// whole; the same scenarios run against redis-server in tests/python/test_client_pause_oracle.py.
#include "broker/blocking/client_pause.h"

#include <string>
#include <string_view>

#include "broker/persistence/propagation.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kOk = "+OK\r\n";
constexpr std::string_view kNil = "$-1\r\n";

TEST(ClientPauseState, StrongerTypeAndLaterEndWin) {
  ClientPause pause;
  EXPECT_FALSE(pause.active());
  pause.Pause(PauseType::kWrite, 1000);
  EXPECT_EQ(pause.type(), PauseType::kWrite);
  EXPECT_EQ(pause.end_ms(), 1000);
  pause.Pause(PauseType::kWrite, 500);  // shorter: the end stays
  EXPECT_EQ(pause.end_ms(), 1000);
  pause.Pause(PauseType::kAll, 2000);  // stronger and longer
  EXPECT_EQ(pause.type(), PauseType::kAll);
  EXPECT_EQ(pause.end_ms(), 2000);
  pause.Pause(PauseType::kWrite, 0);  // weaker: the type stays
  EXPECT_EQ(pause.type(), PauseType::kAll);
  EXPECT_EQ(pause.end_ms(), 2000);
}

TEST(ClientPauseState, EndsOnceTheEndIsInThePast) {
  ClientPause pause;
  pause.Pause(PauseType::kAll, 1000);
  EXPECT_TRUE(pause.EndIfDue(999));
  EXPECT_TRUE(pause.EndIfDue(1000));  // Redis compares end < now
  EXPECT_FALSE(pause.EndIfDue(1001));
  EXPECT_EQ(pause.type(), PauseType::kOff);
}

TEST(ClientPauseState, HoldsByTypeAndHandsClientsBackInOrder) {
  ClientPause pause;
  EXPECT_FALSE(pause.Holds(true));
  pause.Pause(PauseType::kWrite, 10);
  EXPECT_TRUE(pause.Holds(true));
  EXPECT_FALSE(pause.Holds(false));
  pause.Pause(PauseType::kAll, 10);
  EXPECT_TRUE(pause.Holds(false));
  pause.Hold(7);
  pause.Hold(3);
  pause.Hold(5);
  pause.Forget(3);
  EXPECT_EQ(pause.held_count(), 2u);
  pause.Unpause();
  EXPECT_EQ(pause.TakeHeld(), (std::vector<uint64_t>{7, 5}));
  EXPECT_EQ(pause.held_count(), 0u);
}

class RecordingSink : public PropagationSink {
 public:
  void Append(std::string_view resp) override { stream.append(resp); }
  std::string stream;
};

class ClientPauseTest : public EngineTest {
 protected:
  // Takes what the engine wrote to `client` since the last call.
  static std::string Output(Client* client) {
    std::string out;
    out.swap(client->output());
    return out;
  }
  std::string InfoField(std::string_view section, std::string_view field) {
    std::string info = Run("INFO " + std::string(section));
    size_t at = info.find("\r\n" + std::string(field) + ":");
    if (at == std::string::npos) return "<missing>";
    at += field.size() + 3;
    return info.substr(at, info.find("\r\n", at) - at);
  }
  // The client's CLIENT LIST line, as another client sees it.
  std::string ListLine(Client* client) {
    std::string list = Run("CLIENT LIST ID " + std::to_string(client->id()));
    return list;
  }
};

TEST_F(ClientPauseTest, ErrorsFollowRedis) {
  EXPECT_EQ(Run("CLIENT PAUSE"),
            "-ERR wrong number of arguments for 'client|pause' command\r\n");
  EXPECT_EQ(Run("CLIENT PAUSE abc"), "-ERR timeout is not an integer or out of range\r\n");
  EXPECT_EQ(Run("CLIENT PAUSE -1"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Run("CLIENT PAUSE 10 foo"), "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  // The mode is read before the timeout.
  EXPECT_EQ(Run("CLIENT PAUSE abc foo"), "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  EXPECT_EQ(Run("CLIENT PAUSE 10 write all"),
            "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT "
            "HELP.\r\n");
  EXPECT_EQ(Run("CLIENT UNPAUSE x"),
            "-ERR wrong number of arguments for 'client|unpause' command\r\n");
  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);  // nothing paused: still OK
  EXPECT_FALSE(engine_->client_pause().active());
}

TEST_F(ClientPauseTest, WritePauseHoldsWritesAndLetsReadsRun) {
  Client* writer = NewClient();
  Client* reader = NewClient();
  EXPECT_EQ(Run("SET k old"), kOk);
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  // The writer's SET is held, and so is what it pipelined after it.
  EXPECT_EQ(Feed("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nnew\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
                 writer),
            "");
  EXPECT_TRUE(writer->blocked);
  EXPECT_EQ(Feed("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n", reader),
            "$3\r\nold\r\n+PONG\r\n");
  EXPECT_EQ(InfoField("clients", "blocked_clients"), "1");
  EXPECT_EQ(InfoField("clients", "clients_in_timeout_table"), "0");
  std::string line = ListLine(writer);
  EXPECT_NE(line.find(" flags=b "), std::string::npos) << line;
  EXPECT_NE(line.find(" cmd=set "), std::string::npos) << line;
  EXPECT_NE(line.find(" argv-mem=7 "), std::string::npos) << line;

  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
  EXPECT_EQ(Output(writer), "+OK\r\n$3\r\nnew\r\n");
  EXPECT_FALSE(writer->blocked);
  EXPECT_EQ(InfoField("clients", "blocked_clients"), "0");
}

TEST_F(ClientPauseTest, AllPauseHoldsEveryCommandUntilTheTimeout) {
  Client* other = NewClient();
  const int64_t start = clock_.NowMs();
  EXPECT_EQ(Run("CLIENT PAUSE 500 ALL"), kOk);
  EXPECT_EQ(engine_->NextBlockingDeadline(), start + 501);
  EXPECT_EQ(Feed("*1\r\n$4\r\nPING\r\n", other), "");
  // The pausing client's own commands are held too, CLIENT UNPAUSE included.
  EXPECT_EQ(Feed("*2\r\n$6\r\nCLIENT\r\n$7\r\nUNPAUSE\r\n"), "");
  EXPECT_EQ(engine_->client_pause().held_count(), 2u);

  clock_.AdvanceMs(500);  // the end itself is still paused
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(other), "");
  clock_.AdvanceMs(1);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(other), "+PONG\r\n");
  EXPECT_EQ(Output(client_), kOk);
  EXPECT_FALSE(engine_->client_pause().active());
  EXPECT_EQ(engine_->NextBlockingDeadline(), 0);
}

TEST_F(ClientPauseTest, CronEndsAPauseWhoseTimeIsUp) {
  Client* other = NewClient();
  EXPECT_EQ(Run("CLIENT PAUSE 100"), kOk);  // ALL by default
  EXPECT_EQ(Feed("*1\r\n$4\r\nPING\r\n", other), "");
  clock_.AdvanceMs(101);
  engine_->Cron();
  EXPECT_EQ(Output(other), "+PONG\r\n");
}

TEST_F(ClientPauseTest, LongerPauseExtendsShorterDoesNotShortenZeroStrengthens) {
  Client* other = NewClient();
  const int64_t start = clock_.NowMs();
  EXPECT_EQ(Run("CLIENT PAUSE 1000 WRITE"), kOk);
  EXPECT_EQ(Run("CLIENT PAUSE 10 WRITE"), kOk);
  EXPECT_EQ(engine_->client_pause().end_ms(), start + 1000);
  EXPECT_EQ(Run("CLIENT PAUSE 2000 WRITE"), kOk);
  EXPECT_EQ(engine_->client_pause().end_ms(), start + 2000);
  // Reads still run under WRITE; PAUSE 0 ALL makes the running pause ALL, keeping its end.
  EXPECT_EQ(Feed("*1\r\n$4\r\nPING\r\n", other), "+PONG\r\n");
  EXPECT_EQ(Run("CLIENT PAUSE 0 ALL"), kOk);
  EXPECT_EQ(engine_->client_pause().type(), PauseType::kAll);
  EXPECT_EQ(engine_->client_pause().end_ms(), start + 2000);
  EXPECT_EQ(Feed("*1\r\n$4\r\nPING\r\n", other), "");
  clock_.AdvanceMs(2001);
  engine_->TimeOutBlockedClients();
  EXPECT_EQ(Output(other), "+PONG\r\n");
  // With no pause running, PAUSE 0 pauses nothing.
  EXPECT_EQ(Run("CLIENT PAUSE 0"), kOk);
  EXPECT_FALSE(engine_->client_pause().active());
}

TEST_F(ClientPauseTest, HeldClientsRunInTheOrderTheyWereHeld) {
  Client* b = NewClient();
  Client* c = NewClient();
  Client* d = NewClient();
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  EXPECT_EQ(Feed("*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nd\r\n", d), "");
  EXPECT_EQ(Feed("*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nb\r\n"
                 "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$2\r\nb2\r\n",
                 b),
            "");
  EXPECT_EQ(Feed("*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nc\r\n", c), "");
  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
  EXPECT_EQ(Output(d), ":1\r\n");
  EXPECT_EQ(Output(b), ":2\r\n:3\r\n");  // its pipeline runs before the next held client
  EXPECT_EQ(Output(c), ":4\r\n");
  EXPECT_EQ(Run("LRANGE l 0 -1"), "*4\r\n$1\r\nd\r\n$1\r\nb\r\n$2\r\nb2\r\n$1\r\nc\r\n");
}

TEST_F(ClientPauseTest, WritePauseHoldsWhatMayReplicate) {
  Client* other = NewClient();
  EXPECT_EQ(Run("FUNCTION LOAD \"#!lua name=lib\nredis.register_function{function_name='ro', "
                "callback=function() return 1 end, flags={'no-writes'}}\nredis.register_function"
                "('rw', function() return 2 end)\""),
            "$3\r\nlib\r\n");
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  auto held = [&](std::string_view line) {
    std::vector<std::string> args;
    EXPECT_TRUE(SplitArgs(line, &args));
    std::string bytes = "*" + std::to_string(args.size()) + "\r\n";
    for (const std::string& arg : args) {
      bytes += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
    }
    const bool was_held = Feed(bytes, other).empty();
    if (was_held) {
      EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
      Output(other);
      EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
    }
    return was_held;
  };
  EXPECT_TRUE(held("EVAL \"return 1\" 0"));
  EXPECT_TRUE(held("EVAL \"#!lua\nreturn 1\" 0"));
  EXPECT_FALSE(held("EVAL \"#!lua flags=no-writes\nreturn 1\" 0"));
  EXPECT_FALSE(held("EVAL_RO \"return 1\" 0"));
  EXPECT_TRUE(held("EVAL_RO \"#!lua\nreturn 1\" 0"));  // declares writes: Redis holds it too
  EXPECT_FALSE(held("FCALL ro 0"));
  EXPECT_TRUE(held("FCALL rw 0"));
  EXPECT_TRUE(held("FCALL nosuch 0"));  // the command's own flags
  EXPECT_TRUE(held("PUBLISH ch m"));
  EXPECT_TRUE(held("PFCOUNT h"));
  EXPECT_TRUE(held("DEL k"));
  EXPECT_FALSE(held("GET k"));
  EXPECT_FALSE(held("SUBSCRIBE ch"));
}

TEST_F(ClientPauseTest, MultiQueuedWritesAreHeldAndExecWithWritesIsHeld) {
  Client* tx = NewClient();
  Client* ro = NewClient();
  EXPECT_EQ(Feed("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", tx),
            "+OK\r\n+QUEUED\r\n");
  EXPECT_EQ(Feed("*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", ro), "+OK\r\n+QUEUED\r\n");
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  EXPECT_EQ(Feed("*1\r\n$4\r\nEXEC\r\n", tx), "");  // the queue holds a write
  EXPECT_EQ(Feed("*1\r\n$4\r\nEXEC\r\n", ro), "*1\r\n$-1\r\n");
  // A write is held before MULTI queues it, as Redis 7.0 checks the pause first.
  EXPECT_EQ(Feed("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n", ro), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
  EXPECT_EQ(Output(tx), "*1\r\n+OK\r\n");
  EXPECT_EQ(Output(ro), "+QUEUED\r\n");
  EXPECT_EQ(Feed("*1\r\n$4\r\nEXEC\r\n", ro), "*1\r\n+OK\r\n");
}

TEST_F(ClientPauseTest, PauseInsideExecTakesEffectAfterIt) {
  EXPECT_EQ(Run("MULTI"), kOk);
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), "+QUEUED\r\n");
  EXPECT_EQ(Run("SET k v"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*2\r\n+OK\r\n+OK\r\n");
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(Run("SET k w"), "");  // held now
  EXPECT_TRUE(client_->blocked);
}

TEST_F(ClientPauseTest, UnblockingWritesWaitForTheEndOfThePause) {
  Client* waiter = NewClient();
  Client* pusher = NewClient();
  EXPECT_EQ(RunOn(waiter, "BLPOP q 0"), "");
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  EXPECT_EQ(RunOn(pusher, "LPUSH q x"), "");
  EXPECT_EQ(InfoField("clients", "blocked_clients"), "2");
  EXPECT_EQ(Output(waiter), "");
  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
  EXPECT_EQ(Output(pusher), ":1\r\n");
  EXPECT_EQ(Output(waiter), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
}

TEST_F(ClientPauseTest, ExpiredKeysReadAsMissingButStayUntilThePauseEnds) {
  RecordingSink sink;
  engine_->AddPropagationSink(&sink);
  EXPECT_EQ(Run("SET k v PX 100"), kOk);
  EXPECT_EQ(Run("SET other v PX 100"), kOk);
  sink.stream.clear();
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  clock_.AdvanceMs(200);
  EXPECT_EQ(Run("GET k"), kNil);
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":2\r\n");  // still stored
  engine_->Cron();                        // no active sweep either
  EXPECT_EQ(Run("DBSIZE"), ":2\r\n");
  EXPECT_EQ(Run("RANDOMKEY"), kNil);
  EXPECT_EQ(InfoField("stats", "expired_keys"), "0");
  EXPECT_EQ(sink.stream, "");  // no DEL propagated
  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
  EXPECT_EQ(Run("GET k"), kNil);  // now deleted
  EXPECT_EQ(InfoField("stats", "expired_keys"), "1");
  EXPECT_NE(sink.stream.find("DEL"), std::string::npos);
  engine_->Cron();
  EXPECT_EQ(Run("DBSIZE"), ":0\r\n");
  engine_->RemovePropagationSink(&sink);
}

TEST_F(ClientPauseTest, EvictionWaitsWhilePaused) {
  engine_->evictor().set_used_memory_source(
      [this] { return engine_->keyspace().TotalKeys() * 1000; });
  EXPECT_EQ(Run("SET a 1"), kOk);
  EXPECT_EQ(Run("SET b 1"), kOk);
  EXPECT_EQ(Run("CONFIG SET maxmemory-policy allkeys-random"), kOk);
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  EXPECT_EQ(Run("CONFIG SET maxmemory 1000"), kOk);
  EXPECT_EQ(Run("GET a"), "$1\r\n1\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":2\r\n");
  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
  EXPECT_EQ(Run("DBSIZE"), ":1\r\n");  // this command evicted first
}

TEST_F(ClientPauseTest, DisconnectedHeldClientIsForgotten) {
  Client* other = NewClient();
  EXPECT_EQ(Run("CLIENT PAUSE 100000 WRITE"), kOk);
  EXPECT_EQ(RunOn(other, "SET k v"), "");
  EXPECT_EQ(engine_->client_pause().held_count(), 1u);
  engine_->Disconnect(other);
  EXPECT_EQ(engine_->client_pause().held_count(), 0u);
  EXPECT_EQ(Run("CLIENT UNPAUSE"), kOk);
  EXPECT_EQ(Run("EXISTS k"), ":0\r\n");
}

TEST_F(ClientPauseTest, ErrorsAreAnsweredAtOnceWhilePaused) {
  Client* other = NewClient();
  EXPECT_EQ(Run("CLIENT PAUSE 100000 ALL"), kOk);
  EXPECT_EQ(RunOn(other, "NOSUCH"),
            "-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
  EXPECT_EQ(RunOn(other, "GET"), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(RunOn(other, "GET k"), "");
}

}  // namespace
}  // namespace drayman::testing
