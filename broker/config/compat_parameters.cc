#include "broker/config/compat_parameters.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "broker/base/ascii.h"
#include "broker/base/errors.h"
#include "broker/base/numbers.h"
#include "broker/config/config.h"
#include "broker/resp/request_parser.h"

namespace drayman {

namespace {

using K = CompatParameter::Kind;

// Why a parameter is accepted without effect (the README's table quotes these).
constexpr std::string_view kHonoured = "honoured";
constexpr std::string_view kRefused = "refused unless at its default";
constexpr std::string_view kEncoding =
    "an encoding threshold: each Drayman container has one representation, so there is nothing to "
    "switch";
constexpr std::string_view kAllocator =
    "tunes jemalloc and active defragmentation; Drayman uses the system allocator";
constexpr std::string_view kLazyFree =
    "Drayman frees values on the event loop; there is no background freeing to turn on";
constexpr std::string_view kReplication =
    "replication tuning; Drayman has no replication (replicaof is refused)";
constexpr std::string_view kCluster = "cluster tuning; cluster-enabled yes is refused";
constexpr std::string_view kTls =
    "TLS tuning, used only with tls-port, which this build refuses (the TLS work replaces these)";
constexpr std::string_view kThreads =
    "one event-loop thread owns the engine; there are no I/O or background threads to place";
constexpr std::string_view kProcessTitle = "Drayman does not rewrite its process title or logo";
constexpr std::string_view kCrash = "Drayman writes no crash report or memory test";
constexpr std::string_view kNoFork = "Drayman forks no children whose OOM score would matter";
constexpr std::string_view kShutdownOnSignal =
    "honoured for save / nosave; now and force are accepted (there are no replicas to wait for)";

void StoreSyslogEnabled(Settings& s, const std::string& v) { s.syslog_enabled = v == "yes"; }
void StoreSyslogIdent(Settings& s, const std::string& v) { s.syslog_ident = v; }
void StoreSyslogFacility(Settings& s, const std::string& v) { s.syslog_facility = v; }
void StoreSupervised(Settings& s, const std::string& v) { s.supervised = v; }
void StoreUnixSocketPerm(Settings& s, const std::string& v) {
  s.unixsocketperm = static_cast<int>(std::strtol(v.c_str(), nullptr, 8));
}
void StoreShutdownOnSigint(Settings& s, const std::string& v) { s.shutdown_on_sigint = v; }
void StoreShutdownOnSigterm(Settings& s, const std::string& v) { s.shutdown_on_sigterm = v; }
void StoreProtectedConfigs(Settings& s, const std::string& v) { s.enable_protected_configs = v; }
void StoreLatencyTracking(Settings& s, const std::string& v) { s.latency_tracking = v == "yes"; }
void StoreTrackingTableMaxKeys(Settings& s, const std::string& v) {
  s.tracking_table_max_keys = std::strtoll(v.c_str(), nullptr, 10);
}
void StoreMaxmemoryClients(Settings& s, const std::string& v) {
  // Normalized as "<bytes>" or "<percent>%"; a percentage is kept negative, as Redis does.
  const int64_t number = std::strtoll(v.c_str(), nullptr, 10);
  s.maxmemory_clients = !v.empty() && v.back() == '%' ? -number : number;
}
void StoreLatencyMonitorThreshold(Settings& s, const std::string& v) {
  s.latency_monitor_threshold = std::strtoll(v.c_str(), nullptr, 10);
}
void StoreLatencyPercentiles(Settings& s, const std::string& v) {
  s.latency_tracking_info_percentiles.clear();
  const char* text = v.c_str();
  while (*text != '\0') {
    char* end = nullptr;
    s.latency_tracking_info_percentiles.push_back(std::strtod(text, &end));
    if (end == text) break;
    text = end;
  }
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) {
    if (!joined.empty()) joined.push_back(' ');
    joined.append(word);
  }
  return joined;
}

std::string CheckOomScoreAdjValues(const std::vector<std::string>& words, std::string* normalized) {
  if (words.size() != 3) return std::string(errors::kWrongNumberOfArgs);
  for (const std::string& word : words) {
    int64_t value = 0;
    if (!ParseInt64(word, &value) || value < -2000 || value > 2000) {
      return std::string(errors::kOomScoreAdjValues);
    }
  }
  *normalized = JoinWords(words);
  return {};
}

std::string CheckReplicaOf(const std::vector<std::string>& words, std::string* normalized) {
  if (words.empty()) {  // what CONFIG GET reports for "not a replica"
    normalized->clear();
    return {};
  }
  if (words.size() != 2) return std::string(errors::kWrongNumberOfArgs);
  if (EqualsIgnoreCase(words[0], "no") && EqualsIgnoreCase(words[1], "one")) {
    normalized->clear();
    return {};
  }
  int64_t port = 0;
  if (!ParseInt64(words[1], &port) || port < 0 || port > 65535) {
    return std::string(errors::kConfigInvalidMasterPort);
  }
  *normalized = words[0] + " " + words[1];
  return {};
}

std::string CheckPercentiles(const std::vector<std::string>& words, std::string* normalized) {
  std::string joined;
  for (const std::string& word : words) {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(word.c_str(), &end);
    if (word.empty() || *end != '\0' || errno != 0) {
      return std::string(errors::kPercentilesInvalid);
    }
    if (value < 0.0 || value > 100.0) {
      return std::string(errors::kPercentilesRange);
    }
    // Redis prints "%f" with the trailing zeros (and a bare point) trimmed.
    char text[64];
    std::snprintf(text, sizeof(text), "%f", value);
    std::string printed = text;
    while (printed.back() == '0') printed.pop_back();
    if (printed.back() == '.') printed.pop_back();
    if (!joined.empty()) joined.push_back(' ');
    joined += printed;
  }
  *normalized = joined;
  return {};
}

std::vector<std::string> SplitChoices(std::string_view choices) {
  std::vector<std::string> list;
  while (!choices.empty()) {
    const size_t bar = choices.find('|');
    list.emplace_back(choices.substr(0, bar));
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return list;
}

std::string ChoicesError(std::string_view choices) {
  std::string joined;
  const std::vector<std::string> list = SplitChoices(choices);
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) joined += ", ";
    joined += list[i];
  }
  return errors::ConfigChoices(joined);
}

}  // namespace

const std::vector<CompatParameter>& CompatParameters() {
  // Generated from redis 7.0.15's config.c table (hidden and debug-only rows left out), then
  // each row's `why` written by hand. Rows Drayman's own table already has are not here.
  static const std::vector<CompatParameter> kRows = {
      {.name = "io-threads-do-reads",
       .kind = K::kBool,
       .default_value = "no",
       .mutable_at_runtime = false,
       .why = kThreads},
      {.name = "always-show-logo",
       .kind = K::kBool,
       .default_value = "no",
       .mutable_at_runtime = false,
       .why = kProcessTitle},
      {.name = "rdb-del-sync-files", .kind = K::kBool, .default_value = "no", .why = kReplication},
      {.name = "activerehashing", .kind = K::kBool, .default_value = "yes", .why = kHonoured},
      {.name = "set-proc-title",
       .kind = K::kBool,
       .default_value = "yes",
       .mutable_at_runtime = false,
       .why = kProcessTitle},
      {.name = "dynamic-hz",
       .kind = K::kBool,
       .default_value = "yes",
       .why = "Drayman's timers fire per deadline; hz paces only its cron"},
      {.name = "lazyfree-lazy-eviction", .kind = K::kBool, .default_value = "no", .why = kLazyFree},
      {.name = "lazyfree-lazy-expire", .kind = K::kBool, .default_value = "no", .why = kLazyFree},
      {.name = "lazyfree-lazy-server-del",
       .kind = K::kBool,
       .default_value = "no",
       .why = kLazyFree},
      {.name = "lazyfree-lazy-user-del", .kind = K::kBool, .default_value = "no", .why = kLazyFree},
      {.name = "lazyfree-lazy-user-flush",
       .kind = K::kBool,
       .default_value = "no",
       .why = kLazyFree},
      {.name = "repl-disable-tcp-nodelay",
       .kind = K::kBool,
       .default_value = "no",
       .why = kReplication},
      {.name = "repl-diskless-sync", .kind = K::kBool, .default_value = "yes", .why = kReplication},
      {.name = "cluster-require-full-coverage",
       .kind = K::kBool,
       .default_value = "yes",
       .why = kCluster},
      {.name = "rdb-save-incremental-fsync",
       .kind = K::kBool,
       .default_value = "yes",
       .why = "a snapshot is written by its own thread and fsynced once, at the end"},
      {.name = "cluster-replica-no-failover",
       .alias = "cluster-slave-no-failover",
       .kind = K::kBool,
       .default_value = "no",
       .why = kCluster},
      {.name = "replica-lazy-flush",
       .alias = "slave-lazy-flush",
       .kind = K::kBool,
       .default_value = "no",
       .why = kLazyFree},
      {.name = "replica-serve-stale-data",
       .alias = "slave-serve-stale-data",
       .kind = K::kBool,
       .default_value = "yes",
       .why = kReplication},
      {.name = "replica-read-only",
       .alias = "slave-read-only",
       .kind = K::kBool,
       .default_value = "yes",
       .why = kReplication},
      {.name = "replica-ignore-maxmemory",
       .alias = "slave-ignore-maxmemory",
       .kind = K::kBool,
       .default_value = "yes",
       .why = kReplication},
      {.name = "jemalloc-bg-thread", .kind = K::kBool, .default_value = "yes", .why = kAllocator},
      {.name = "activedefrag", .kind = K::kBool, .default_value = "no", .why = kAllocator},
      {.name = "syslog-enabled",
       .kind = K::kBool,
       .default_value = "no",
       .mutable_at_runtime = false,
       .store = StoreSyslogEnabled,
       .why = kHonoured},
      {.name = "cluster-enabled",
       .kind = K::kBool,
       .default_value = "no",
       .mutable_at_runtime = false,
       .refusal = "is not supported: Drayman has no cluster mode, so clients would get no slot "
                  "redirections and every key would live on this one server",
       .why = kRefused},
      {.name = "cluster-allow-reads-when-down",
       .kind = K::kBool,
       .default_value = "no",
       .why = kCluster},
      {.name = "cluster-allow-pubsubshard-when-down",
       .kind = K::kBool,
       .default_value = "yes",
       .why = kCluster},
      {.name = "crash-log-enabled", .kind = K::kBool, .default_value = "yes", .why = kCrash},
      {.name = "crash-memcheck-enabled", .kind = K::kBool, .default_value = "yes", .why = kCrash},
      {.name = "disable-thp",
       .kind = K::kBool,
       .default_value = "yes",
       .mutable_at_runtime = false,
       .why = kAllocator},
      {.name = "cluster-allow-replica-migration",
       .kind = K::kBool,
       .default_value = "yes",
       .why = kCluster},
      {.name = "replica-announced", .kind = K::kBool, .default_value = "yes", .why = kReplication},
      {.name = "latency-tracking",
       .kind = K::kBool,
       .default_value = "yes",
       .store = StoreLatencyTracking,
       .why = kHonoured},
      {.name = "aof-disable-auto-gc",
       .kind = K::kBool,
       .default_value = "no",
       .why = "Drayman leaves no history files to collect: it does not rewrite the log yet"},
      {.name = "replica-ignore-disk-write-errors",
       .kind = K::kBool,
       .default_value = "no",
       .why = kReplication},
      {.name = "aclfile",
       .kind = K::kString,
       .default_value = "",
       .mutable_at_runtime = false,
       .refusal = "is not supported: Drayman has no ACL users yet (only requirepass), so the users "
                  "and permissions in the file would not be enforced",
       .why = kRefused},
      {.name = "replica-announce-ip",
       .alias = "slave-announce-ip",
       .kind = K::kString,
       .default_value = "",
       .why = kReplication},
      {.name = "masteruser",
       .kind = K::kString,
       .default_value = "",
       .sensitive = true,
       .why = kReplication},
      {.name = "cluster-announce-ip", .kind = K::kString, .default_value = "", .why = kCluster},
      {.name = "cluster-config-file",
       .kind = K::kString,
       .default_value = "nodes.conf",
       .mutable_at_runtime = false,
       .why = kCluster},
      {.name = "cluster-announce-hostname",
       .kind = K::kString,
       .default_value = "",
       .why = kCluster},
      {.name = "syslog-ident",
       .kind = K::kString,
       .default_value = "redis",
       .mutable_at_runtime = false,
       .store = StoreSyslogIdent,
       .why = kHonoured},
      {.name = "server_cpulist",
       .kind = K::kString,
       .default_value = "",
       .mutable_at_runtime = false,
       .why = kThreads},
      {.name = "bio_cpulist",
       .kind = K::kString,
       .default_value = "",
       .mutable_at_runtime = false,
       .why = kThreads},
      {.name = "aof_rewrite_cpulist",
       .kind = K::kString,
       .default_value = "",
       .mutable_at_runtime = false,
       .why = kThreads},
      {.name = "bgsave_cpulist",
       .kind = K::kString,
       .default_value = "",
       .mutable_at_runtime = false,
       .why = kThreads},
      {.name = "ignore-warnings",
       .kind = K::kString,
       .default_value = "",
       .why = "the warning it silences (the ARM64 copy-on-write bug) is not checked by Drayman, "
              "which never forks"},
      {.name = "proc-title-template",
       .kind = K::kString,
       .default_value = "{title} {listen-addr} {server-mode}",
       .why = kProcessTitle},
      {.name = "bind-source-addr", .kind = K::kString, .default_value = "", .why = kReplication},
      {.name = "masterauth",
       .kind = K::kString,
       .default_value = "",
       .sensitive = true,
       .why = kReplication},
      {.name = "supervised",
       .kind = K::kEnum,
       .default_value = "no",
       .choices = "upstart|systemd|auto|no",
       .mutable_at_runtime = false,
       .store = StoreSupervised,
       .why = kHonoured},
      {.name = "syslog-facility",
       .kind = K::kEnum,
       .default_value = "local0",
       .choices = "user|local0|local1|local2|local3|local4|local5|local6|local7",
       .mutable_at_runtime = false,
       .store = StoreSyslogFacility,
       .why = kHonoured},
      {.name = "repl-diskless-load",
       .kind = K::kEnum,
       .default_value = "disabled",
       .choices = "disabled|on-empty-db|swapdb",
       .why = kReplication},
      {.name = "oom-score-adj",
       .kind = K::kEnum,
       .default_value = "no",
       .choices = "no|yes|relative|absolute",
       .why = kNoFork},
      {.name = "acl-pubsub-default",
       .kind = K::kEnum,
       .default_value = "resetchannels",
       .choices = "allchannels|resetchannels",
       .why = "only matters for ACL users, which Drayman does not have yet"},
      {.name = "sanitize-dump-payload",
       .kind = K::kEnum,
       .default_value = "no",
       .choices = "no|yes|clients",
       .why = "Drayman always validates RESTORE payloads in full"},
      {.name = "enable-protected-configs",
       .kind = K::kEnum,
       .default_value = "no",
       .choices = "no|yes|local",
       .mutable_at_runtime = false,
       .store = StoreProtectedConfigs,
       .why = "honoured: yes lets CONFIG SET change dir and dbfilename; local is treated as no "
              "(Drayman does not tell local clients apart here)"},
      {.name = "enable-debug-command",
       .kind = K::kEnum,
       .default_value = "no",
       .choices = "no|yes|local",
       .mutable_at_runtime = false,
       .why = "Drayman has no DEBUG command"},
      {.name = "enable-module-command",
       .kind = K::kEnum,
       .default_value = "no",
       .choices = "no|yes|local",
       .mutable_at_runtime = false,
       .why = "honoured by MODULE LOAD/LOADEX/UNLOAD, which then answer as for a module that "
              "cannot be loaded (Drayman loads no modules)"},
      {.name = "cluster-preferred-endpoint-type",
       .kind = K::kEnum,
       .default_value = "ip",
       .choices = "ip|hostname|unknown-endpoint",
       .why = kCluster},
      {.name = "propagation-error-behavior",
       .kind = K::kEnum,
       .default_value = "ignore",
       .choices = "ignore|panic|panic-on-replicas",
       .why = kReplication},
      {.name = "shutdown-on-sigint",
       .kind = K::kFlags,
       .default_value = "default",
       .choices = "default|save|nosave|now|force",
       .store = StoreShutdownOnSigint,
       .why = kShutdownOnSignal},
      {.name = "shutdown-on-sigterm",
       .kind = K::kFlags,
       .default_value = "default",
       .choices = "default|save|nosave|now|force",
       .store = StoreShutdownOnSigterm,
       .why = kShutdownOnSignal},
      {.name = "io-threads",
       .kind = K::kInt,
       .default_value = "1",
       .min = 1,
       .max = 128,
       .mutable_at_runtime = false,
       .why = kThreads},
      {.name = "cluster-replica-validity-factor",
       .alias = "cluster-slave-validity-factor",
       .kind = K::kInt,
       .default_value = "10",
       .min = 0,
       .max = INT_MAX,
       .why = kCluster},
      {.name = "list-max-listpack-size",
       .alias = "list-max-ziplist-size",
       .kind = K::kInt,
       .default_value = "-2",
       .min = INT_MIN,
       .max = INT_MAX,
       .why = kEncoding},
      {.name = "cluster-migration-barrier",
       .kind = K::kInt,
       .default_value = "1",
       .min = 0,
       .max = INT_MAX,
       .why = kCluster},
      {.name = "active-defrag-cycle-min",
       .kind = K::kInt,
       .default_value = "1",
       .min = 1,
       .max = 99,
       .why = kAllocator},
      {.name = "active-defrag-cycle-max",
       .kind = K::kInt,
       .default_value = "25",
       .min = 1,
       .max = 99,
       .why = kAllocator},
      {.name = "active-defrag-threshold-lower",
       .kind = K::kInt,
       .default_value = "10",
       .min = 0,
       .max = 1000,
       .why = kAllocator},
      {.name = "active-defrag-threshold-upper",
       .kind = K::kInt,
       .default_value = "100",
       .min = 0,
       .max = 1000,
       .why = kAllocator},
      {.name = "replica-priority",
       .alias = "slave-priority",
       .kind = K::kInt,
       .default_value = "100",
       .min = 0,
       .max = INT_MAX,
       .why = kReplication},
      {.name = "repl-diskless-sync-delay",
       .kind = K::kInt,
       .default_value = "5",
       .min = 0,
       .max = INT_MAX,
       .why = kReplication},
      {.name = "replica-announce-port",
       .alias = "slave-announce-port",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = 65535,
       .why = kReplication},
      {.name = "cluster-port",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = 65535,
       .mutable_at_runtime = false,
       .why = kCluster},
      {.name = "cluster-announce-bus-port",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = 65535,
       .why = kCluster},
      {.name = "cluster-announce-port",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = 65535,
       .why = kCluster},
      {.name = "cluster-announce-tls-port",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = 65535,
       .why = kCluster},
      {.name = "repl-timeout",
       .kind = K::kInt,
       .default_value = "60",
       .min = 1,
       .max = INT_MAX,
       .why = kReplication},
      {.name = "repl-ping-replica-period",
       .alias = "repl-ping-slave-period",
       .kind = K::kInt,
       .default_value = "10",
       .min = 1,
       .max = INT_MAX,
       .why = kReplication},
      {.name = "list-compress-depth",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = INT_MAX,
       .why = kEncoding},
      {.name = "active-expire-effort",
       .kind = K::kInt,
       .default_value = "1",
       .min = 1,
       .max = 10,
       .why = kAllocator},
      {.name = "min-replicas-to-write",
       .alias = "min-slaves-to-write",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = INT_MAX,
       .refusal = "is not supported: Drayman has no replicas, so writes would be acknowledged "
                  "without the copies this setting demands",
       .why = kRefused},
      {.name = "min-replicas-max-lag",
       .alias = "min-slaves-max-lag",
       .kind = K::kInt,
       .default_value = "10",
       .min = 0,
       .max = INT_MAX,
       .why = kReplication},
      {.name = "shutdown-timeout",
       .kind = K::kInt,
       .default_value = "10",
       .min = 0,
       .max = INT_MAX,
       .why = kReplication},
      {.name = "repl-diskless-sync-max-replicas",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = INT_MAX,
       .why = kReplication},
      {.name = "unixsocketperm",
       .kind = K::kOctal,
       .default_value = "0",
       .min = 0,
       .max = 0777,
       .mutable_at_runtime = false,
       .store = StoreUnixSocketPerm,
       .why = kHonoured},
      {.name = "socket-mark-id",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = UINT_MAX,
       .mutable_at_runtime = false,
       .why = "not applied to Drayman's sockets yet (a routing mark; nothing is lost without it)"},
      {.name = "active-defrag-max-scan-fields",
       .kind = K::kInt,
       .default_value = "1000",
       .min = 1,
       .max = LONG_MAX,
       .why = kAllocator},
      {.name = "acllog-max-len",
       .kind = K::kInt,
       .default_value = "128",
       .min = 0,
       .max = LONG_MAX,
       .why = "Drayman has no ACL LOG yet"},
      {.name = "cluster-node-timeout",
       .kind = K::kInt,
       .default_value = "15000",
       .min = 0,
       .max = LLONG_MAX,
       .why = kCluster},
      {.name = "latency-monitor-threshold",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = LLONG_MAX,
       .store = StoreLatencyMonitorThreshold,
       .why = kHonoured},
      {.name = "stream-node-max-entries",
       .kind = K::kInt,
       .default_value = "100",
       .min = 0,
       .max = LLONG_MAX,
       .why = kEncoding},
      {.name = "repl-backlog-size",
       .kind = K::kMemory,
       .default_value = "1048576",
       .min = 1,
       .max = LLONG_MAX,
       .why = kReplication},
      {.name = "cluster-link-sendbuf-limit",
       .kind = K::kMemory,
       .default_value = "0",
       .min = 0,
       .max = LLONG_MAX,
       .why = kCluster},
      {.name = "hash-max-listpack-entries",
       .alias = "hash-max-ziplist-entries",
       .kind = K::kInt,
       .default_value = "512",
       .min = 0,
       .max = LONG_MAX,
       .why = kEncoding},
      {.name = "set-max-intset-entries",
       .kind = K::kInt,
       .default_value = "512",
       .min = 0,
       .max = LONG_MAX,
       .why = kEncoding},
      {.name = "zset-max-listpack-entries",
       .alias = "zset-max-ziplist-entries",
       .kind = K::kInt,
       .default_value = "128",
       .min = 0,
       .max = LONG_MAX,
       .why = kEncoding},
      {.name = "active-defrag-ignore-bytes",
       .kind = K::kMemory,
       .default_value = "104857600",
       .min = 1,
       .max = LLONG_MAX,
       .why = kAllocator},
      {.name = "hash-max-listpack-value",
       .alias = "hash-max-ziplist-value",
       .kind = K::kMemory,
       .default_value = "64",
       .min = 0,
       .max = LONG_MAX,
       .why = kEncoding},
      {.name = "stream-node-max-bytes",
       .kind = K::kMemory,
       .default_value = "4096",
       .min = 0,
       .max = LONG_MAX,
       .why = kEncoding},
      {.name = "zset-max-listpack-value",
       .alias = "zset-max-ziplist-value",
       .kind = K::kMemory,
       .default_value = "64",
       .min = 0,
       .max = LONG_MAX,
       .why = kEncoding},
      {.name = "tracking-table-max-keys",
       .kind = K::kInt,
       .default_value = "1000000",
       .min = 0,
       .max = LONG_MAX,
       .store = StoreTrackingTableMaxKeys,
       .why = kHonoured},
      {.name = "maxmemory-clients",
       .kind = K::kMemoryPercent,
       .default_value = "0",
       .min = -100,
       .max = LLONG_MAX,
       .store = StoreMaxmemoryClients,
       .why = kHonoured},
      {.name = "repl-backlog-ttl",
       .kind = K::kInt,
       .default_value = "3600",
       .min = 0,
       .max = LONG_MAX,
       .why = kReplication},
      {.name = "tls-port",
       .kind = K::kInt,
       .default_value = "0",
       .min = 0,
       .max = 65535,
       .refusal = "is not supported by this build: Drayman would not listen for TLS, and clients "
                  "would have to fall back to plain text",
       .why = kRefused},
      {.name = "tls-session-cache-size",
       .kind = K::kInt,
       .default_value = "20480",
       .min = 0,
       .max = INT_MAX,
       .why = kTls},
      {.name = "tls-session-cache-timeout",
       .kind = K::kInt,
       .default_value = "300",
       .min = 0,
       .max = INT_MAX,
       .why = kTls},
      {.name = "tls-cluster", .kind = K::kBool, .default_value = "no", .why = kTls},
      {.name = "tls-replication", .kind = K::kBool, .default_value = "no", .why = kTls},
      {.name = "tls-auth-clients",
       .kind = K::kEnum,
       .default_value = "yes",
       .choices = "no|yes|optional",
       .why = kTls},
      {.name = "tls-prefer-server-ciphers", .kind = K::kBool, .default_value = "no", .why = kTls},
      {.name = "tls-session-caching", .kind = K::kBool, .default_value = "yes", .why = kTls},
      {.name = "tls-cert-file", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-key-file", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-key-file-pass", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-client-cert-file", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-client-key-file", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-client-key-file-pass", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-dh-params-file", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-ca-cert-file", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-ca-cert-dir", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-protocols", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-ciphers", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "tls-ciphersuites", .kind = K::kString, .default_value = "", .why = kTls},
      {.name = "oom-score-adj-values",
       .kind = K::kWords,
       .default_value = "0 200 800",
       .words_check = CheckOomScoreAdjValues,
       .why = kNoFork},
      {.name = "replicaof",
       .alias = "slaveof",
       .kind = K::kWords,
       .default_value = "",
       .mutable_at_runtime = false,
       .refusal = "is not supported: Drayman has no replication, so this server would accept "
                  "writes as a master instead of copying the master's data",
       .words_check = CheckReplicaOf,
       .why = kRefused},
      {.name = "latency-tracking-info-percentiles",
       .kind = K::kWords,
       .default_value = "50 99 99.9",
       .store = StoreLatencyPercentiles,
       .words_check = CheckPercentiles,
       .why = kHonoured},
  };
  return kRows;
}

bool ParseCompatValue(const CompatParameter& parameter, const std::vector<std::string>& values,
                      std::string* normalized, std::string* error) {
  const bool single = values.size() == 1;
  switch (parameter.kind) {
    case K::kBool:
      if (single && EqualsIgnoreCase(values[0], "yes")) {
        *normalized = "yes";
      } else if (single && EqualsIgnoreCase(values[0], "no")) {
        *normalized = "no";
      } else {
        *error = errors::kConfigNotYesNo;
        return false;
      }
      break;
    case K::kInt: {
      int64_t parsed = 0;
      if (!single || !ParseInt64(values[0], &parsed)) {
        *error = errors::kConfigNotInteger;
        return false;
      }
      if (parsed < parameter.min || parsed > parameter.max) {
        *error = errors::ConfigRange(parameter.min, parameter.max);
        return false;
      }
      *normalized = std::to_string(parsed);
      break;
    }
    case K::kOctal: {
      int64_t parsed = 0;
      const std::string& text = single ? values[0] : std::string();
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed, 8);
      if (!single || text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        *error = errors::kConfigNotInteger;
        return false;
      }
      if (parsed < parameter.min || parsed > parameter.max) {
        *error = errors::ConfigRange(parameter.min, parameter.max);
        return false;
      }
      char octal[32];
      std::snprintf(octal, sizeof(octal), "%llo", static_cast<unsigned long long>(parsed));
      *normalized = octal;
      break;
    }
    case K::kMemory:
    case K::kMemoryPercent: {
      if (single && parameter.kind == K::kMemoryPercent && !values[0].empty() &&
          values[0].back() == '%') {
        int64_t percent = 0;
        if (!ParseInt64(std::string_view(values[0]).substr(0, values[0].size() - 1), &percent) ||
            percent < 0) {
          *error = errors::kConfigNotMemoryOrPercent;
          return false;
        }
        if (percent > -parameter.min) {
          *error = errors::ConfigPercentMax(-parameter.min);
          return false;
        }
        *normalized = std::to_string(percent) + "%";
        break;
      }
      int64_t bytes = 0;
      if (!single || !ParseMemory(values[0], &bytes)) {
        *error = parameter.kind == K::kMemoryPercent ? errors::kConfigNotMemoryOrPercent
                                                     : errors::kConfigNotMemory;
        return false;
      }
      if (bytes < parameter.min || bytes > parameter.max) {
        *error = errors::ConfigRange(parameter.min, parameter.max);
        return false;
      }
      *normalized = std::to_string(bytes);
      break;
    }
    case K::kEnum: {
      for (const std::string& choice : SplitChoices(parameter.choices)) {
        if (single && EqualsIgnoreCase(values[0], choice)) {
          *normalized = choice;
          return true;
        }
      }
      *error = ChoicesError(parameter.choices);
      return false;
    }
    case K::kFlags: {
      // "default", or a set of the other flags, reported in the enum's order as Redis does.
      std::vector<std::string> words;
      for (const std::string& value : values) {
        std::vector<std::string> split;
        SplitArgs(value, &split);
        words.insert(words.end(), split.begin(), split.end());
      }
      const std::vector<std::string> choices = SplitChoices(parameter.choices);
      std::vector<bool> chosen(choices.size(), false);
      if (words.empty()) {
        *error = ChoicesError(parameter.choices);
        return false;
      }
      for (const std::string& word : words) {
        bool known = false;
        for (size_t i = 0; i < choices.size(); ++i) {
          if (EqualsIgnoreCase(word, choices[i])) chosen[i] = known = true;
        }
        if (!known) {
          *error = ChoicesError(parameter.choices);
          return false;
        }
      }
      if (chosen[1] && chosen[2]) {
        *error = errors::kShutdownSaveAndNosave;
        return false;
      }
      normalized->clear();
      for (size_t i = 1; i < choices.size(); ++i) {
        if (!chosen[i]) continue;
        if (!normalized->empty()) normalized->push_back(' ');
        normalized->append(choices[i]);
      }
      if (normalized->empty()) *normalized = "default";
      break;
    }
    case K::kString:
      if (!single) {
        *error = errors::kWrongNumberOfArgs;
        return false;
      }
      *normalized = values[0];
      break;
    case K::kWords: {
      // A config line passes its words; CONFIG SET passes one string, split like Redis's
      // sdssplitargs.
      std::vector<std::string> words;
      if (single) {
        if (!values[0].empty() && !SplitArgs(values[0], &words)) words = values;
      } else {
        words = values;
      }
      const std::string detail = parameter.words_check(words, normalized);
      if (!detail.empty()) {
        *error = detail;
        return false;
      }
      break;
    }
  }
  if (!parameter.refusal.empty() && *normalized != parameter.default_value) {
    *error = std::string(parameter.name) + " " + std::string(parameter.refusal);
    return false;
  }
  return true;
}

void Config::RegisterCompatParameters() {
  Settings& s = settings_;
  for (const CompatParameter& row : CompatParameters()) {
    // A subsystem that registered the name itself (ACL, TLS) owns it.
    if (FindParameter(row.name) != nullptr) continue;
    const std::string name(row.name);
    const CompatParameter* spec = &row;
    Parameter parameter;
    parameter.name = name;
    if (!row.alias.empty()) parameter.aliases.emplace_back(row.alias);
    parameter.mutable_at_runtime = row.mutable_at_runtime;
    parameter.set = [&s, spec, name](const std::vector<std::string>& values, std::string* error) {
      std::string normalized;
      if (!ParseCompatValue(*spec, values, &normalized, error)) return false;
      s.compat_values[name] = normalized;
      if (spec->store != nullptr) spec->store(s, normalized);
      return true;
    };
    parameter.get = [&s, spec, name] {
      auto found = s.compat_values.find(name);
      return found == s.compat_values.end() ? std::string(spec->default_value) : found->second;
    };
    parameter.single_value =
        row.kind != CompatParameter::Kind::kWords && row.kind != CompatParameter::Kind::kFlags;
    parameter.sensitive = row.sensitive;
    parameters_.push_back(std::move(parameter));
  }
}

DirectiveAction ClassifyDirective(const std::vector<std::string>& words, std::string* reason) {
  const std::string name = ToLower(words[0]);
  const size_t argc = words.size();
  // Redis 7.0 reads these deprecated names and ignores them.
  if ((name == "list-max-ziplist-entries" || name == "list-max-ziplist-value" ||
       name == "lua-replicate-commands") &&
      argc == 2) {
    return DirectiveAction::kIgnore;
  }
  if (name == "include" && argc == 2) return DirectiveAction::kInclude;
  if (name == "rename-command" && argc == 3) {
    *reason =
        "rename-command is not supported: the command would stay callable under its own name, "
        "which is what renaming it was meant to prevent";
    return DirectiveAction::kRefuse;
  }
  if (name == "loadmodule" && argc >= 2) {
    *reason =
        "loadmodule is not supported: Drayman cannot load Redis modules, so the commands "
        "the module adds would be missing";
    return DirectiveAction::kRefuse;
  }
  if (name == "sentinel") {
    *reason = "sentinel directive while not in sentinel mode";
    return DirectiveAction::kRefuse;
  }
  return DirectiveAction::kUnknown;
}

}  // namespace drayman
