#include "broker/slowlog/slowlog.h"

#include <algorithm>

#include "broker/command/command_table.h"
#include "broker/config/config.h"

namespace drayman {

namespace {

constexpr size_t kMaxArgs = 32;        // Redis's SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t kMaxArgLength = 128;  // Redis's SLOWLOG_ENTRY_MAX_STRING
constexpr std::string_view kRedacted = "(redacted)";

}  // namespace

std::vector<std::string> RedactedArguments(const Config& config, const CommandSpec& spec,
                                           const std::vector<std::string>& args) {
  std::vector<std::string> shown = args;
  if (spec.full_name == "auth") {
    for (size_t i = 1; i < shown.size() && i <= 2; ++i) shown[i] = kRedacted;
  } else if (spec.full_name == "hello") {
    // Mirrors HELLO's option walk: AUTH takes two values, SETNAME one.
    for (size_t i = 2; i < shown.size(); ++i) {
      const size_t more = shown.size() - 1 - i;
      if (EqualsIgnoreCase(args[i], "auth") && more >= 2) {
        shown[i + 1] = kRedacted;
        shown[i + 2] = kRedacted;
        i += 2;
      } else if (EqualsIgnoreCase(args[i], "setname") && more >= 1) {
        ++i;
      } else {
        break;
      }
    }
  } else if (spec.full_name == "acl|setuser") {
    // ACL (broker/acl/): the user name and every rule (passwords among them), as Redis redacts.
    for (size_t i = 2; i < shown.size(); ++i) shown[i] = kRedacted;
  } else if (spec.full_name == "config|set") {
    for (size_t i = 2; i + 1 < shown.size(); i += 2) {
      if (config.IsSensitive(args[i])) shown[i + 1] = kRedacted;
    }
  }
  return shown;
}

void SlowLog::Record(const Config& config, const CommandSpec& spec,
                     const std::vector<std::string>& args, int64_t duration_us, int64_t now_s,
                     const std::string& peer, const std::string& client_name) {
  const Settings& settings = config.settings();
  if (settings.slowlog_log_slower_than < 0) return;  // disabled
  if (settings.slowlog_max_len > 0 && duration_us >= settings.slowlog_log_slower_than) {
    SlowLogEntry entry;
    entry.id = next_id_++;
    entry.time_s = now_s;
    entry.duration_us = duration_us;
    std::vector<std::string> shown = RedactedArguments(config, spec, args);
    const size_t kept = std::min(shown.size(), kMaxArgs);
    entry.args.reserve(kept);
    for (size_t i = 0; i < kept; ++i) {
      if (kept != shown.size() && i == kept - 1) {
        entry.args.push_back("... (" + std::to_string(shown.size() - kept + 1) +
                             " more arguments)");
        break;
      }
      std::string& arg = shown[i];
      if (arg.size() > kMaxArgLength) {
        const size_t extra = arg.size() - kMaxArgLength;
        arg.resize(kMaxArgLength);
        arg += "... (" + std::to_string(extra) + " more bytes)";
      }
      entry.args.push_back(std::move(arg));
    }
    entry.peer = peer;
    entry.client_name = client_name;
    entries_.push_front(std::move(entry));
  }
  while (entries_.size() > static_cast<uint64_t>(settings.slowlog_max_len)) entries_.pop_back();
}

}  // namespace drayman
