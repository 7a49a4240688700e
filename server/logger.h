// Logger: writes the server's log lines (Redis's format, broker/log/log.h).
//
// Contract: Log() writes one line when its level passes the `loglevel` setting, to `logfile`
// (opened for appending on every line, as Redis does, so the file can be rotated or removed) or
// to stdout when logfile is empty (flushed at once). Settings are read on every call, so CONFIG
// SET loglevel applies at once. The role is 'M' (a standalone master), or 'C' for the lines
// Redis writes before the server exists (set_role). With `syslog-enabled yes` each message also
// goes to syslog(3) under `syslog-ident` and `syslog-facility`, at Redis's priorities. Lines are
// written whole, with one write each; call it from one thread at a time (the event loop, or main
// before it).
#pragma once

#include <string_view>

#include "broker/config/config.h"
#include "broker/log/log.h"

namespace drayman {

class Logger {
 public:
  explicit Logger(const Settings& settings) : settings_(settings) {}

  void Log(LogLevel level, std::string_view message) const;
  // A line in the form Redis writes from signal handlers (SIGTERM, SIGINT), at warning level.
  void LogFromSignal(std::string_view message) const;
  // A sink for Engine::log_sink that writes through this logger.
  LogSink Sink() const;
  void set_role(char role) { role_ = role; }

 private:
  void Write(std::string line) const;

  const Settings& settings_;
  char role_ = 'M';
};

}  // namespace drayman
