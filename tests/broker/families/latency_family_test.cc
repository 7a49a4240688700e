// LATENCY through the engine: latency-monitor-threshold, the events dispatch, Cron and the
// evictor feed, LATEST / HISTORY / GRAPH / RESET / DOCTOR / HISTOGRAM / HELP replies in RESP2 and
// RESP3, INFO latencystats and latency-tracking. DEBUG SLEEP advances the manual clock instead of
// sleeping; a ticking clock (every read moves it 1 ms) makes Cron's and the evictor's intervals
// long enough to be recorded, deterministically.
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr int64_t kStartS = 1'700'000'000;  // ManualClock's default start, in seconds

class LatencyFamilyTest : public EngineTest {
 protected:
  LatencyFamilyTest() {
    config_.settings().enable_debug_command = "yes";
    engine_->sleep_us = [this](int64_t us) { clock_.AdvanceUs(us); };
  }
};

TEST_F(LatencyFamilyTest, ThresholdIsAConfigParameter) {
  EXPECT_EQ(Run("CONFIG GET latency-monitor-threshold"),
            "*2\r\n$25\r\nlatency-monitor-threshold\r\n$1\r\n0\r\n");
  EXPECT_EQ(Run("CONFIG SET latency-monitor-threshold 100"), "+OK\r\n");
  EXPECT_EQ(engine_->settings().latency_monitor_threshold, 100);
  EXPECT_EQ(Run("CONFIG SET latency-monitor-threshold -1"),
            "-ERR CONFIG SET failed (possibly related to argument 'latency-monitor-threshold') - "
            "argument must be between 0 and 9223372036854775807 inclusive\r\n");
}

TEST_F(LatencyFamilyTest, NothingIsRecordedWithoutAThreshold) {
  EXPECT_EQ(Run("DEBUG SLEEP 0.2"), "+OK\r\n");
  EXPECT_EQ(Run("LATENCY LATEST"), "*0\r\n");
  EXPECT_EQ(Run("LATENCY RESET"), ":0\r\n");
}

TEST_F(LatencyFamilyTest, SlowCommandIsRecorded) {
  ASSERT_EQ(Run("CONFIG SET latency-monitor-threshold 100"), "+OK\r\n");
  EXPECT_EQ(Run("DEBUG SLEEP 0.05"), "+OK\r\n");  // under the threshold
  EXPECT_EQ(Run("LATENCY LATEST"), "*0\r\n");
  EXPECT_EQ(Run("DEBUG SLEEP 0.2"), "+OK\r\n");
  const std::string now = std::to_string(kStartS);
  EXPECT_EQ(Run("LATENCY LATEST"), "*1\r\n*4\r\n$7\r\ncommand\r\n:" + now + "\r\n:200\r\n:200\r\n");
  EXPECT_EQ(Run("LATENCY HISTORY command"), "*1\r\n*2\r\n:" + now + "\r\n:200\r\n");
  EXPECT_EQ(Run("LATENCY HISTORY nosuch"), "*0\r\n");
  EXPECT_EQ(Run("LATENCY GRAPH nosuch"), "-ERR No samples available for event 'nosuch'\r\n");
  // A second slow command in another second adds a sample; the max is all time.
  clock_.AdvanceMs(2000);
  EXPECT_EQ(Run("DEBUG SLEEP 0.15"), "+OK\r\n");
  const std::string later = std::to_string(kStartS + 2);
  EXPECT_EQ(Run("LATENCY LATEST"),
            "*1\r\n*4\r\n$7\r\ncommand\r\n:" + later + "\r\n:150\r\n:200\r\n");
  EXPECT_EQ(Run("LATENCY HISTORY command"),
            "*2\r\n*2\r\n:" + now + "\r\n:200\r\n*2\r\n:" + later + "\r\n:150\r\n");
  // RESET counts the series it removed, matching names in any case.
  EXPECT_EQ(Run("LATENCY RESET COMMAND nosuch command"), ":1\r\n");
  EXPECT_EQ(Run("LATENCY LATEST"), "*0\r\n");
}

TEST_F(LatencyFamilyTest, GraphAndDoctorAreVerbatimInResp3) {
  ASSERT_EQ(Run("CONFIG SET latency-monitor-threshold 100"), "+OK\r\n");
  ASSERT_EQ(Run("DEBUG SLEEP 0.2"), "+OK\r\n");
  const std::string graph = "command - high 200 ms, low 200 ms (all time high 200 ms)\n" +
                            std::string(80, '-') + "\n \n \n \n_\n \n0\ns\n";
  EXPECT_EQ(Run("LATENCY GRAPH command"),
            "$" + std::to_string(graph.size()) + "\r\n" + graph + "\r\n");
  Resp3();
  EXPECT_EQ(Run("LATENCY GRAPH command"),
            "=" + std::to_string(graph.size() + 4) + "\r\ntxt:" + graph + "\r\n");
  const std::string doctor = Run("LATENCY DOCTOR");
  EXPECT_TRUE(doctor.starts_with("=")) << doctor;
  EXPECT_NE(doctor.find("1. command: 1 latency spikes (average 200ms, mean deviation 0ms, period "
                        "1.00 sec). Worst all time event 200ms."),
            std::string::npos)
      << doctor;
}

TEST_F(LatencyFamilyTest, DoctorWhenDisabled) {
  const std::string text =
      "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. "
      "You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable "
      "it. If we weren't in a deep space mission I'd suggest to take a look at "
      "https://redis.io/topics/latency-monitor.\n";
  EXPECT_EQ(Run("LATENCY DOCTOR"), "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n");
}

TEST_F(LatencyFamilyTest, Help) {
  const std::string help = Run("LATENCY HELP");
  EXPECT_TRUE(help.starts_with("*17\r\n+LATENCY <subcommand> [<arg> [value] [opt] ...]. "
                               "Subcommands are:\r\n+DOCTOR\r\n"))
      << help;
  EXPECT_TRUE(help.ends_with("+    If no commands are specified then all histograms are "
                             "replied.\r\n+HELP\r\n+    Prints this help.\r\n"))
      << help;
  EXPECT_EQ(Run("LATENCY NOSUCH"), "-ERR unknown subcommand 'NOSUCH'. Try LATENCY HELP.\r\n");
  EXPECT_EQ(Run("LATENCY HISTORY"),
            "-ERR wrong number of arguments for 'latency|history' command\r\n");
}

TEST_F(LatencyFamilyTest, HistogramPerCommand) {
  ASSERT_EQ(Run("DEBUG SLEEP 0.2"), "+OK\r\n");  // 200,000 us: the 2^28 ns step (270532 us)
  const std::string debug =
      "$5\r\ndebug\r\n*4\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n*2\r\n:270532\r\n:1\r\n";
  EXPECT_EQ(Run("LATENCY HISTOGRAM debug"), "*2\r\n" + debug);
  EXPECT_EQ(Run("LATENCY HISTOGRAM nosuch DEBUG"), "*2\r\n" + debug);
  EXPECT_EQ(Run("LATENCY HISTOGRAM debug debug"), "*4\r\n" + debug + debug);
  EXPECT_EQ(Run("LATENCY HISTOGRAM get"), "*0\r\n");
  // Containers list their subcommands; "container|sub" names one.
  const std::string sub = "$17\r\nlatency|histogram\r\n*4\r\n$5\r\ncalls\r\n:4\r\n$14\r\n"
                          "histogram_usec\r\n*2\r\n:1\r\n:4\r\n";
  EXPECT_EQ(Run("LATENCY HISTOGRAM latency"), "*2\r\n" + sub);
  Resp3();
  EXPECT_EQ(Run("LATENCY HISTOGRAM LATENCY|HISTOGRAM"),
            "%1\r\n$17\r\nlatency|histogram\r\n%2\r\n$5\r\ncalls\r\n:5\r\n$14\r\n"
            "histogram_usec\r\n%1\r\n:1\r\n:5\r\n");
}

TEST_F(LatencyFamilyTest, TrackingOffAndResetStat) {
  ASSERT_EQ(Run("CONFIG SET latency-tracking no"), "+OK\r\n");
  ASSERT_EQ(Run("DEBUG SLEEP 0.2"), "+OK\r\n");
  EXPECT_EQ(Run("LATENCY HISTOGRAM debug"), "*0\r\n");
  EXPECT_EQ(Run("INFO latencystats"), "$16\r\n# Latencystats\r\n\r\n");
  ASSERT_EQ(Run("CONFIG SET latency-tracking yes"), "+OK\r\n");
  ASSERT_EQ(Run("DEBUG SLEEP 0.2"), "+OK\r\n");
  EXPECT_EQ(Run("LATENCY HISTOGRAM debug").substr(0, 4), "*2\r\n");
  ASSERT_EQ(Run("CONFIG RESETSTAT"), "+OK\r\n");
  // Only RESETSTAT's own call, recorded after it ran.
  EXPECT_EQ(Run("LATENCY HISTOGRAM"),
            "*2\r\n$16\r\nconfig|resetstat\r\n*4\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n"
            "*2\r\n:1\r\n:1\r\n");
}

TEST_F(LatencyFamilyTest, InfoLatencyStats) {
  ASSERT_EQ(Run("DEBUG SLEEP 0.2"), "+OK\r\n");
  const std::string info = Run("INFO latencystats");
  EXPECT_NE(info.find("\r\nlatency_percentiles_usec_debug:p50=200278.015,p99=200278.015,"
                      "p99.9=200278.015\r\n"),
            std::string::npos)
      << info;
  ASSERT_EQ(Run("CONFIG SET latency-tracking-info-percentiles \"0 50.5 100\""), "+OK\r\n");
  EXPECT_NE(Run("INFO latencystats")
                .find("latency_percentiles_usec_debug:p0=199229.440,p50.5=200278.015,"
                      "p100=200278.015\r\n"),
            std::string::npos);
  // Not in INFO's default sections, in `all`.
  EXPECT_EQ(Run("INFO").find("# Latencystats"), std::string::npos);
  EXPECT_NE(Run("INFO all").find("# Latencystats"), std::string::npos);
}

// A clock that moves 1 ms at every read: any interval the engine measures lasts at least 1 ms.
class TickingClock : public Clock {
 public:
  int64_t NowUs() const override { return now_us_ += 1000; }

 private:
  mutable int64_t now_us_ = 1'700'000'000'000'000;
};

TEST(LatencyEventsTest, ExpireCycleAndEvictionEvents) {
  Config config;
  TickingClock clock;
  config.settings().latency_monitor_threshold = 1;
  Engine engine(config, clock);
  RecordingObserver observer;
  Client* client = engine.Connect(&observer, "127.0.0.1:50000", "127.0.0.1:6379", 7);
  auto run = [&](std::vector<std::string> args) {
    client->output().clear();
    engine.Execute(*client, args);
    return client->output();
  };
  engine.Cron();
  const LatencyMonitor& monitor = engine.latency_monitor();
  EXPECT_NE(monitor.Find("expire-cycle"), nullptr);
  // Eviction: a deterministic memory source, 1000 bytes a key, room for two keys.
  engine.evictor().set_used_memory_source([&] { return engine.keyspace().TotalKeys() * 1000; });
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory", "2000"}), "+OK\r\n");
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "+OK\r\n");
  for (const char* key : {"a", "b", "c"}) ASSERT_EQ(run({"SET", key, "v"}), "+OK\r\n");
  EXPECT_EQ(run({"DBSIZE"}), ":2\r\n");
  EXPECT_NE(monitor.Find("eviction-del"), nullptr);
  EXPECT_NE(monitor.Find("eviction-cycle"), nullptr);
  EXPECT_NE(monitor.Find("fast-command"), nullptr);  // DBSIZE is fast
  EXPECT_NE(monitor.Find("command"), nullptr);       // CONFIG SET is not
}

}  // namespace
}  // namespace drayman::testing
