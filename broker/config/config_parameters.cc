// The parameter table: every parameter Drayman supports with its setter (Redis's value rules and
// CONFIG SET error details), getter and flags (Config::Register), and the value parsers they share
// (integers, memory sizes, booleans, enums, client-output-buffer-limit).
#include "broker/config/config.h"

#include <sys/stat.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <sstream>

#include "broker/base/ascii.h"
#include "broker/base/errors.h"
#include "broker/base/numbers.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

namespace {

constexpr size_t kMaxBindAddresses = 16;  // Redis's CONFIG_BINDADDR_MAX

// Memory values as Redis's memtoull reads them: digits, then an optional unit. A number too large
// for 64 bits saturates (Redis then reports it out of range); a product that overflows is not a
// memory value at all.
bool ParseMemoryUnsigned(std::string_view text, uint64_t* bytes) {
  if (!text.empty() && text[0] == '-') return false;
  size_t digits_end = 0;
  while (digits_end < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_end]))) {
    ++digits_end;
  }
  std::string unit = ToLower(text.substr(digits_end));
  uint64_t multiplier = 1;
  if (unit.empty() || unit == "b") {
    multiplier = 1;
  } else if (unit == "k") {
    multiplier = 1000;
  } else if (unit == "kb") {
    multiplier = 1024;
  } else if (unit == "m") {
    multiplier = 1000 * 1000;
  } else if (unit == "mb") {
    multiplier = 1024 * 1024;
  } else if (unit == "g") {
    multiplier = 1000ULL * 1000 * 1000;
  } else if (unit == "gb") {
    multiplier = 1024ULL * 1024 * 1024;
  } else {
    return false;
  }
  uint64_t number = 0;
  std::string_view digits = text.substr(0, digits_end);
  if (!digits.empty()) {
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (ec == std::errc::result_out_of_range) number = UINT64_MAX;
  }
  if (number > UINT64_MAX / multiplier) return false;
  *bytes = number * multiplier;
  return true;
}

using Setter = std::function<bool(const std::vector<std::string>&, std::string*)>;

// Integer parameters: Redis's string2ll rules, then the range check.
template <typename T>
Setter IntSetter(T* field, int64_t min, int64_t max) {
  return [field, min, max](const std::vector<std::string>& values, std::string* error) {
    int64_t parsed = 0;
    if (values.size() != 1 || !ParseInt64(values[0], &parsed)) {
      *error = std::string(errors::kConfigNotInteger);
      return false;
    }
    if (parsed < min || parsed > max) {
      *error = errors::ConfigRange(min, max);
      return false;
    }
    *field = static_cast<T>(parsed);
    return true;
  };
}

Setter MemorySetter(int64_t* field, int64_t min) {
  return [field, min](const std::vector<std::string>& values, std::string* error) {
    uint64_t parsed = 0;
    if (values.size() != 1 || !ParseMemoryUnsigned(values[0], &parsed)) {
      *error = std::string(errors::kConfigNotMemory);
      return false;
    }
    if (parsed < static_cast<uint64_t>(min) || parsed > static_cast<uint64_t>(INT64_MAX)) {
      *error = errors::ConfigRange(min, INT64_MAX);
      return false;
    }
    *field = static_cast<int64_t>(parsed);
    return true;
  };
}

Setter BoolSetter(bool* field) {
  return [field](const std::vector<std::string>& values, std::string* error) {
    if (values.size() == 1 && EqualsIgnoreCase(values[0], "yes")) {
      *field = true;
    } else if (values.size() == 1 && EqualsIgnoreCase(values[0], "no")) {
      *field = false;
    } else {
      *error = errors::kConfigNotYesNo;
      return false;
    }
    return true;
  };
}

Setter StringSetter(std::string* field) {
  return [field](const std::vector<std::string>& values, std::string* error) {
    if (values.size() != 1) {
      *error = std::string(errors::kWrongNumberOfArgs);
      return false;
    }
    *field = values[0];
    return true;
  };
}

Setter EnumSetter(std::string* field, std::vector<std::string> allowed) {
  return [field, allowed](const std::vector<std::string>& values, std::string* error) {
    if (values.size() == 1) {
      for (const std::string& option : allowed) {
        if (EqualsIgnoreCase(values[0], option)) {
          *field = option;
          return true;
        }
      }
    }
    std::string joined;
    for (size_t i = 0; i < allowed.size(); ++i) {
      if (i) joined.append(", ");
      joined.append(allowed[i]);
    }
    *error = errors::ConfigChoices(joined);
    return false;
  };
}

// appendfilename / appenddirname: a bare name inside `dir`, never a path (Redis's
// isValidAOFfilename / isValidAOFdirname).
Setter BaseNameSetter(std::string* field, std::string name, std::string what) {
  return [field, name, what](const std::vector<std::string>& values, std::string* error) {
    if (values.size() != 1) {
      *error = std::string(errors::kWrongNumberOfArgs);
      return false;
    }
    if (values[0].empty()) {
      *error = errors::ConfigEmptyName(name);
      return false;
    }
    if (values[0].find_first_of("/\\") != std::string::npos) {
      *error = errors::ConfigNotBaseName(name, what);
      return false;
    }
    *field = values[0];
    return true;
  };
}

// Multi-word values: a config-file line passes its words; CONFIG SET passes one string, which
// Redis splits on spaces.
std::vector<std::string> Words(const std::vector<std::string>& values) {
  if (values.size() != 1) return values;
  std::vector<std::string> words;
  std::istringstream stream(values[0]);
  std::string word;
  while (stream >> word) words.push_back(word);
  return words;
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

// --- client-output-buffer-limit (pub/sub work) ---
// "<class> <hard> <soft> <soft seconds> [<class> ...]". CONFIG SET passes one string, split on
// single spaces as Redis's sdssplitlen does; a config-file line passes its words. Every group is
// checked before any is applied, so a bad group changes nothing.
std::function<bool(const std::vector<std::string>&, std::string*)> OutputBufferLimitSetter(
    std::array<OutputBufferLimit, 3>* limits) {
  return [limits](const std::vector<std::string>& values, std::string* error) {
    std::vector<std::string> words;
    if (values.size() == 1) {
      std::string_view text = values[0];
      while (!text.empty()) {
        size_t space = text.find(' ');
        words.emplace_back(text.substr(0, space));
        if (space == std::string_view::npos) break;
        text.remove_prefix(space + 1);
        if (text.empty()) words.emplace_back();
      }
    } else {
      words = values;
    }
    if (words.size() % 4 != 0) {
      *error = errors::kBufferLimitArgs;
      return false;
    }
    std::array<OutputBufferLimit, 3> updated = *limits;
    for (size_t i = 0; i < words.size(); i += 4) {
      ClientClass client_class;
      if (EqualsIgnoreCase(words[i], "normal")) {
        client_class = ClientClass::kNormal;
      } else if (EqualsIgnoreCase(words[i], "slave") || EqualsIgnoreCase(words[i], "replica")) {
        client_class = ClientClass::kReplica;
      } else if (EqualsIgnoreCase(words[i], "pubsub")) {
        client_class = ClientClass::kPubSub;
      } else {
        *error = errors::kBufferLimitClass;
        return false;
      }
      OutputBufferLimit limit;
      if (!ParseMemory(words[i + 1], &limit.hard_bytes) ||
          !ParseMemory(words[i + 2], &limit.soft_bytes) ||
          !ParseInt64(words[i + 3], &limit.soft_seconds) || limit.hard_bytes < 0 ||
          limit.soft_bytes < 0 || limit.soft_seconds < 0) {
        *error = errors::kBufferLimitValues;
        return false;
      }
      updated[static_cast<int>(client_class)] = limit;
    }
    *limits = updated;
    return true;
  };
}

// CONFIG GET's form: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60".
std::string FormatOutputBufferLimits(const std::array<OutputBufferLimit, 3>& limits) {
  static constexpr std::string_view kNames[] = {"normal", "slave", "pubsub"};
  std::string text;
  for (size_t i = 0; i < limits.size(); ++i) {
    if (i) text.push_back(' ');
    text.append(kNames[i]);
    for (int64_t value : {limits[i].hard_bytes, limits[i].soft_bytes, limits[i].soft_seconds}) {
      text.push_back(' ');
      text.append(std::to_string(value));
    }
  }
  return text;
}

}  // namespace

bool ParseMemory(std::string_view text, int64_t* bytes) {
  uint64_t parsed = 0;
  if (!ParseMemoryUnsigned(text, &parsed) || parsed > static_cast<uint64_t>(INT64_MAX)) {
    return false;
  }
  *bytes = static_cast<int64_t>(parsed);
  return true;
}

void Config::Register() {
  Settings& s = settings_;
  auto int_getter = [](const auto* field) { return [field] { return std::to_string(*field); }; };
  auto string_getter = [](const std::string* field) { return [field] { return *field; }; };
  auto bool_getter = [](const bool* field) { return [field] { return YesNo(*field); }; };

  // {name, aliases, mutable at run time, setter, getter, single value, protected, sensitive}
  parameters_ = {
      {"port", {}, true, IntSetter(&s.port, 0, 65535), int_getter(&s.port), true},
      {"bind",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         std::vector<std::string> addresses = Words(values);
         if (addresses.size() > kMaxBindAddresses) {
           *error = errors::kTooManyBindAddresses;
           return false;
         }
         s.bind = std::move(addresses);
         return true;
       },
       [&s] {
         std::string joined;
         for (const std::string& address : s.bind) {
           if (!joined.empty()) joined.push_back(' ');
           joined.append(address);
         }
         return joined;
       }},
      {"tcp-backlog",
       {},
       false,
       IntSetter(&s.tcp_backlog, 0, INT_MAX),
       int_getter(&s.tcp_backlog),
       true},
      {"timeout",
       {},
       true,
       IntSetter(&s.timeout_seconds, 0, INT_MAX),
       int_getter(&s.timeout_seconds),
       true},
      {"tcp-keepalive",
       {},
       true,
       IntSetter(&s.tcp_keepalive, 0, INT_MAX),
       int_getter(&s.tcp_keepalive),
       true},
      {"protected-mode",
       {},
       true,
       BoolSetter(&s.protected_mode),
       bool_getter(&s.protected_mode),
       true},
      {"unixsocket", {}, false, StringSetter(&s.unixsocket), string_getter(&s.unixsocket), true},
      {"http-port", {}, false, IntSetter(&s.http_port, -1, 65535), int_getter(&s.http_port), true},
      {"databases", {}, false, IntSetter(&s.databases, 1, INT_MAX), int_getter(&s.databases), true},
      {"requirepass",
       {},
       true,
       StringSetter(&s.requirepass),
       string_getter(&s.requirepass),
       true,
       false,
       /*sensitive=*/true},
      {"maxclients",
       {},
       true,
       IntSetter(&s.maxclients, 1, UINT32_MAX),
       int_getter(&s.maxclients),
       true},
      {"hz",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         int64_t hz = 0;
         if (!IntSetter(&hz, 0, INT_MAX)(values, error)) return false;
         // Redis clamps rather than rejects (CONFIG_MIN_HZ 1, CONFIG_MAX_HZ 500).
         s.hz = static_cast<int>(std::clamp<int64_t>(hz, 1, 500));
         return true;
       },
       int_getter(&s.hz),
       true},
      {"proto-max-bulk-len",
       {},
       true,
       MemorySetter(&s.proto_max_bulk_len, 1024 * 1024),
       int_getter(&s.proto_max_bulk_len),
       true},
      {"hll-sparse-max-bytes",
       {},
       true,
       MemorySetter(&s.hll_sparse_max_bytes, 0),
       int_getter(&s.hll_sparse_max_bytes),
       true},
      {"client-query-buffer-limit",
       {},
       true,
       MemorySetter(&s.client_query_buffer_limit, 1024 * 1024),
       int_getter(&s.client_query_buffer_limit),
       true},
      {"busy-reply-threshold",
       {"lua-time-limit"},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         int64_t parsed = 0;
         if (values.size() != 1 || !ParseInt64(values[0], &parsed)) {
           *error = std::string(errors::kConfigNotInteger);
           return false;
         }
         if (parsed < 0) {
           *error = errors::ConfigRange(0, INT64_MAX);
           return false;
         }
         s.busy_reply_threshold_ms = parsed;
         return true;
       },
       [&s] { return std::to_string(s.busy_reply_threshold_ms); },
       true},
      {"client-output-buffer-limit",
       {},
       true,
       OutputBufferLimitSetter(&s.client_output_buffer_limit),
       [&s] { return FormatOutputBufferLimits(s.client_output_buffer_limit); }},
      {"slowlog-log-slower-than",
       {},
       true,
       IntSetter(&s.slowlog_log_slower_than, -1, INT64_MAX),
       int_getter(&s.slowlog_log_slower_than),
       true},
      {"slowlog-max-len",
       {},
       true,
       IntSetter(&s.slowlog_max_len, 0, INT64_MAX),
       int_getter(&s.slowlog_max_len),
       true},
      {"maxmemory", {}, true, MemorySetter(&s.maxmemory, 0), int_getter(&s.maxmemory), true},
      {"maxmemory-policy",
       {},
       true,
       EnumSetter(&s.maxmemory_policy,
                  {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                   "allkeys-lfu", "allkeys-random", "noeviction"}),
       string_getter(&s.maxmemory_policy),
       true},
      {"maxmemory-samples",
       {},
       true,
       IntSetter(&s.maxmemory_samples, 1, INT_MAX),
       int_getter(&s.maxmemory_samples),
       true},
      {"maxmemory-eviction-tenacity",
       {},
       true,
       IntSetter(&s.maxmemory_eviction_tenacity, 0, 100),
       int_getter(&s.maxmemory_eviction_tenacity),
       true},
      {"lfu-log-factor",
       {},
       true,
       IntSetter(&s.lfu_log_factor, 0, INT_MAX),
       int_getter(&s.lfu_log_factor),
       true},
      {"lfu-decay-time",
       {},
       true,
       IntSetter(&s.lfu_decay_time, 0, INT_MAX),
       int_getter(&s.lfu_decay_time),
       true},
      {"dir",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         if (values.size() != 1) {
           *error = std::string(errors::kWrongNumberOfArgs);
           return false;
         }
         // Redis chdir()s here and reports getcwd(); Drayman may be embedded in another process,
         // so it checks the directory the same way and keeps its absolute path instead.
         struct stat info;
         if (::stat(values[0].c_str(), &info) != 0) {
           *error = std::strerror(errno);
           return false;
         }
         if (!S_ISDIR(info.st_mode)) {
           *error = std::strerror(ENOTDIR);
           return false;
         }
         std::error_code ignored;
         std::filesystem::path absolute = std::filesystem::canonical(values[0], ignored);
         s.dir = absolute.empty() ? values[0] : absolute.string();
         return true;
       },
       [&s] {
         std::error_code ignored;
         std::filesystem::path absolute = std::filesystem::canonical(s.dir, ignored);
         return absolute.empty() ? s.dir : absolute.string();
       },
       true,
       /*is_protected=*/true},
      // --- The append-only log (server/aof_log.h) ---
      {"appendonly", {}, true, BoolSetter(&s.appendonly), bool_getter(&s.appendonly), true},
      {"appendfilename",
       {},
       false,
       BaseNameSetter(&s.appendfilename, "appendfilename", "filename"),
       string_getter(&s.appendfilename),
       true},
      {"appenddirname",
       {},
       false,
       BaseNameSetter(&s.appenddirname, "appenddirname", "dirname"),
       string_getter(&s.appenddirname),
       true},
      {"appendfsync",
       {},
       true,
       EnumSetter(&s.appendfsync, {"everysec", "always", "no"}),
       string_getter(&s.appendfsync),
       true},
      {"no-appendfsync-on-rewrite",
       {},
       true,
       BoolSetter(&s.no_appendfsync_on_rewrite),
       bool_getter(&s.no_appendfsync_on_rewrite),
       true},
      {"auto-aof-rewrite-percentage",
       {},
       true,
       IntSetter(&s.auto_aof_rewrite_percentage, 0, INT_MAX),
       int_getter(&s.auto_aof_rewrite_percentage),
       true},
      {"auto-aof-rewrite-min-size",
       {},
       true,
       MemorySetter(&s.auto_aof_rewrite_min_size, 0),
       int_getter(&s.auto_aof_rewrite_min_size),
       true},
      {"aof-load-truncated",
       {},
       true,
       BoolSetter(&s.aof_load_truncated),
       bool_getter(&s.aof_load_truncated),
       true},
      {"aof-use-rdb-preamble",
       {},
       true,
       BoolSetter(&s.aof_use_rdb_preamble),
       bool_getter(&s.aof_use_rdb_preamble),
       true},
      {"aof-timestamp-enabled",
       {},
       true,
       BoolSetter(&s.aof_timestamp_enabled),
       bool_getter(&s.aof_timestamp_enabled),
       true},
      {"aof-rewrite-incremental-fsync",
       {},
       true,
       BoolSetter(&s.aof_rewrite_incremental_fsync),
       bool_getter(&s.aof_rewrite_incremental_fsync),
       true},
      {"dbfilename",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         if (values.size() != 1) {
           *error = std::string(errors::kWrongNumberOfArgs);
           return false;
         }
         if (values[0].find_first_of("/\\") != std::string::npos) {
           *error = errors::ConfigNotBaseName("dbfilename", "filename");
           return false;
         }
         s.dbfilename = values[0];
         return true;
       },
       string_getter(&s.dbfilename),
       true,
       /*is_protected=*/true},
      {"rdbcompression", {}, true, BoolSetter(&s.rdbcompression), bool_getter(&s.rdbcompression),
       true},
      {"save",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         // Pairs of "seconds changes"; an empty value disables saving (Redis's rules).
         std::vector<std::string> words = Words(values);
         std::vector<std::pair<int64_t, int64_t>> points;
         if (words.size() % 2 != 0) {
           *error = errors::kInvalidSaveParameters;
           return false;
         }
         for (size_t j = 0; j < words.size(); j += 2) {
           int64_t seconds = 0;
           int64_t changes = 0;
           auto parse = [](const std::string& word, int64_t* out) {
             auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), *out);
             return ec == std::errc() && end == word.data() + word.size();
           };
           if (!parse(words[j], &seconds) || !parse(words[j + 1], &changes) || seconds < 1 ||
               changes < 0) {
             *error = errors::kInvalidSaveParameters;
             return false;
           }
           points.emplace_back(seconds, changes);
         }
         s.save_points = std::move(points);
         s.save.clear();
         for (const auto& [seconds, changes] : s.save_points) {
           if (!s.save.empty()) s.save.push_back(' ');
           s.save += std::to_string(seconds) + " " + std::to_string(changes);
         }
         return true;
       },
       string_getter(&s.save)},
      {"stop-writes-on-bgsave-error",
       {},
       true,
       BoolSetter(&s.stop_writes_on_bgsave_error),
       bool_getter(&s.stop_writes_on_bgsave_error),
       true},
      {"rdbchecksum", {}, false, BoolSetter(&s.rdbchecksum), bool_getter(&s.rdbchecksum), true},
      {"logfile",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         // As Redis checks at start-up: a log file that cannot be opened is an error, not a
         // silent loss of every line. Lines reopen the file each time, so a new name applies at
         // once (Drayman allows CONFIG SET logfile; Redis 7.0 does not).
         if (values.size() != 1) {
           *error = std::string(errors::kWrongNumberOfArgs);
           return false;
         }
         if (!values[0].empty()) {
           FILE* file = std::fopen(values[0].c_str(), "a");
           if (file == nullptr) {
             *error = errors::CantOpenLogFile(std::strerror(errno));
             return false;
           }
           std::fclose(file);
         }
         s.logfile = values[0];
         return true;
       },
       string_getter(&s.logfile),
       true},
      {"loglevel",
       {},
       true,
       EnumSetter(&s.loglevel, {"debug", "verbose", "notice", "warning"}),
       string_getter(&s.loglevel),
       true},
      {"pidfile", {}, false, StringSetter(&s.pidfile), string_getter(&s.pidfile), true},
      {"daemonize",
       {},
       false,
       BoolSetter(&s.daemonize),
       bool_getter(&s.daemonize),
       true},
      // DEBUG (broker/families/debug_family.cc).
      {"enable-debug-command",
       {},
       false,
       EnumSetter(&s.enable_debug_command, {"no", "yes", "local"}),
       string_getter(&s.enable_debug_command),
       true},
      // --- ACL (broker/acl/) ---
      {"aclfile", {}, false, StringSetter(&s.aclfile), string_getter(&s.aclfile), true},
      {"acllog-max-len",
       {},
       true,
       IntSetter(&s.acllog_max_len, 0, INT64_MAX),
       int_getter(&s.acllog_max_len),
       true},
      {"acl-pubsub-default",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         if (values.size() == 1 && EqualsIgnoreCase(values[0], "allchannels")) {
           s.acl_pubsub_default_all = true;
         } else if (values.size() == 1 && EqualsIgnoreCase(values[0], "resetchannels")) {
           s.acl_pubsub_default_all = false;
         } else {
           *error = errors::ConfigChoices("allchannels, resetchannels");
           return false;
         }
         return true;
       },
       [&s] { return std::string(s.acl_pubsub_default_all ? "allchannels" : "resetchannels"); },
       true},
      // --- TLS (server/tls_context.h): the server installs apply hooks that rebuild the
      // context (new connections use it) and move the TLS listener.
      {"tls-port", {}, true, IntSetter(&s.tls_port, 0, 65535), int_getter(&s.tls_port), true},
      {"tls-cert-file",
       {},
       true,
       StringSetter(&s.tls_cert_file),
       string_getter(&s.tls_cert_file),
       true},
      {"tls-key-file",
       {},
       true,
       StringSetter(&s.tls_key_file),
       string_getter(&s.tls_key_file),
       true},
      {"tls-key-file-pass",
       {},
       true,
       StringSetter(&s.tls_key_file_pass),
       string_getter(&s.tls_key_file_pass),
       true},
      {"tls-client-cert-file",
       {},
       true,
       StringSetter(&s.tls_client_cert_file),
       string_getter(&s.tls_client_cert_file),
       true},
      {"tls-client-key-file",
       {},
       true,
       StringSetter(&s.tls_client_key_file),
       string_getter(&s.tls_client_key_file),
       true},
      {"tls-client-key-file-pass",
       {},
       true,
       StringSetter(&s.tls_client_key_file_pass),
       string_getter(&s.tls_client_key_file_pass),
       true},
      {"tls-dh-params-file",
       {},
       true,
       StringSetter(&s.tls_dh_params_file),
       string_getter(&s.tls_dh_params_file),
       true},
      {"tls-ca-cert-file",
       {},
       true,
       StringSetter(&s.tls_ca_cert_file),
       string_getter(&s.tls_ca_cert_file),
       true},
      {"tls-ca-cert-dir",
       {},
       true,
       StringSetter(&s.tls_ca_cert_dir),
       string_getter(&s.tls_ca_cert_dir),
       true},
      {"tls-auth-clients",
       {},
       true,
       EnumSetter(&s.tls_auth_clients, {"no", "yes", "optional"}),
       string_getter(&s.tls_auth_clients),
       true},
      {"tls-protocols",
       {},
       true,
       StringSetter(&s.tls_protocols),
       string_getter(&s.tls_protocols),
       true},
      {"tls-ciphers", {}, true, StringSetter(&s.tls_ciphers), string_getter(&s.tls_ciphers), true},
      {"tls-ciphersuites",
       {},
       true,
       StringSetter(&s.tls_ciphersuites),
       string_getter(&s.tls_ciphersuites),
       true},
      {"tls-prefer-server-ciphers",
       {},
       true,
       BoolSetter(&s.tls_prefer_server_ciphers),
       bool_getter(&s.tls_prefer_server_ciphers),
       true},
      {"tls-session-caching",
       {},
       true,
       BoolSetter(&s.tls_session_caching),
       bool_getter(&s.tls_session_caching),
       true},
      {"tls-session-cache-size",
       {},
       true,
       IntSetter(&s.tls_session_cache_size, 0, INT_MAX),
       int_getter(&s.tls_session_cache_size),
       true},
      {"tls-session-cache-timeout",
       {},
       true,
       IntSetter(&s.tls_session_cache_timeout, 0, INT_MAX),
       int_getter(&s.tls_session_cache_timeout),
       true},
      {"tls-replication",
       {},
       true,
       BoolSetter(&s.tls_replication),
       bool_getter(&s.tls_replication),
       true},
      {"tls-cluster", {}, true, BoolSetter(&s.tls_cluster), bool_getter(&s.tls_cluster), true},
      // --- HTTP admin listener (server/http/; http-port is in the network rows above) ---
      {"http-bind",
       {},
       false,
       [&s](const std::vector<std::string>& values, std::string* error) {
         std::vector<std::string> addresses = Words(values);
         if (addresses.empty() || addresses.size() > kMaxBindAddresses) {
           *error = addresses.empty() ? errors::kHttpBindNeedsAddress
                                      : errors::kTooManyBindAddresses;
           return false;
         }
         s.http_bind = std::move(addresses);
         return true;
       },
       [&s] {
         std::string joined;
         for (const std::string& address : s.http_bind) {
           if (!joined.empty()) joined.push_back(' ');
           joined.append(address);
         }
         return joined;
       }},
      // --- Keyspace notifications (broker/pubsub/keyspace_events.h) ---
      {"notify-keyspace-events",
       {},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         int flags = 0;
         if (values.size() != 1) {
           *error = errors::kWrongNumberOfArgs;
           return false;
         }
         if (!ParseKeyspaceEventClasses(values[0], &flags)) {
           *error = errors::kBadKeyspaceEventClass;
           return false;
         }
         s.notify_keyspace_events = flags;
         return true;
       },
       [&s] { return FormatKeyspaceEventClasses(s.notify_keyspace_events); },
       true},
  };
  RegisterCompatParameters();
}

}  // namespace drayman
