// Slow log: the most recent commands whose execution took at least slowlog-log-slower-than
// microseconds (SLOWLOG GET/LEN/RESET).
//
// Contract: the dispatcher offers every executed command (except those flagged skip_slowlog)
// with its measured duration; Record keeps it when the threshold allows, newest first, at most
// slowlog-max-len entries (both read from Settings on every call, so CONFIG SET applies at
// once). Entries hold what Redis keeps: at most 32 arguments (the last replaced by
// "... (N more arguments)"), each cut to 128 bytes ("... (N more bytes)"), secrets redacted
// ("(redacted)") the way Redis redacts AUTH, HELLO AUTH and CONFIG SET of sensitive parameters,
// the client's address and name at the time.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace drayman {

class Config;
struct CommandSpec;

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;
  std::string peer;
  std::string client_name;
};

class SlowLog {
 public:
  // Adds the command if slow enough (and the log is enabled), trimming to the configured length.
  void Record(const Config& config, const CommandSpec& spec, const std::vector<std::string>& args,
              int64_t duration_us, int64_t now_s, const std::string& peer,
              const std::string& client_name);
  // Newest first.
  const std::deque<SlowLogEntry>& entries() const { return entries_; }
  void Reset() { entries_.clear(); }

 private:
  std::deque<SlowLogEntry> entries_;
  uint64_t next_id_ = 0;
};

// The arguments of a command as logs may show them: secrets replaced by "(redacted)" as Redis
// does for AUTH, HELLO ... AUTH user pass and CONFIG SET of sensitive parameters.
std::vector<std::string> RedactedArguments(const Config& config, const CommandSpec& spec,
                                           const std::vector<std::string>& args);

}  // namespace drayman
