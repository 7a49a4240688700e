// Logger: lines go to `logfile` (appended, one per call) when their level passes `loglevel`,
// read from the settings on every call.
#include "server/logger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace drayman {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LoggerTest, WritesRedisLinesAtOrAboveTheConfiguredLevel) {
  const std::string path =
      ::testing::TempDir() + "drayman-logger-" + std::to_string(getpid()) + ".log";
  std::filesystem::remove(path);
  Settings settings;
  settings.logfile = path;
  settings.loglevel = "notice";
  const Logger logger(settings);
  logger.Log(LogLevel::kVerbose, "dropped");
  logger.Log(LogLevel::kNotice, "kept notice");
  settings.loglevel = "warning";  // CONFIG SET loglevel: the next line sees it
  logger.Log(LogLevel::kNotice, "dropped too");
  logger.Log(LogLevel::kWarning, "kept warning");
  logger.LogFromSignal("Received SIGTERM scheduling shutdown...");
  const std::string text = ReadFile(path);
  const std::string pid = std::to_string(getpid());
  const std::string stamp = R"(\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3})";
  const std::regex expected(
      pid + ":M " + stamp + R"( \* kept notice\n)" + pid + ":M " + stamp + R"( # kept warning\n)" +
      pid + R"(:signal-handler \(\d+\) Received SIGTERM scheduling shutdown\.\.\.\n)");
  EXPECT_TRUE(std::regex_match(text, expected)) << text;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace drayman
