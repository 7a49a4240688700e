#include "broker/config/config.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "broker/command/command_table.h"
#include "broker/command/numbers.h"
#include "broker/keyspace/glob.h"
#include "broker/resp/request_parser.h"

namespace drayman {

namespace {

constexpr std::string_view kNotInteger = "argument couldn't be parsed into an integer";

std::function<bool(const std::vector<std::string>&, std::string*)> IntSetter(int* field,
                                                                              int64_t min,
                                                                              int64_t max) {
  return [field, min, max](const std::vector<std::string>& values, std::string* error) {
    int64_t parsed = 0;
    if (values.size() != 1 || !ParseInt64(values[0], &parsed)) {
      *error = std::string(kNotInteger);
      return false;
    }
    if (parsed < min || parsed > max) {
      *error = "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
               " inclusive";
      return false;
    }
    *field = static_cast<int>(parsed);
    return true;
  };
}

std::function<bool(const std::vector<std::string>&, std::string*)> MemorySetter(int64_t* field,
                                                                                 int64_t min) {
  return [field, min](const std::vector<std::string>& values, std::string* error) {
    int64_t parsed = 0;
    if (values.size() != 1 || !ParseMemory(values[0], &parsed)) {
      *error = "argument must be a memory value";
      return false;
    }
    if (parsed < min) {
      *error = "argument must be a memory value";
      return false;
    }
    *field = parsed;
    return true;
  };
}

std::function<bool(const std::vector<std::string>&, std::string*)> BoolSetter(bool* field) {
  return [field](const std::vector<std::string>& values, std::string* error) {
    if (values.size() == 1 && EqualsIgnoreCase(values[0], "yes")) {
      *field = true;
    } else if (values.size() == 1 && EqualsIgnoreCase(values[0], "no")) {
      *field = false;
    } else {
      *error = "argument must be 'yes' or 'no'";
      return false;
    }
    return true;
  };
}

std::function<bool(const std::vector<std::string>&, std::string*)> StringSetter(
    std::string* field) {
  return [field](const std::vector<std::string>& values, std::string* error) {
    if (values.size() != 1) {
      *error = "wrong number of arguments";
      return false;
    }
    *field = values[0];
    return true;
  };
}

std::function<bool(const std::vector<std::string>&, std::string*)> EnumSetter(
    std::string* field, std::vector<std::string> allowed) {
  return [field, allowed](const std::vector<std::string>& values, std::string* error) {
    if (values.size() == 1) {
      for (const std::string& option : allowed) {
        if (EqualsIgnoreCase(values[0], option)) {
          *field = option;
          return true;
        }
      }
    }
    *error = "argument(s) must be one of the following: ";
    for (size_t i = 0; i < allowed.size(); ++i) {
      if (i) error->append(", ");
      error->append(allowed[i]);
    }
    return false;
  };
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
      *error = "Wrong number of arguments in buffer limit configuration.";
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
        *error = "Invalid client class specified in buffer limit configuration.";
        return false;
      }
      OutputBufferLimit limit;
      if (!ParseMemory(words[i + 1], &limit.hard_bytes) ||
          !ParseMemory(words[i + 2], &limit.soft_bytes) ||
          !ParseInt64(words[i + 3], &limit.soft_seconds) || limit.hard_bytes < 0 ||
          limit.soft_bytes < 0 || limit.soft_seconds < 0) {
        *error = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
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
  size_t digits_end = 0;
  while (digits_end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits_end])) ||
          (digits_end == 0 && text[digits_end] == '-'))) {
    ++digits_end;
  }
  int64_t number = 0;
  if (!ParseInt64(text.substr(0, digits_end), &number)) return false;
  std::string unit = ToLower(text.substr(digits_end));
  int64_t multiplier = 1;
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
    multiplier = 1000LL * 1000 * 1000;
  } else if (unit == "gb") {
    multiplier = 1024LL * 1024 * 1024;
  } else {
    return false;
  }
  *bytes = number * multiplier;
  return true;
}

Config::Config() { Register(); }

void Config::Register() {
  Settings& s = settings_;
  auto int_getter = [](const int* field) { return [field] { return std::to_string(*field); }; };
  auto string_getter = [](const std::string* field) { return [field] { return *field; }; };
  auto bool_getter = [](const bool* field) { return [field] { return YesNo(*field); }; };
  auto memory_getter = [](const int64_t* field) {
    return [field] { return std::to_string(*field); };
  };

  parameters_ = {
      {"port", {}, false, IntSetter(&s.port, 0, 65535), int_getter(&s.port)},
      {"bind",
       {},
       false,
       [&s](const std::vector<std::string>& values, std::string* error) {
         if (values.empty()) {
           *error = "wrong number of arguments";
           return false;
         }
         s.bind = values;
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
      {"tcp-backlog", {}, false, IntSetter(&s.tcp_backlog, 0, 65535), int_getter(&s.tcp_backlog)},
      {"timeout", {}, true, IntSetter(&s.timeout_seconds, 0, INT32_MAX),
       int_getter(&s.timeout_seconds)},
      {"tcp-keepalive", {}, true, IntSetter(&s.tcp_keepalive, 0, INT32_MAX),
       int_getter(&s.tcp_keepalive)},
      {"protected-mode", {}, true, BoolSetter(&s.protected_mode), bool_getter(&s.protected_mode)},
      {"unixsocket", {}, false, StringSetter(&s.unixsocket), string_getter(&s.unixsocket)},
      {"http-port", {}, false, IntSetter(&s.http_port, -1, 65535), int_getter(&s.http_port)},
      {"databases", {}, false, IntSetter(&s.databases, 1, INT32_MAX), int_getter(&s.databases)},
      {"requirepass", {}, true, StringSetter(&s.requirepass), string_getter(&s.requirepass)},
      {"maxclients", {}, true, IntSetter(&s.maxclients, 1, INT32_MAX), int_getter(&s.maxclients)},
      {"hz", {}, true, IntSetter(&s.hz, 1, 500), int_getter(&s.hz)},
      {"proto-max-bulk-len", {}, true, MemorySetter(&s.proto_max_bulk_len, 1024 * 1024),
       memory_getter(&s.proto_max_bulk_len)},
      {"client-query-buffer-limit", {}, true,
       MemorySetter(&s.client_query_buffer_limit, 1024 * 1024),
       memory_getter(&s.client_query_buffer_limit)},
      {"busy-reply-threshold",
       {"lua-time-limit"},
       true,
       [&s](const std::vector<std::string>& values, std::string* error) {
         int64_t parsed = 0;
         if (values.size() != 1 || !ParseInt64(values[0], &parsed)) {
           *error = std::string(kNotInteger);
           return false;
         }
         if (parsed < 0) {
           *error = "argument must be between 0 and 9223372036854775807 inclusive";
           return false;
         }
         s.busy_reply_threshold_ms = parsed;
         return true;
       },
       [&s] { return std::to_string(s.busy_reply_threshold_ms); }},
      {"client-output-buffer-limit", {}, true,
       OutputBufferLimitSetter(&s.client_output_buffer_limit),
       [&s] { return FormatOutputBufferLimits(s.client_output_buffer_limit); }},
      {"dir", {}, true, StringSetter(&s.dir), string_getter(&s.dir)},
      {"logfile", {}, false, StringSetter(&s.logfile), string_getter(&s.logfile)},
      {"loglevel", {}, true,
       EnumSetter(&s.loglevel, {"debug", "verbose", "notice", "warning", "nothing"}),
       string_getter(&s.loglevel)},
      {"pidfile", {}, false, StringSetter(&s.pidfile), string_getter(&s.pidfile)},
      {"daemonize",
       {},
       false,
       [&s](const std::vector<std::string>& values, std::string* error) {
         bool wanted = false;
         if (!BoolSetter(&wanted)(values, error)) return false;
         if (wanted) {
           *error = "daemonize yes is not supported: run drayman-server under a supervisor";
           return false;
         }
         s.daemonize = false;
         return true;
       },
       bool_getter(&s.daemonize)},
  };
}

const Config::Parameter* Config::FindParameter(std::string_view name) const {
  for (const Parameter& parameter : parameters_) {
    if (EqualsIgnoreCase(parameter.name, name)) return &parameter;
    for (const std::string& alias : parameter.aliases) {
      if (EqualsIgnoreCase(alias, name)) return &parameter;
    }
  }
  return nullptr;
}

bool Config::Set(std::string_view name, const std::vector<std::string>& values, bool at_startup,
                 std::string* error) {
  const Parameter* parameter = FindParameter(name);
  if (parameter == nullptr) {
    *error = "ERR Unknown option or number of arguments for CONFIG SET - '" + std::string(name) + "'";
    return false;
  }
  if (!at_startup && !parameter->mutable_at_runtime) {
    *error = "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) +
             "') - can't set immutable config";
    return false;
  }
  std::string detail;
  if (!parameter->set(values, &detail)) {
    *error = "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - " +
             detail;
    return false;
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> Config::Get(std::string_view pattern) const {
  std::vector<std::pair<std::string, std::string>> matches;
  for (const Parameter& parameter : parameters_) {
    if (GlobMatch(pattern, parameter.name, /*nocase=*/true)) {
      matches.emplace_back(parameter.name, parameter.get());
    } else {
      for (const std::string& alias : parameter.aliases) {
        if (GlobMatch(pattern, alias, true)) matches.emplace_back(alias, parameter.get());
      }
    }
  }
  return matches;
}

bool Config::LoadText(std::string_view text, std::string* error) {
  std::istringstream lines{std::string(text)};
  std::string line;
  int line_number = 0;
  std::vector<std::string> words;
  while (std::getline(lines, line)) {
    ++line_number;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!SplitArgs(line, &words)) {
      *error = "line " + std::to_string(line_number) + ": unbalanced quotes in configuration line";
      return false;
    }
    if (words.empty()) continue;
    std::string name = ToLower(words[0]);
    std::vector<std::string> values(words.begin() + 1, words.end());
    std::string set_error;
    if (!Set(name, values, /*at_startup=*/true, &set_error)) {
      *error = "line " + std::to_string(line_number) + ": '" + line + "': " + set_error;
      return false;
    }
  }
  return true;
}

bool Config::LoadFile(const std::string& path, std::string* error) {
  std::ifstream file(path);
  if (!file) {
    *error = "Fatal error, can't open config file '" + path + "'";
    return false;
  }
  std::stringstream content;
  content << file.rdbuf();
  config_file_ = path;
  return LoadText(content.str(), error);
}

bool Config::ParseCommandLine(int argc, const char* const* argv, std::string* error) {
  int index = 1;
  if (index < argc && std::string_view(argv[index]).substr(0, 2) != "--") {
    if (!LoadFile(argv[index], error)) return false;
    ++index;
  }
  // Remaining `--name value...` pairs form config lines, as Redis builds them.
  std::string text;
  for (; index < argc; ++index) {
    std::string_view word = argv[index];
    if (word.substr(0, 2) == "--") {
      if (!text.empty()) text.push_back('\n');
      text.append(word.substr(2));
    } else {
      text.push_back(' ');
      // Quote each value so spaces and empty strings survive the line split.
      text.push_back('"');
      for (char c : word) {
        if (c == '"' || c == '\\') text.push_back('\\');
        text.push_back(c);
      }
      text.push_back('"');
    }
  }
  return LoadText(text, error);
}

}  // namespace drayman
