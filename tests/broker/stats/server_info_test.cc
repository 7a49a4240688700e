// ServerInfo: INFO's text is made from the same typed values the other readers get, in the
// formats Redis prints (printf's "%.2f"/"%.3f", CPU seconds with six decimals).
#include "broker/stats/server_info.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "broker/stats/process_stats.h"
#include "tests/broker/engine_fixture.h"

namespace drayman {
namespace {

std::string Text(const InfoValue& value) {
  std::string text;
  value.AppendText(text);
  return text;
}

std::string Printf(const char* format, double value) {
  char text[512];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

TEST(InfoValueTest, FixedDecimalsArePrintfs) {
  std::vector<double> values = {0, -0.0, 0.005, 0.015, 0.125, 0.375, 1.005, 2.675, 99.995,
                                1e15 + 0.5, 1e22, 1.0 / 3, 2.0 / 3, 123456789.125};
  std::mt19937_64 random(15);
  std::uniform_real_distribution<double> small(0, 100);
  std::uniform_int_distribution<int64_t> thousandths(0, 10000000);
  for (int i = 0; i < 20000; ++i) {
    values.push_back(small(random));
    values.push_back(static_cast<double>(thousandths(random)) / 1000);  // ties at .xx5
    values.push_back(static_cast<double>(thousandths(random)) / 8);
  }
  for (const double value : values) {
    InfoValue fixed2;
    fixed2.kind = InfoValue::Kind::kFixed2;
    fixed2.real = value;
    ASSERT_EQ(Text(fixed2), Printf("%.2f", value)) << value;
    fixed2.text = "%";
    ASSERT_EQ(Text(fixed2), Printf("%.2f", value) + "%") << value;
    InfoValue fixed3;
    fixed3.kind = InfoValue::Kind::kFixed3;
    fixed3.real = value;
    ASSERT_EQ(Text(fixed3), Printf("%.3f", value)) << value;
  }
}

TEST(InfoValueTest, CpuSecondsAreFormatCpuSeconds) {
  std::vector<int64_t> values = {0, 1, 999999, 1000000, 1000001, 123456789012};
  std::mt19937_64 random(15);
  std::uniform_int_distribution<int64_t> micros(0, int64_t{1} << 40);
  for (int i = 0; i < 10000; ++i) values.push_back(micros(random));
  for (const int64_t value : values) {
    InfoValue cpu;
    cpu.kind = InfoValue::Kind::kCpuMicros;
    cpu.integer = value;
    ASSERT_EQ(Text(cpu), FormatCpuSeconds(value)) << value;
    double number = 0;
    ASSERT_TRUE(cpu.Number(&number));
    EXPECT_EQ(number, std::stod(FormatCpuSeconds(value))) << value;  // the text read back
  }
}

TEST(InfoValueTest, NumbersOfEachKind) {
  double number = -1;
  InfoValue value;
  value.kind = InfoValue::Kind::kText;
  value.text = "standalone";
  EXPECT_FALSE(value.Number(&number));
  value.text = "-1";
  ASSERT_TRUE(value.Number(&number));
  EXPECT_EQ(number, -1);
  value.text = "";
  EXPECT_FALSE(value.Number(&number));
  value.kind = InfoValue::Kind::kHumanBytes;
  value.unsigned_integer = 1536;
  EXPECT_FALSE(value.Number(&number));
  EXPECT_EQ(Text(value), "1.50K");
  value.kind = InfoValue::Kind::kStatus;
  value.integer = 0;
  ASSERT_TRUE(value.Number(&number));
  EXPECT_EQ(number, 0);
  EXPECT_EQ(Text(value), "err");
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find("\r\n", at);
    lines.push_back(text.substr(at, end - at));
    at = end == std::string::npos ? text.size() : end + 2;
  }
  return lines;
}

class ServerInfoTest : public testing::EngineTest {};

// The text INFO writes as it collects and the recorded fields' text are the same lines, except
// figures that move between two collections (memory, CPU), which only keep their names.
TEST_F(ServerInfoTest, WrittenTextEqualsTheRecordedFields) {
  Run("SET a 1");
  Run("EXPIRE a 100");
  Run("RPUSH q x y");
  Run("CONFIG GET maxmemory");
  Run("NOSUCHCOMMAND");
  const int64_t now = clock_.NowMs();
  const std::string first = ServerInfo::CollectText(
      *engine_, now, ServerInfo::SectionSet(ServerInfo::AllSections()));
  const ServerInfo recorded = ServerInfo::Collect(*engine_, now, ServerInfo::AllSections());
  const std::string second = ServerInfo::CollectText(
      *engine_, now, ServerInfo::SectionSet(ServerInfo::AllSections()));
  const std::vector<std::string> a = Lines(first), b = Lines(recorded.Text()), c = Lines(second);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), c.size());
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].substr(0, a[i].find(':')), b[i].substr(0, b[i].find(':')));
    if (a[i] == c[i]) {
      EXPECT_EQ(a[i], b[i]);
      ++same;
    }
  }
  EXPECT_GT(same, 150);
  EXPECT_NE(first.find("cmdstat_rpush:calls=1,"), std::string::npos);
  EXPECT_NE(first.find("errorstat_ERR:count=1\r\n"), std::string::npos);
  EXPECT_NE(first.find("db0:keys=2,expires=1,avg_ttl="), std::string::npos);
  EXPECT_NE(first.find("\r\n\r\n# Keyspace\r\n"), std::string::npos);
  EXPECT_EQ(first.rfind("# Server\r\n", 0), 0u);
  const InfoField* calls = recorded.Find("commandstats", "cmdstat_rpush");
  ASSERT_NE(calls, nullptr);
  EXPECT_EQ(calls->Part("calls"), 1);
  const InfoField* keys = recorded.Find("keyspace", "db0");
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->Part("keys"), 2);
}

TEST_F(ServerInfoTest, OnlyTheChosenSectionsInRedisOrder) {
  const std::string text = ServerInfo::CollectText(
      *engine_, clock_.NowMs(), ServerInfo::SectionSet({"keyspace", "modules", "clients"}));
  EXPECT_EQ(text.rfind("# Clients\r\nconnected_clients:1\r\n", 0), 0u) << text;
  EXPECT_NE(text.find("\r\n\r\n# Modules\r\n\r\n# Keyspace\r\n"), std::string::npos) << text;
  EXPECT_EQ(ServerInfo::SectionSet({"nosuchsection"}), 0u);
}

}  // namespace
}  // namespace drayman
