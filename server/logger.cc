#include "server/logger.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace drayman {

namespace {

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Logger::Log(LogLevel level, std::string_view message) const {
  if (!LogLevelEnabled(level, settings_.loglevel)) return;
  Write(FormatLogLine(static_cast<int>(getpid()), 'M', UnixMs(), level, message));
}

void Logger::LogFromSignal(std::string_view message) const {
  if (!LogLevelEnabled(LogLevel::kWarning, settings_.loglevel)) return;
  Write(FormatSignalLogLine(static_cast<int>(getpid()), UnixMs() / 1000, message));
}

LogSink Logger::Sink() const {
  return [this](LogLevel level, std::string_view message) { Log(level, message); };
}

void Logger::Write(std::string line) const {
  line.push_back('\n');
  if (settings_.logfile.empty()) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    return;
  }
  FILE* file = std::fopen(settings_.logfile.c_str(), "a");
  if (file == nullptr) return;  // Redis, too, drops the line when the file cannot be opened
  std::fwrite(line.data(), 1, line.size(), file);
  std::fclose(file);
}

}  // namespace drayman
