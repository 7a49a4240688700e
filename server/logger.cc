#include "server/logger.h"

#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace drayman {

namespace {

// syslog-facility names, as Redis's syslog_facility_enum.
int SyslogFacility(const std::string& name) {
  static constexpr std::pair<std::string_view, int> kFacilities[] = {
      {"user", LOG_USER},     {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
      {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
      {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}};
  for (const auto& [known, facility] : kFacilities) {
    if (name == known) return facility;
  }
  return LOG_LOCAL0;
}

// openlog() keeps the ident pointer: the copy lives as long as the process.
void OpenSyslogOnce(const Settings& settings) {
  static std::string* ident = nullptr;
  if (ident != nullptr) return;
  ident = new std::string(settings.syslog_ident);
  openlog(ident->c_str(), LOG_PID | LOG_NDELAY | LOG_NOWAIT,
          SyslogFacility(settings.syslog_facility));
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Logger::Log(LogLevel level, std::string_view message) const {
  if (!LogLevelEnabled(level, settings_.loglevel)) return;
  Write(FormatLogLine(static_cast<int>(getpid()), role_, UnixMs(), level, message));
  if (settings_.syslog_enabled) {
    // Redis's syslogLevelMap: debug, verbose -> LOG_DEBUG, LOG_INFO; notice, warning ->
    // LOG_NOTICE, LOG_WARNING. The message alone: syslog adds its own stamp and pid.
    static constexpr int kPriorities[] = {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING};
    OpenSyslogOnce(settings_);
    const std::string text(message);
    syslog(kPriorities[static_cast<int>(level)], "%s", text.c_str());
  }
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
