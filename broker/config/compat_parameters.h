// Redis 7.0's parameters and directives outside Drayman's own table, so any redis.conf loads.
//
// Contract: every parameter redis-server 7.0 lists in `CONFIG GET *` and every directive its
// redis.conf documents is known to Config. Each is one of:
//  - honoured here (syslog-*, supervised, unixsocketperm, shutdown-on-sig*,
//    enable-protected-configs: typed fields in Settings, read by the server),
//  - accepted without effect, because it tunes something Drayman's design does not have (ziplist
//    and listpack encodings, active defrag, lazy freeing, I/O threads, replication and cluster
//    tuning, jemalloc): validated with Redis's types, ranges and error texts, reported by CONFIG
//    GET in Redis's format and settable by CONFIG SET when Redis allows it,
//  - refused when set to anything but its default, with a reason, where pretending would lose
//    data or security (replicaof, cluster-enabled, min-replicas-to-write, tls-port, aclfile,
//    rename-command, loadmodule, user).
// Rows whose name another subsystem already registered in Config's table are skipped, so a
// subsystem that starts honouring a parameter (ACL, TLS) replaces its row here simply by
// registering it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drayman {

struct Settings;

struct CompatParameter {
  enum class Kind {
    kBool,
    kInt,
    kOctal,          // unixsocketperm: parsed and reported in octal
    kMemory,         // Redis memory units; reported in bytes
    kMemoryPercent,  // maxmemory-clients: memory, or "N%" of maxmemory
    kEnum,           // one of `choices` ("a|b|c")
    kFlags,          // shutdown-on-sig*: several of `choices`, or "default"
    kString,
    kWords,  // several words validated by `words_check`
  };
  std::string_view name;
  std::string_view alias;  // Redis's old name ("slave-..."), empty if none
  Kind kind;
  std::string_view default_value;  // as CONFIG GET reports it
  int64_t min = 0;
  int64_t max = 0;
  std::string_view choices;
  bool mutable_at_runtime = true;
  bool sensitive = false;
  // Non-empty: any value but the default is refused with "<name> <refusal>".
  std::string_view refusal;
  // Honoured parameters: stores the normalized value in its typed Settings field.
  void (*store)(Settings& settings, const std::string& value) = nullptr;
  // kWords: validates and normalizes the words; returns an error detail, empty when valid.
  std::string (*words_check)(const std::vector<std::string>& words,
                             std::string* normalized) = nullptr;
  // Why Drayman does what it does with it (the README's table is written from these).
  std::string_view why;
};

// Every row, in Redis's order.
const std::vector<CompatParameter>& CompatParameters();

// Validates `values` for `parameter` with Redis's rules and error texts; on success
// *normalized holds the value as CONFIG GET reports it.
bool ParseCompatValue(const CompatParameter& parameter, const std::vector<std::string>& values,
                      std::string* normalized, std::string* error);

// A config line whose first word is no parameter: Redis's other directives.
enum class DirectiveAction {
  kUnknown,  // Redis does not know it either: "Bad directive or wrong number of arguments"
  kIgnore,   // deprecated and ignored by Redis 7.0 too (list-max-ziplist-entries, ...)
  kInclude,  // include <path>: the caller reads that file
  kRefuse,   // *reason says why
};
DirectiveAction ClassifyDirective(const std::vector<std::string>& words, std::string* reason);

}  // namespace drayman
