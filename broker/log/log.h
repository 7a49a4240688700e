// Log lines in Redis's format, and the sink through which the engine reports events.
//
// Contract: the engine does no I/O. It formats a message and hands it to the LogSink its host
// installed (Engine::log_sink); the host decides whether to write it (the `loglevel` setting)
// and where (server/logger.h: stdout or `logfile`). Without a sink, messages are dropped. Levels
// are Redis's, in increasing severity; a line is written when its level is at or above the
// configured one. FormatLogLine builds Redis's line, "<pid>:<role> <dd Mon yyyy HH:MM:SS.mmm>
// <c> <message>" with c one of . - * # (debug, verbose, notice, warning) and the time in local
// time; FormatSignalLogLine builds the form Redis uses from signal handlers,
// "<pid>:signal-handler (<unix seconds>) <message>".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace drayman {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

using LogSink = std::function<void(LogLevel level, std::string_view message)>;

// The level a `loglevel` value names ("debug", "verbose", "notice", "warning"); false otherwise.
bool ParseLogLevel(std::string_view name, LogLevel* level);

// True when a line of `level` passes the `loglevel` setting `configured` (an unknown name, which
// the configuration never accepts, lets nothing through).
bool LogLevelEnabled(LogLevel level, std::string_view configured);

std::string FormatLogLine(int pid, char role, int64_t unix_ms, LogLevel level,
                          std::string_view message);

std::string FormatSignalLogLine(int pid, int64_t unix_s, std::string_view message);

}  // namespace drayman
