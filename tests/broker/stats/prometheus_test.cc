// PrometheusWriter: the text exposition format (HELP/TYPE lines, label escaping, numbers).
#include "broker/stats/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "broker/clock.h"
#include "broker/engine.h"

namespace drayman {
namespace {

TEST(PrometheusWriterTest, WritesFamiliesSamplesAndEscapedLabels) {
  PrometheusWriter out;
  out.Single("redis_up", PrometheusWriter::Type::kGauge, "Up", 1);
  out.Family("redis_commands_total", PrometheusWriter::Type::kCounter, "Calls\nper \\ command");
  out.Sample("redis_commands_total", {{"cmd", "get"}}, 42);
  out.Sample("redis_commands_total", {{"cmd", "a\"b\\c\nd"}, {"db", "db0"}}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP redis_up Up\n# TYPE redis_up gauge\nredis_up 1\n"
            "# HELP redis_commands_total Calls\\nper \\\\ command\n"
            "# TYPE redis_commands_total counter\n"
            "redis_commands_total{cmd=\"get\"} 42\n"
            "redis_commands_total{cmd=\"a\\\"b\\\\c\\nd\",db=\"db0\"} 0.25\n");
}

TEST(PrometheusWriterTest, NumbersReadBackExactly) {
  auto text = [](double value) {
    std::string out;
    AppendPrometheusNumber(out, value);
    return out;
  };
  EXPECT_EQ(text(0), "0");
  EXPECT_EQ(text(-3), "-3");
  EXPECT_EQ(text(18446744073709.0), "18446744073709");
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(1e20), "1e+20");
  EXPECT_EQ(text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(text(std::nan("")), "NaN");
}

// The direct writers print exactly what AppendPrometheusNumber prints for the same value.
TEST(PrometheusWriterTest, DirectWritersMatchTheDoublePath) {
  auto via_double = [](double value) {
    std::string out;
    AppendPrometheusNumber(out, value);
    return out;
  };
  auto millis = [](int64_t ms) {
    char buffer[32];
    return std::string(buffer, WritePrometheusMillisAsSeconds(buffer, ms));
  };
  auto count = [](uint64_t value) {
    char buffer[32];
    return std::string(buffer, WritePrometheusCount(buffer, value));
  };
  for (int64_t ms = 0; ms < 200'000; ++ms) {
    ASSERT_EQ(millis(ms), via_double(static_cast<double>(ms) / 1000.0)) << ms;
  }
  std::mt19937_64 random(15);
  for (int i = 0; i < 200'000; ++i) {
    const int64_t ms = static_cast<int64_t>(random() >> (random() % 64));
    ASSERT_EQ(millis(ms), via_double(static_cast<double>(ms) / 1000.0)) << ms;
    const uint64_t value = random() >> (11 + random() % 53);  // below 2^53
    ASSERT_EQ(count(value), via_double(static_cast<double>(value))) << value;
  }
  EXPECT_EQ(millis(1), "0.001");
  EXPECT_EQ(millis(1500), "1.5");
  EXPECT_EQ(millis(-2500), "-2.5");
  std::string appended = "x ";
  AppendPrometheusCount(appended, 18446744073709551615u);
  EXPECT_EQ(appended, "x 18446744073709551615");
}

TEST(MetricsRegistryTest, RunsProducersInOrder) {
  MetricsRegistry registry;
  registry.Add([](Engine&, PrometheusWriter& out) { out.text() += "a\n"; });
  registry.Add([](Engine&, PrometheusWriter& out) { out.text() += "b\n"; });
  Config config;
  ManualClock clock;
  Engine engine(config, clock);
  EXPECT_EQ(registry.Render(engine), "a\nb\n");
}

}  // namespace
}  // namespace drayman
