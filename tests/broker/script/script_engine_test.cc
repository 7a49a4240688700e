#include "broker/script/script_engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "broker/engine.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

// A clock that moves forward by `step_us` each time it is read, so a script's elapsed time grows
// while it runs, deterministically and without sleeping.
class SteppingClock : public Clock {
 public:
  int64_t NowUs() const override { return now_us_ += step_us; }
  int64_t step_us = 0;

 private:
  mutable int64_t now_us_ = 1'700'000'000'000'000;
};

class BusyScriptTest : public ::testing::Test {
 protected:
  BusyScriptTest() {
    config_.settings().busy_reply_threshold_ms = 100;
    config_.settings().loglevel = "nothing";
    engine_ = std::make_unique<Engine>(config_, clock_);
    caller_ = engine_->Connect(&observer_);
    other_ = engine_->Connect(&observer_);
    clock_.step_us = 20'000;  // 20 ms per reading: the hook sees the threshold pass quickly
  }

  std::string Run(Client* client, std::vector<std::string> args) {
    client->output().clear();
    engine_->Execute(*client, args);
    std::string out;
    out.swap(client->output());
    return out;
  }

  Config config_;
  SteppingClock clock_;
  RecordingObserver observer_;
  std::unique_ptr<Engine> engine_;
  Client* caller_ = nullptr;
  Client* other_ = nullptr;
};

constexpr const char* kBusyLoop = "local i = 0 while true do i = i + 1 end";

TEST_F(BusyScriptTest, OthersGetBusyUntilScriptKill) {
  std::vector<std::string> seen;
  engine_->serve_while_busy = [&] {
    seen.push_back(Run(other_, {"PING"}));
    seen.push_back(Run(other_, {"SCRIPT", "EXISTS", "abc"}));
    seen.push_back(Run(other_, {"EVAL", "return 1", "0"}));
    EXPECT_TRUE(engine_->scripts().busy());
    seen.push_back(Run(other_, {"SCRIPT", "KILL"}));
  };
  EXPECT_EQ(Run(caller_, {"EVAL", kBusyLoop, "0"}),
            "-ERR Script killed by user with SCRIPT KILL... script: "
            "3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.\r\n");
  const std::string busy =
      "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
      "NOSAVE.\r\n";
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], busy);
  EXPECT_EQ(seen[1], busy);
  EXPECT_EQ(seen[2], busy);
  EXPECT_EQ(seen[3], "+OK\r\n");
  EXPECT_FALSE(engine_->scripts().running());
  EXPECT_EQ(Run(other_, {"PING"}), "+PONG\r\n");
}

TEST_F(BusyScriptTest, TransactionsDuringABusyScript) {
  std::vector<std::string> seen;
  engine_->serve_while_busy = [&] {
    for (std::vector<std::string> command : {std::vector<std::string>{"MULTI"},
                                             {"PING"},
                                             {"EXEC"},
                                             {"MULTI"},
                                             {"DISCARD"},
                                             {"MULTI"},
                                             {"EXEC"}}) {
      seen.push_back(Run(other_, command));
    }
    Run(other_, {"SCRIPT", "KILL"});
  };
  Run(caller_, {"EVAL", kBusyLoop, "0"});
  // Redis 7.0.15, same sequence from another client while a script is busy.
  const std::string busy =
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "+OK\r\n", "-" + busy + "\r\n",
                      "-EXECABORT Transaction discarded because of: " + busy + "\r\n", "+OK\r\n",
                      "+OK\r\n", "+OK\r\n",
                      "-EXECABORT Transaction discarded because of: " + busy + "\r\n"}));
  EXPECT_EQ(Run(other_, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run(other_, {"PING"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(other_, {"EXEC"}), "*1\r\n+PONG\r\n");
}

TEST_F(BusyScriptTest, PcallCannotCatchTheKill) {
  engine_->serve_while_busy = [&] { Run(other_, {"SCRIPT", "KILL"}); };
  EXPECT_EQ(Run(caller_, {"EVAL",
                          "local ok = pcall(function() local i = 0 while true do i = i + 1 end "
                          "end) while true do end",
                          "0"}),
            "-ERR Script killed by user with SCRIPT KILL... script: "
            "8635a2eec816b6f90a7b64d5668e0b3e642f249e, on @user_script:1.\r\n");
}

TEST_F(BusyScriptTest, QuickScriptsNeverGetBusy) {
  int polls = 0;
  engine_->serve_while_busy = [&] { ++polls; };
  clock_.step_us = 1;
  EXPECT_EQ(Run(caller_, {"EVAL", "local n = 0 for i = 1, 300000 do n = n + i end return n", "0"}),
            ":45000150000\r\n");
  EXPECT_EQ(polls, 0);
}

TEST_F(BusyScriptTest, ZeroThresholdNeverYields) {
  config_.settings().busy_reply_threshold_ms = 0;
  int polls = 0;
  engine_->serve_while_busy = [&] { ++polls; };
  EXPECT_EQ(Run(caller_, {"EVAL", "local n = 0 for i = 1, 300000 do n = n + i end return n", "0"}),
            ":45000150000\r\n");
  EXPECT_EQ(polls, 0);
}

TEST_F(BusyScriptTest, AllowBusyCommandsStillRun) {
  std::string quit;
  engine_->serve_while_busy = [&] {
    if (quit.empty()) quit = Run(other_, {"QUIT"});
    engine_->scripts().Abort();
  };
  Run(caller_, {"EVAL", kBusyLoop, "0"});
  EXPECT_EQ(quit, "+OK\r\n");
}

TEST_F(BusyScriptTest, CallerInputWaitsForItsScript) {
  engine_->serve_while_busy = [&] {
    // The caller's session delivers more input while its script runs: nothing may execute it.
    caller_->parser().Feed("PING\r\n");
    engine_->ProcessInput(*caller_);
    EXPECT_EQ(caller_->output(), "");
    Run(other_, {"SCRIPT", "KILL"});
  };
  Run(caller_, {"EVAL", kBusyLoop, "0"});
  engine_->ProcessInput(*caller_);
  EXPECT_EQ(caller_->output(), "+PONG\r\n");
}

TEST_F(BusyScriptTest, CallerMayDisconnectWhileItsScriptRuns) {
  const uint64_t caller_id = caller_->id();
  engine_->serve_while_busy = [&] {
    if (engine_->FindClient(caller_id) != nullptr) engine_->Disconnect(caller_);
    Run(other_, {"SCRIPT", "KILL"});
  };
  // The Client stays valid until the script returns; the reply lands in its (dropped) output.
  Run(caller_, {"EVAL", kBusyLoop, "0"});
  EXPECT_EQ(engine_->FindClient(caller_id), nullptr);
  EXPECT_TRUE(caller_->close_asap);
  engine_->Cron();  // frees it
  EXPECT_EQ(Run(other_, {"PING"}), "+PONG\r\n");
}

TEST_F(BusyScriptTest, CronWaitsForTheScript) {
  config_.settings().timeout_seconds = 1;
  engine_->serve_while_busy = [&] {
    clock_.step_us = 5'000'000;  // every client now looks idle for seconds
    engine_->Cron();             // must not time anyone out inside a script
    clock_.step_us = 20'000;
    EXPECT_EQ(observer_.close_requested, 0);
    Run(other_, {"SCRIPT", "KILL"});
  };
  Run(caller_, {"EVAL", kBusyLoop, "0"});
  EXPECT_EQ(observer_.close_requested, 0);
  clock_.step_us = 5'000'000;
  engine_->Cron();  // the script is over: now the idle timeout applies
  EXPECT_EQ(observer_.close_requested, 2);
}

TEST_F(BusyScriptTest, WritingScriptsAreUnkillable) {
  std::string kill;
  engine_->serve_while_busy = [&] {
    if (kill.empty()) kill = Run(other_, {"SCRIPT", "KILL"});
    engine_->scripts().Abort();  // what a shutdown does
  };
  Run(caller_, {"EVAL", "redis.call('set', 'w', '1') while true do end", "0"});
  EXPECT_EQ(kill,
            "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
            "You can either wait the script termination or kill the server in a hard way using "
            "the SHUTDOWN NOSAVE command.\r\n");
}

class ScriptEngineTest : public EngineTest {
 protected:
  std::string Eval(const std::string& script) { return RunArgs({"EVAL", script, "0"}); }
};

TEST_F(ScriptEngineTest, MathRandomIsRedisSequence) {
  // Debian's redis-server 7.0.15 right after start: the same numbers, across scripts and
  // SCRIPT FLUSH; math.randomseed(1) restarts a known sequence.
  EXPECT_EQ(Eval("return tostring(math.random())"), "$16\r\n0.39646477363839\r\n");
  EXPECT_EQ(Run("SCRIPT FLUSH"), "+OK\r\n");
  EXPECT_EQ(Eval("return tostring(math.random())"), "$16\r\n0.84048536971234\r\n");
  EXPECT_EQ(Eval("return {tostring(math.random()), tostring(math.random()), "
                 "tostring(math.random(10)), tostring(math.random(5, 100))}"),
            "*4\r\n$16\r\n0.35333609737146\r\n$16\r\n0.44658343468168\r\n$1\r\n4\r\n$2\r\n90\r\n");
  EXPECT_EQ(Eval("math.randomseed(1); return tostring(math.random())"),
            "$17\r\n0.041630344484761\r\n");
}

TEST_F(ScriptEngineTest, RedisLogWritesThroughTheEngineLogSink) {
  // redis.log hands its message to the host's sink, like every engine line (the host applies
  // loglevel, logfile and syslog); levels are redis.LOG_* = LogLevel.
  std::vector<std::pair<LogLevel, std::string>> lines;
  engine_->log_sink = [&lines](LogLevel level, std::string_view message) {
    lines.emplace_back(level, std::string(message));
  };
  config_.settings().loglevel = "notice";
  EXPECT_EQ(Eval("redis.log(redis.LOG_WARNING, 'hello', 'world', 1)"), "$-1\r\n");
  EXPECT_EQ(Eval("redis.log(redis.LOG_NOTICE, {}, 'skips', {}, 'tables')"), "$-1\r\n");
  EXPECT_EQ(Eval("redis.log(redis.LOG_VERBOSE, 'below the level')"), "$-1\r\n");
  engine_->log_sink = nullptr;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (std::pair<LogLevel, std::string>{LogLevel::kWarning, "hello world 1"}));
  EXPECT_EQ(lines[1], (std::pair<LogLevel, std::string>{LogLevel::kNotice, " skips tables"}));
}

TEST_F(ScriptEngineTest, StatsForInfo) {
  EXPECT_EQ(engine_->scripts().cached_scripts(), 0u);
  EXPECT_EQ(Eval("return 1"), ":1\r\n");
  EXPECT_EQ(engine_->scripts().cached_scripts(), 1u);
  EXPECT_EQ(engine_->scripts().scripts_memory_bytes(), 8);
  EXPECT_GT(engine_->scripts().lua_memory_bytes(), 10'000);
  EXPECT_FALSE(engine_->scripts().running());
  EXPECT_EQ(engine_->scripts().caller(), nullptr);
}

TEST_F(ScriptEngineTest, ScriptClientIsNotAConnection) {
  EXPECT_EQ(Eval("return redis.call('ping')"), "+PONG\r\n");
  EXPECT_EQ(engine_->clients().size(), 1u);
}

}  // namespace
}  // namespace drayman::testing
