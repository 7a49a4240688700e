// /metrics' redis_* families equal the INFO fields they come from: every row of
// RedisFieldMetrics(), the command, error and keyspace families, and the instance labels.
#include "broker/stats/redis_metrics.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "broker/stats/server_info.h"
#include "tests/broker/engine_fixture.h"

namespace drayman {
namespace {

// "name:value" lines of INFO's text -> value text.
std::map<std::string, std::string> InfoFields(const std::string& text) {
  std::map<std::string, std::string> fields;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find("\r\n", at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 2;
    const size_t colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    fields[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return fields;
}

// "name{labels}" -> value, for every sample line.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> samples;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

// INFO's text read as prometheus-redis-exporter reads it: a number, or a status ("ok" is 1).
std::optional<double> WholeNumber(const std::string& text) {
  if (text == "ok" || text == "err") return text == "ok" ? 1 : 0;
  double number = 0;
  const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc() || ptr != text.data() + text.size()) return {};
  return number;
}

// The part `key` of "calls=1,usec=2,...".
double Part(const std::string& value, const std::string& key) {
  const size_t at = ("," + value).find("," + key + "=");
  EXPECT_NE(at, std::string::npos) << value << " " << key;
  return std::stod(value.substr(at + key.size() + 1));
}

class RedisMetricsTest : public testing::EngineTest {
 protected:
  void SetUp() override {
    Run("SET a 1");
    Run("RPUSH q x y z");
    Run("EXPIRE a 100");
    Run("SELECT 3");
    Run("SET b 2");
    Run("SELECT 0");
    Run("CONFIG GET maxmemory");
    Run("NOSUCHCOMMAND");
    Run("LPUSH a x");  // WRONGTYPE: a failed call
    Run("GET");        // arity: a rejected call
    clock_.AdvanceMs(5000);
  }

  // INFO (every section), the metrics, INFO again.
  void Collect() {
    const InfoSectionSet all = ServerInfo::SectionSet(ServerInfo::AllSections());
    before_ = InfoFields(ServerInfo::CollectText(*engine_, clock_.NowMs(), all));
    PrometheusWriter writer;
    WriteRedisMetrics(*engine_, writer);
    text_ = writer.text();
    samples_ = Samples(text_);
    after_ = InfoFields(ServerInfo::CollectText(*engine_, clock_.NowMs(), all));
  }

  std::map<std::string, std::string> before_, after_;
  std::string text_;
  std::map<std::string, double> samples_;
};

TEST_F(RedisMetricsTest, EveryFieldMetricEqualsItsInfoField) {
  Collect();
  int exact = 0;
  for (const RedisFieldMetric& row : RedisFieldMetrics()) {
    SCOPED_TRACE(std::string(row.metric));
    const auto metric = samples_.find(std::string(row.metric));
    const auto field = before_.find(std::string(row.field));
    const std::optional<double> number =
        field == before_.end() ? std::nullopt : WholeNumber(field->second);
    if (!number) {  // absent from INFO, or not a number: no sample
      EXPECT_EQ(metric, samples_.end());
      continue;
    }
    ASSERT_NE(metric, samples_.end());
    // Figures that moved between the two INFOs (memory, CPU) can only be checked for presence.
    if (after_[std::string(row.field)] != field->second) continue;
    if (metric->second == *number * row.scale) {
      ++exact;
    } else {
      // INFO prints ratios with "%.2f"; the metric carries the unrounded figure.
      char rounded[64];
      std::snprintf(rounded, sizeof(rounded), "%.2f", metric->second / row.scale);
      EXPECT_EQ(field->second, rounded);
    }
  }
  EXPECT_GT(exact, 50);
}

TEST_F(RedisMetricsTest, CommandErrorAndKeyspaceFamiliesEqualInfo) {
  Collect();
  int commands = 0;
  for (const auto& [name, value] : before_) {
    if (name.rfind("cmdstat_", 0) == 0) {
      const std::string label = "{cmd=\"" + name.substr(8) + "\"}";
      EXPECT_EQ(samples_.at("redis_commands_total" + label), Part(value, "calls")) << name;
      EXPECT_EQ(samples_.at("redis_commands_duration_seconds_total" + label),
                Part(value, "usec") * 1e-6)
          << name;
      EXPECT_EQ(samples_.at("redis_commands_rejected_calls_total" + label),
                Part(value, "rejected_calls"))
          << name;
      EXPECT_EQ(samples_.at("redis_commands_failed_calls_total" + label),
                Part(value, "failed_calls"))
          << name;
      ++commands;
    } else if (name.rfind("errorstat_", 0) == 0) {
      EXPECT_EQ(samples_.at("redis_errors_total{err=\"" + name.substr(10) + "\"}"),
                Part(value, "count"));
    }
  }
  EXPECT_GE(commands, 6);
  EXPECT_EQ(samples_.at("redis_commands_failed_calls_total{cmd=\"lpush\"}"), 1);
  EXPECT_EQ(samples_.at("redis_commands_rejected_calls_total{cmd=\"get\"}"), 1);
  EXPECT_EQ(samples_.at("redis_errors_total{err=\"WRONGTYPE\"}"), 1);
  size_t command_samples = 0;
  for (const auto& [key, value] : samples_) {
    if (key.rfind("redis_commands_total{", 0) == 0) ++command_samples;
  }
  EXPECT_EQ(command_samples, static_cast<size_t>(commands));
  for (int db = 0; db < engine_->keyspace().database_count(); ++db) {
    const std::string label = "{db=\"db" + std::to_string(db) + "\"}";
    const auto field = before_.find("db" + std::to_string(db));
    const bool listed = field != before_.end();
    EXPECT_EQ(samples_.at("redis_db_keys" + label), listed ? Part(field->second, "keys") : 0);
    EXPECT_EQ(samples_.at("redis_db_keys_expiring" + label),
              listed ? Part(field->second, "expires") : 0);
    EXPECT_EQ(samples_.count("redis_db_avg_ttl_seconds" + label), listed ? 1u : 0u);
    if (listed) {
      EXPECT_EQ(samples_.at("redis_db_avg_ttl_seconds" + label),
                Part(field->second, "avg_ttl") / 1000);
    }
  }
  EXPECT_EQ(samples_.at("redis_db_keys{db=\"db3\"}"), 1);
  EXPECT_EQ(samples_.at("redis_db_keys_expiring{db=\"db0\"}"), 1);
}

TEST_F(RedisMetricsTest, InstanceLabelsAndStartTimeAreInfoFields) {
  Collect();
  const std::string expected =
      "redis_instance_info{role=\"" + before_["role"] + "\",redis_version=\"" +
      before_["redis_version"] + "\",redis_build_id=\"\",redis_mode=\"" + before_["redis_mode"] +
      "\",os=\"" + before_["os"] + "\",maxmemory_policy=\"" + before_["maxmemory_policy"] +
      "\",tcp_port=\"" + before_["tcp_port"] + "\",run_id=\"" + before_["run_id"] +
      "\",process_id=\"" + before_["process_id"] + "\",drayman_version=\"" +
      before_["drayman_version"] + "\"} 1\n";
  EXPECT_NE(text_.find(expected), std::string::npos) << text_;
  EXPECT_EQ(samples_.at("redis_start_time_seconds"),
            static_cast<double>(clock_.NowMs() / 1000) - std::stod(before_["uptime_in_seconds"]));
  EXPECT_EQ(text_.rfind("# HELP redis_up Information about the Redis instance\n"
                        "# TYPE redis_up gauge\nredis_up 1\n",
                        0),
            0u);
}

}  // namespace
}  // namespace drayman
