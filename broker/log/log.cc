#include "broker/log/log.h"

#include <cstdio>
#include <ctime>

namespace drayman {

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
      {"debug", LogLevel::kDebug},
      {"verbose", LogLevel::kVerbose},
      {"notice", LogLevel::kNotice},
      {"warning", LogLevel::kWarning}};
  for (const auto& [known, value] : kNames) {
    if (name == known) {
      *level = value;
      return true;
    }
  }
  return false;
}

bool LogLevelEnabled(LogLevel level, std::string_view configured) {
  LogLevel threshold = LogLevel::kWarning;
  if (!ParseLogLevel(configured, &threshold)) return false;
  return static_cast<int>(level) >= static_cast<int>(threshold);
}

std::string FormatLogLine(int pid, char role, int64_t unix_ms, LogLevel level,
                          std::string_view message) {
  const time_t seconds = static_cast<time_t>(unix_ms / 1000);
  tm local{};
  localtime_r(&seconds, &local);
  char stamp[64];
  size_t length = std::strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S.", &local);
  std::snprintf(stamp + length, sizeof(stamp) - length, "%03d", static_cast<int>(unix_ms % 1000));
  std::string line = std::to_string(pid);
  line.push_back(':');
  line.push_back(role);
  line.push_back(' ');
  line.append(stamp);
  line.push_back(' ');
  line.push_back(".-*#"[static_cast<int>(level)]);
  line.push_back(' ');
  line.append(message);
  return line;
}

std::string FormatSignalLogLine(int pid, int64_t unix_s, std::string_view message) {
  std::string line = std::to_string(pid) + ":signal-handler (" + std::to_string(unix_s) + ") ";
  line.append(message);
  return line;
}

}  // namespace drayman
