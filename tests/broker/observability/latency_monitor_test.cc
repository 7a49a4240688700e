// LatencyMonitor: the per-event series (one sample per second, 160 kept, all-time maximum),
// RESET's case-insensitive match, DOCTOR's texts and GRAPH's sparkline, against Redis 7.0.15's
// latency.c / sparkline.c behaviour. Times are passed in: no clock, no sleeps.
#include "broker/observability/latency_monitor.h"

#include <gtest/gtest.h>

#include <string>

namespace drayman {
namespace {

constexpr int64_t kT = 1'700'000'000;

TEST(LatencyMonitorTest, AddIfNeededRespectsTheThreshold) {
  LatencyMonitor monitor;
  monitor.AddIfNeeded("command", 500, /*threshold_ms=*/0, kT);  // monitoring off
  EXPECT_EQ(monitor.size(), 0u);
  monitor.AddIfNeeded("command", 99, 100, kT);
  EXPECT_EQ(monitor.size(), 0u);
  monitor.AddIfNeeded("command", 100, 100, kT);
  ASSERT_NE(monitor.Find("command"), nullptr);
  EXPECT_EQ(monitor.Find("command")->Latest().latency_ms, 100u);
  EXPECT_EQ(monitor.Find("COMMAND"), nullptr);  // lookups are exact, as Redis's dict
}

TEST(LatencyMonitorTest, OneSamplePerSecondKeepsTheHighest) {
  LatencyMonitor monitor;
  monitor.Add("command", 10, kT);
  monitor.Add("command", 30, kT);
  monitor.Add("command", 20, kT);
  monitor.Add("command", 5, kT + 1);
  const LatencyMonitor::Series& series = *monitor.Find("command");
  const auto samples = series.Chronological();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].time_s, kT);
  EXPECT_EQ(samples[0].latency_ms, 30u);
  EXPECT_EQ(samples[1].time_s, kT + 1);
  EXPECT_EQ(samples[1].latency_ms, 5u);
  EXPECT_EQ(series.max_ms, 30u);
  EXPECT_EQ(series.Latest().latency_ms, 5u);
}

TEST(LatencyMonitorTest, KeepsTheLast160Seconds) {
  LatencyMonitor monitor;
  for (int i = 0; i < 200; ++i) monitor.Add("expire-cycle", 1000 - i, kT + i);
  const LatencyMonitor::Series& series = *monitor.Find("expire-cycle");
  const auto samples = series.Chronological();
  ASSERT_EQ(samples.size(), 160u);
  EXPECT_EQ(samples.front().time_s, kT + 40);
  EXPECT_EQ(samples.back().time_s, kT + 199);
  EXPECT_EQ(series.max_ms, 1000u);  // the all-time high outlives its sample
}

TEST(LatencyMonitorTest, ResetMatchesAnyCase) {
  LatencyMonitor monitor;
  monitor.Add("command", 10, kT);
  monitor.Add("fast-command", 10, kT);
  monitor.Add("expire-cycle", 10, kT);
  EXPECT_EQ(monitor.Reset("COMMAND"), 1);
  EXPECT_EQ(monitor.Reset("command"), 0);
  EXPECT_EQ(monitor.Reset("nosuch"), 0);
  EXPECT_EQ(monitor.ResetAll(), 2);
  EXPECT_EQ(monitor.size(), 0u);
}

TEST(LatencyMonitorTest, AnalyzeComputesRedisFigures) {
  LatencyMonitor monitor;
  monitor.Add("command", 100, kT);
  monitor.Add("command", 300, kT + 10);
  monitor.Add("command", 200, kT + 20);
  const auto stats = LatencyMonitor::Analyze(*monitor.Find("command"), kT + 40);
  EXPECT_EQ(stats.samples, 3);
  EXPECT_EQ(stats.avg, 200u);
  EXPECT_EQ(stats.min, 100u);
  EXPECT_EQ(stats.max, 300u);
  EXPECT_EQ(stats.mad, 66u);  // (100 + 100 + 0) / 3, integer division
  EXPECT_EQ(stats.period_s, 40);
  // A period of zero seconds counts as one.
  LatencyMonitor single;
  single.Add("command", 7, kT);
  EXPECT_EQ(LatencyMonitor::Analyze(*single.Find("command"), kT).period_s, 1);
}

TEST(LatencyMonitorTest, DoctorWhenDisabledAndEmpty) {
  LatencyMonitor monitor;
  EXPECT_EQ(monitor.Doctor({.threshold_ms = 0}, kT),
            "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
            "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
            "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
            "at https://redis.io/topics/latency-monitor.\n");
  EXPECT_EQ(monitor.Doctor({.threshold_ms = 100}, kT),
            "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
            "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
            "pill, and think things over.\n");
}

TEST(LatencyMonitorTest, DoctorReportsCommandSpikesWithRedisAdvice) {
  LatencyMonitor monitor;
  monitor.Add("command", 200, kT);
  const std::string report =
      monitor.Doctor({.threshold_ms = 100, .slowlog_log_slower_than_us = 10000, .hz = 10}, kT);
  EXPECT_EQ(report,
            "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
            "about it, do you Dave?\n\n"
            "1. command: 1 latency spikes (average 200ms, mean deviation 0ms, period 1.00 sec). "
            "Worst all time event 200ms.\n"
            "\nI have a few advices for you:\n\n"
            "- Check your Slow Log to understand what are the commands you are running which are "
            "too slow to execute. Please check https://redis.io/commands/slowlog for more "
            "information.\n"
            "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
            "blocking operation. If you have very large objects that are often deleted, expired, "
            "or evicted, try to fragment those objects into multiple smaller objects.\n");
  // Slow log off, then set above the threshold: the first advice changes.
  EXPECT_NE(monitor.Doctor({.threshold_ms = 100, .slowlog_log_slower_than_us = -1}, kT)
                .find("'CONFIG SET slowlog-log-slower-than 100000'. If the Slow log is disabled"),
            std::string::npos);
  EXPECT_NE(monitor.Doctor({.threshold_ms = 100, .slowlog_log_slower_than_us = 500000}, kT)
                .find("- Your current Slow Log configuration only logs events that are slower "
                      "than your configured latency monitor threshold. Please use 'CONFIG SET "
                      "slowlog-log-slower-than 100000'.\n"),
            std::string::npos);
}

TEST(LatencyMonitorTest, DoctorAdviceForExpiryEvictionAndFsync) {
  LatencyMonitor monitor;
  monitor.Add("expire-cycle", 150, kT);
  monitor.Add("eviction-cycle", 150, kT);
  monitor.Add("aof-fsync-always", 150, kT);
  LatencyMonitor::DoctorFacts facts{.threshold_ms = 100, .hz = 10, .appendfsync_always = true};
  const std::string report = monitor.Doctor(facts, kT + 3);
  EXPECT_NE(report.find("1. expire-cycle: 1 latency spikes (average 150ms, mean deviation 0ms, "
                        "period 3.00 sec). Worst all time event 150ms.\n2. eviction-cycle"),
            std::string::npos);
  EXPECT_NE(report.find("try to set the 'hz' configuration parameter to 100"), std::string::npos);
  EXPECT_NE(report.find("- Sudden changes to the 'maxmemory' setting"), std::string::npos);
  EXPECT_NE(report.find("Your fsync policy is set to 'always'."), std::string::npos);
  facts.hz = 100;
  facts.appendfsync_always = false;
  const std::string relaxed = monitor.Doctor(facts, kT + 3);
  EXPECT_EQ(relaxed.find("'hz' configuration parameter"), std::string::npos);
  EXPECT_EQ(relaxed.find("fsync policy"), std::string::npos);
}

TEST(LatencyMonitorTest, DoctorHugePagesAdviceAlone) {
  LatencyMonitor monitor;
  const std::string report = monitor.Doctor({.threshold_ms = 100, .anon_huge_pages = true}, kT);
  EXPECT_TRUE(report.starts_with("\nI have a few advices for you:\n\n- I detected a non zero "
                                 "amount of anonymous huge pages"));
}

TEST(LatencyMonitorTest, GraphOfOneSample) {
  LatencyMonitor monitor;
  monitor.Add("command", 200, kT);
  EXPECT_EQ(LatencyMonitor::Graph("command", *monitor.Find("command"), kT),
            "command - high 200 ms, low 200 ms (all time high 200 ms)\n" + std::string(80, '-') +
                "\n \n \n \n_\n \n0\ns\n");
}

TEST(LatencyMonitorTest, GraphScalesBetweenLowAndHigh) {
  LatencyMonitor monitor;
  monitor.Add("command", 100, kT);
  monitor.Add("command", 300, kT + 75);
  EXPECT_EQ(LatencyMonitor::Graph("command", *monitor.Find("command"), kT + 80),
            "command - high 300 ms, low 100 ms (all time high 300 ms)\n" + std::string(80, '-') +
                "\n #\n |\n |\n_|\n  \n15\nms\n");
}

TEST(LatencyMonitorTest, GraphLabelsInMinutesHoursDays) {
  LatencyMonitor monitor;
  monitor.Add("command", 100, kT);
  monitor.Add("command", 100, kT + 1);
  monitor.Add("command", 100, kT + 86400 - 7200);
  const std::string graph = LatencyMonitor::Graph("command", *monitor.Find("command"), kT + 86400);
  // Ages 1d, 23h and 2h; equal values draw the lowest mark.
  EXPECT_TRUE(graph.ends_with("   \n   \n   \n___\n   \n122\nd3h\n h \n")) << graph;
}

TEST(LatencyMonitorTest, SparklineWrapsPastItsColumns) {
  std::vector<SparklineSample> samples;
  for (int i = 0; i < 5; ++i) samples.push_back({static_cast<double>(i), ""});
  // No labels: no blank line, and a new band after 3 columns.
  EXPECT_EQ(RenderSparkline(samples, 3, 1), "__o\n\n##\n");
}

}  // namespace
}  // namespace drayman
