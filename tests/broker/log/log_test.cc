// Redis-format log lines (broker/log/log.h), checked against lines redis-server 7.0.15 wrote.
#include "broker/log/log.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace drayman {
namespace {

class LogLineTest : public ::testing::Test {
 protected:
  // Lines carry local time: pin the zone so the expected text is fixed.
  void SetUp() override {
    const char* zone = std::getenv("TZ");
    saved_zone_ = zone == nullptr ? "" : zone;
    had_zone_ = zone != nullptr;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (had_zone_) {
      setenv("TZ", saved_zone_.c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::string saved_zone_;
  bool had_zone_ = false;
};

TEST_F(LogLineTest, RedisLineFormat) {
  // redis-server: "15046:M 05 Dec 2026 12:17:50.149 # Client id=5 ... scheduled to be closed ..."
  constexpr int64_t kUnixMs = 1796473070149;  // 05 Dec 2026 12:17:50.149 UTC
  EXPECT_EQ(FormatLogLine(15046, 'M', kUnixMs, LogLevel::kWarning, "User requested shutdown..."),
            "15046:M 05 Dec 2026 12:17:50.149 # User requested shutdown...");
  EXPECT_EQ(FormatLogLine(7, 'M', kUnixMs - 149 + 5, LogLevel::kNotice, "x"),
            "7:M 05 Dec 2026 12:17:50.005 * x");
  EXPECT_EQ(FormatLogLine(7, 'M', kUnixMs, LogLevel::kVerbose, "Accepted 127.0.0.1:5"),
            "7:M 05 Dec 2026 12:17:50.149 - Accepted 127.0.0.1:5");
  EXPECT_EQ(FormatLogLine(7, 'M', kUnixMs, LogLevel::kDebug, ""),
            "7:M 05 Dec 2026 12:17:50.149 . ");
}

TEST_F(LogLineTest, SignalHandlerFormat) {
  // redis-server: "15046:signal-handler (1796473070) Received SIGTERM scheduling shutdown..."
  EXPECT_EQ(FormatSignalLogLine(15046, 1796473070, "Received SIGTERM scheduling shutdown..."),
            "15046:signal-handler (1796473070) Received SIGTERM scheduling shutdown...");
}

TEST(LogLevelTest, ConfiguredLevelFilters) {
  LogLevel level = LogLevel::kDebug;
  EXPECT_TRUE(ParseLogLevel("warning", &level));
  EXPECT_EQ(level, LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("WARNING", &level));
  EXPECT_FALSE(ParseLogLevel("nothing", &level));
  EXPECT_TRUE(LogLevelEnabled(LogLevel::kWarning, "notice"));
  EXPECT_TRUE(LogLevelEnabled(LogLevel::kNotice, "notice"));
  EXPECT_FALSE(LogLevelEnabled(LogLevel::kVerbose, "notice"));
  EXPECT_TRUE(LogLevelEnabled(LogLevel::kDebug, "debug"));
  EXPECT_FALSE(LogLevelEnabled(LogLevel::kNotice, "warning"));
}

}  // namespace
}  // namespace drayman
