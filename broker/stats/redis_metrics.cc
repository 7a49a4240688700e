#include "broker/stats/redis_metrics.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "broker/engine.h"
#include "broker/stats/server_info.h"

namespace drayman {

namespace {

using Type = PrometheusWriter::Type;

// INFO field -> the metric prometheus-redis-exporter (Debian's 1.45) makes of it, in INFO order.
constexpr RedisFieldMetric kFieldMetrics[] = {
    {"server", "uptime_in_seconds", "redis_uptime_in_seconds", Type::kGauge,
     "Seconds since the server started"},
    {"server", "process_id", "redis_process_id", Type::kGauge, "Process id of the server"},
    {"server", "io_threads_active", "redis_io_threads_active", Type::kGauge,
     "Whether I/O threads are active (never in Drayman)"},
    {"clients", "connected_clients", "redis_connected_clients", Type::kGauge,
     "Client connections (not counting the HTTP listener's)"},
    {"clients", "cluster_connections", "redis_cluster_connections", Type::kGauge,
     "Cluster bus connections"},
    {"clients", "client_recent_max_input_buffer", "redis_client_recent_max_input_buffer_bytes",
     Type::kGauge, "Largest query buffer of a client"},
    {"clients", "client_recent_max_output_buffer", "redis_client_recent_max_output_buffer_bytes",
     Type::kGauge, "Largest output buffer of a client"},
    {"clients", "blocked_clients", "redis_blocked_clients", Type::kGauge,
     "Clients blocked in BLPOP, BRPOP, BZPOPMIN and the like"},
    {"clients", "tracking_clients", "redis_tracking_clients", Type::kGauge,
     "Clients with client-side caching tracking on"},
    {"clients", "clients_in_timeout_table", "redis_clients_in_timeout_table", Type::kGauge,
     "Blocked clients with a timeout"},
    {"memory", "used_memory", "redis_memory_used_bytes", Type::kGauge,
     "Bytes allocated by the server"},
    {"memory", "used_memory_rss", "redis_memory_used_rss_bytes", Type::kGauge,
     "Resident set size of the process"},
    {"memory", "used_memory_peak", "redis_memory_used_peak_bytes", Type::kGauge,
     "Peak of used_memory"},
    {"memory", "used_memory_overhead", "redis_memory_used_overhead_bytes", Type::kGauge,
     "used_memory that is not the dataset (start-up, clients, caches, key tables)"},
    {"memory", "used_memory_startup", "redis_memory_used_startup_bytes", Type::kGauge,
     "used_memory at start-up"},
    {"memory", "used_memory_dataset", "redis_memory_used_dataset_bytes", Type::kGauge,
     "used_memory minus its overhead"},
    {"memory", "allocator_allocated", "redis_allocator_allocated_bytes", Type::kGauge,
     "Bytes glibc's malloc has handed out"},
    {"memory", "allocator_active", "redis_allocator_active_bytes", Type::kGauge,
     "Bytes glibc's malloc holds from the kernel"},
    {"memory", "allocator_resident", "redis_allocator_resident_bytes", Type::kGauge,
     "Resident bytes of the allocator (at most the process's)"},
    {"memory", "used_memory_lua", "redis_memory_used_lua_bytes", Type::kGauge,
     "Bytes used by EVAL's Lua state"},
    {"memory", "used_memory_scripts", "redis_memory_used_scripts_bytes", Type::kGauge,
     "Bytes of the script cache and function libraries"},
    {"memory", "number_of_cached_scripts", "redis_number_of_cached_scripts", Type::kGauge,
     "Scripts in EVAL's cache"},
    {"memory", "maxmemory", "redis_memory_max_bytes", Type::kGauge, "maxmemory (0: no limit)"},
    {"memory", "allocator_frag_ratio", "redis_allocator_frag_ratio", Type::kGauge,
     "allocator_active / allocator_allocated"},
    {"memory", "allocator_frag_bytes", "redis_allocator_frag_bytes", Type::kGauge,
     "allocator_active - allocator_allocated"},
    {"memory", "allocator_rss_ratio", "redis_allocator_rss_ratio", Type::kGauge,
     "allocator_resident / allocator_active"},
    {"memory", "allocator_rss_bytes", "redis_allocator_rss_bytes", Type::kGauge,
     "allocator_resident - allocator_active"},
    {"memory", "mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", Type::kGauge,
     "used_memory_rss / used_memory"},
    {"memory", "mem_fragmentation_bytes", "redis_mem_fragmentation_bytes", Type::kGauge,
     "used_memory_rss - used_memory"},
    {"memory", "mem_not_counted_for_evict", "redis_mem_not_counted_for_eviction_bytes",
     Type::kGauge, "Bytes maxmemory does not count"},
    {"memory", "mem_clients_slaves", "redis_mem_clients_slaves", Type::kGauge,
     "Replica client buffers (no replicas)"},
    {"memory", "mem_clients_normal", "redis_mem_clients_normal", Type::kGauge,
     "Client structures and buffers"},
    {"memory", "active_defrag_running", "redis_active_defrag_running", Type::kGauge,
     "Active defragmentation (never: glibc's malloc)"},
    {"memory", "lazyfree_pending_objects", "redis_lazyfree_pending_objects", Type::kGauge,
     "Values waiting to be freed in the background (never: freed on the loop)"},
    {"persistence", "loading", "redis_loading_dump_file", Type::kGauge,
     "1 while the dataset is loading"},
    {"persistence", "rdb_changes_since_last_save", "redis_rdb_changes_since_last_save",
     Type::kGauge, "Writes since the last save"},
    {"persistence", "rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", Type::kGauge,
     "1 while a BGSAVE runs"},
    {"persistence", "rdb_last_save_time", "redis_rdb_last_save_timestamp_seconds", Type::kGauge,
     "Unix time of the last successful save"},
    {"persistence", "rdb_last_bgsave_status", "redis_rdb_last_bgsave_status", Type::kGauge,
     "1 if the last BGSAVE succeeded"},
    {"persistence", "rdb_last_bgsave_time_sec", "redis_rdb_last_bgsave_duration_sec", Type::kGauge,
     "Seconds the last BGSAVE took (-1: none)"},
    {"persistence", "rdb_current_bgsave_time_sec", "redis_rdb_current_bgsave_duration_sec",
     Type::kGauge, "Seconds the running BGSAVE has taken (-1: none)"},
    {"persistence", "rdb_last_cow_size", "redis_rdb_last_cow_size_bytes", Type::kGauge,
     "Bytes the last BGSAVE encoded early because writes reached them first"},
    {"persistence", "aof_enabled", "redis_aof_enabled", Type::kGauge,
     "1 when the append-only log is on"},
    {"persistence", "aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", Type::kGauge,
     "1 while the log is rewritten"},
    {"persistence", "aof_rewrite_scheduled", "redis_aof_rewrite_scheduled", Type::kGauge,
     "1 when a rewrite is scheduled"},
    {"persistence", "aof_last_rewrite_time_sec", "redis_aof_last_rewrite_duration_sec",
     Type::kGauge, "Seconds the last rewrite took (-1: none)"},
    {"persistence", "aof_current_rewrite_time_sec", "redis_aof_current_rewrite_duration_sec",
     Type::kGauge, "Seconds the running rewrite has taken (-1: none)"},
    {"persistence", "aof_last_bgrewrite_status", "redis_aof_last_bgrewrite_status", Type::kGauge,
     "1 if the last rewrite succeeded"},
    {"persistence", "aof_last_write_status", "redis_aof_last_write_status", Type::kGauge,
     "1 if the last write to the log succeeded"},
    {"persistence", "aof_last_cow_size", "redis_aof_last_cow_size_bytes", Type::kGauge,
     "Copy-on-write bytes of the last rewrite"},
    {"persistence", "module_fork_in_progress", "redis_module_fork_in_progress", Type::kGauge,
     "1 while a module fork runs"},
    {"persistence", "module_fork_last_cow_size", "redis_module_fork_last_cow_size", Type::kGauge,
     "Copy-on-write bytes of the last module fork"},
    {"persistence", "aof_current_size", "redis_aof_current_size_bytes", Type::kGauge,
     "Bytes of the append-only log"},
    {"persistence", "aof_base_size", "redis_aof_base_size_bytes", Type::kGauge,
     "Bytes of the log's base file"},
    {"persistence", "aof_pending_rewrite", "redis_aof_pending_rewrite", Type::kGauge,
     "1 when a rewrite waits for a BGSAVE"},
    {"persistence", "aof_buffer_length", "redis_aof_buffer_length", Type::kGauge,
     "Bytes appended but not yet written"},
    {"persistence", "aof_pending_bio_fsync", "redis_aof_pending_bio_fsync", Type::kGauge,
     "fsyncs waiting on the background thread"},
    {"persistence", "aof_delayed_fsync", "redis_aof_delayed_fsync", Type::kGauge,
     "Times a write waited for a slow fsync"},
    {"stats", "total_connections_received", "redis_connections_received_total", Type::kCounter,
     "Connections accepted"},
    {"stats", "total_commands_processed", "redis_commands_processed_total", Type::kCounter,
     "Commands processed"},
    {"stats", "total_net_input_bytes", "redis_net_input_bytes_total", Type::kCounter,
     "Bytes read from clients"},
    {"stats", "total_net_output_bytes", "redis_net_output_bytes_total", Type::kCounter,
     "Bytes written to clients"},
    {"stats", "rejected_connections", "redis_rejected_connections_total", Type::kCounter,
     "Connections refused for maxclients"},
    {"stats", "expired_keys", "redis_expired_keys_total", Type::kCounter, "Keys expired"},
    {"stats", "evicted_keys", "redis_evicted_keys_total", Type::kCounter,
     "Keys evicted for maxmemory"},
    {"stats", "evicted_clients", "redis_evicted_clients_total", Type::kCounter,
     "Clients evicted for maxmemory-clients"},
    {"stats", "keyspace_hits", "redis_keyspace_hits_total", Type::kCounter,
     "Successful key lookups"},
    {"stats", "keyspace_misses", "redis_keyspace_misses_total", Type::kCounter,
     "Failed key lookups"},
    {"stats", "pubsub_channels", "redis_pubsub_channels", Type::kGauge,
     "Channels with subscribers"},
    {"stats", "pubsub_patterns", "redis_pubsub_patterns", Type::kGauge,
     "Patterns with subscribers"},
    {"stats", "tracking_total_keys", "redis_tracking_total_keys", Type::kGauge,
     "Keys in the client-side caching table"},
    {"stats", "tracking_total_items", "redis_tracking_total_items", Type::kGauge,
     "Client ids in the client-side caching table"},
    {"stats", "tracking_total_prefixes", "redis_tracking_total_prefixes", Type::kGauge,
     "BCAST prefixes of client-side caching"},
    {"stats", "total_error_replies", "redis_total_error_replies", Type::kGauge,
     "Error replies sent"},
    {"replication", "connected_slaves", "redis_connected_slaves", Type::kGauge,
     "Connected replicas"},
    {"replication", "master_repl_offset", "redis_master_repl_offset", Type::kGauge,
     "Replication offset"},
    {"replication", "second_repl_offset", "redis_second_repl_offset", Type::kGauge,
     "Offset up to which the previous replication id is accepted"},
    {"replication", "repl_backlog_active", "redis_repl_backlog_is_active", Type::kGauge,
     "1 when the replication backlog is active"},
    {"replication", "repl_backlog_size", "redis_replication_backlog_bytes", Type::kGauge,
     "Size of the replication backlog"},
    {"replication", "repl_backlog_first_byte_offset", "redis_repl_backlog_first_byte_offset",
     Type::kGauge, "First offset in the backlog"},
    {"replication", "repl_backlog_histlen", "redis_repl_backlog_history_bytes", Type::kGauge,
     "Bytes of data in the backlog"},
    {"cpu", "used_cpu_sys", "redis_cpu_sys_seconds_total", Type::kCounter,
     "System CPU seconds of the process"},
    {"cpu", "used_cpu_user", "redis_cpu_user_seconds_total", Type::kCounter,
     "User CPU seconds of the process"},
    {"cpu", "used_cpu_sys_children", "redis_cpu_sys_children_seconds_total", Type::kCounter,
     "System CPU seconds of child processes"},
    {"cpu", "used_cpu_user_children", "redis_cpu_user_children_seconds_total", Type::kCounter,
     "User CPU seconds of child processes"},
    {"cpu", "used_cpu_sys_main_thread", "redis_cpu_sys_main_thread_seconds_total", Type::kCounter,
     "System CPU seconds of the event-loop thread"},
    {"cpu", "used_cpu_user_main_thread", "redis_cpu_user_main_thread_seconds_total", Type::kCounter,
     "User CPU seconds of the event-loop thread"},
    {"cluster", "cluster_enabled", "redis_cluster_enabled", Type::kGauge,
     "1 in cluster mode (never in Drayman)"},
};

constexpr size_t kFieldMetricCount = std::size(kFieldMetrics);

// redis_instance_info's labels in the sample's order, and the INFO field each one's text is
// (none: always empty, as the exporter leaves redis_build_id for Redis 7.0).
struct InstanceLabel {
  std::string_view label;
  std::string_view section;
  std::string_view field;
};
constexpr InstanceLabel kInstanceLabels[] = {
    {"role", "replication", "role"},
    {"redis_version", "server", "redis_version"},
    {"redis_build_id", "", ""},
    {"redis_mode", "server", "redis_mode"},
    {"os", "server", "os"},
    {"maxmemory_policy", "memory", "maxmemory_policy"},
    {"tcp_port", "server", "tcp_port"},
    {"run_id", "server", "run_id"},
    {"process_id", "server", "process_id"},
    {"drayman_version", "server", "drayman_version"},
};
constexpr size_t kInstanceLabelCount = std::size(kInstanceLabels);

// What a scrape does with an INFO field: the kFieldMetrics rows it feeds, the instance label it
// is, whether it is the uptime (redis_start_time_seconds).
struct FieldTarget {
  std::string_view section;
  std::vector<uint16_t> metrics;
  int label = -1;
  bool uptime = false;
};

// Field name -> its target, built once (INFO's field names are unique across sections; the
// section is checked as well).
const absl::flat_hash_map<std::string_view, FieldTarget>& Targets() {
  static const auto* targets = [] {
    auto* map = new absl::flat_hash_map<std::string_view, FieldTarget>();
    auto target = [&](std::string_view section, std::string_view field) -> FieldTarget& {
      FieldTarget& found = (*map)[field];
      found.section = section;
      return found;
    };
    for (size_t i = 0; i < kFieldMetricCount; ++i) {
      target(kFieldMetrics[i].section, kFieldMetrics[i].field)
          .metrics.push_back(static_cast<uint16_t>(i));
    }
    for (size_t i = 0; i < kInstanceLabelCount; ++i) {
      if (!kInstanceLabels[i].field.empty()) {
        target(kInstanceLabels[i].section, kInstanceLabels[i].field).label = static_cast<int>(i);
      }
    }
    target("server", "uptime_in_seconds").uptime = true;
    return map;
  }();
  return *targets;
}

// Each kFieldMetrics row's "# HELP ...\n# TYPE ...\nname ": written whole before its value.
const std::vector<std::string>& FieldMetricHeaders() {
  static const auto* headers = [] {
    auto* list = new std::vector<std::string>();
    for (const RedisFieldMetric& spec : kFieldMetrics) {
      list->push_back(PrometheusWriter::FamilyText(spec.metric, spec.type, spec.help));
      list->back().append(spec.metric).push_back(' ');
    }
    return list;
  }();
  return *headers;
}

// A family with one unlabelled sample, its header text made once.
class SingleMetric {
 public:
  SingleMetric(std::string_view name, Type type, std::string_view help)
      : prefix_(PrometheusWriter::FamilyText(name, type, help)) {
    prefix_.append(name).push_back(' ');
  }
  void Write(std::string& text, double value) const {
    text.append(prefix_);
    AppendPrometheusNumber(text, value);
    text.push_back('\n');
  }

 private:
  std::string prefix_;
};

// Keeps, of the fields INFO's sections hand over, the numbers /metrics exports: no INFO text is
// formatted except the instance labels'.
class MetricsSink final : public InfoSink {
 public:
  struct CommandRow {
    std::string_view cmd;  // a CommandSpec's full name
    double calls = 0, usec = 0, rejected_calls = 0, failed_calls = 0;
  };
  struct ErrorRow {
    std::string_view code;  // a key of EngineStats::error_counts
    double count = 0;
  };
  struct DbRow {
    bool listed = false;  // INFO lists only databases holding keys
    double keys = 0, expires = 0, avg_ttl = 0;
  };

  explicit MetricsSink(int databases) : dbs(static_cast<size_t>(std::max(databases, 0))) {}

  void Section(std::string_view name, std::string_view) override { section_ = name; }

  void Field(std::string_view name, const InfoValue& value) override {
    const auto& targets = Targets();
    const auto it = targets.find(name);
    if (it == targets.end() || it->second.section != section_) return;
    const FieldTarget& target = it->second;
    double number = 0;
    const bool numeric = value.Number(&number);
    if (numeric) {
      for (const uint16_t metric : target.metrics) {
        values[metric] = number;
        present[metric] = true;
      }
    }
    if (target.label >= 0) {
      std::string& label = labels[static_cast<size_t>(target.label)];
      label.clear();
      value.AppendText(label);
    }
    if (target.uptime) {
      has_uptime = true;
      uptime = number;
    }
  }

  void Composite(std::string_view prefix, std::string_view name, const InfoPart* parts,
                 size_t count) override {
    auto part = [&](std::string_view key) {  // the first part named `key`, 0 when none
      for (size_t i = 0; i < count; ++i) {
        double number = 0;
        if (parts[i].key == key) return parts[i].value.Number(&number) ? number : 0;
      }
      return 0.0;
    };
    if (section_ == "commandstats") {
      commands.push_back({name, part("calls"), part("usec"), part("rejected_calls"),
                          part("failed_calls")});
    } else if (section_ == "errorstats") {
      errors.push_back({name, part("count")});
    } else if (section_ == "keyspace" && prefix == "db") {
      int index = -1;
      const auto [ptr, error] = std::from_chars(name.data(), name.data() + name.size(), index);
      if (error == std::errc() && index >= 0 && static_cast<size_t>(index) < dbs.size()) {
        dbs[static_cast<size_t>(index)] = {true, part("keys"), part("expires"), part("avg_ttl")};
      }
    }
  }

  double values[kFieldMetricCount] = {};
  bool present[kFieldMetricCount] = {};
  std::string labels[kInstanceLabelCount];
  bool has_uptime = false;
  double uptime = 0;
  std::vector<CommandRow> commands;
  std::vector<ErrorRow> errors;
  std::vector<DbRow> dbs;

 private:
  std::string_view section_;
};

void WriteInstanceInfo(const MetricsSink& info, int64_t now_s, PrometheusWriter& out) {
  static const std::string kHeader = PrometheusWriter::FamilyText(
      "redis_instance_info", Type::kGauge, "Information about the Redis instance");
  out.text().append(kHeader);
  static_assert(kInstanceLabelCount == 10);
  auto label = [&](size_t i) { return PrometheusLabel(kInstanceLabels[i].label, info.labels[i]); };
  out.Sample("redis_instance_info",
             {label(0), label(1), label(2), label(3), label(4), label(5), label(6), label(7),
              label(8), label(9)},
             1);
  if (info.has_uptime) {
    static const SingleMetric kStart("redis_start_time_seconds", Type::kGauge,
                                     "Start time of the server (Unix time)");
    kStart.Write(out.text(), static_cast<double>(now_s) - info.uptime);
  }
}

void WriteFieldMetrics(const MetricsSink& info, PrometheusWriter& out) {
  const std::vector<std::string>& headers = FieldMetricHeaders();
  std::string& text = out.text();
  for (size_t i = 0; i < kFieldMetricCount; ++i) {
    if (!info.present[i]) continue;  // e.g. aof_* sizes while the log is off
    text.append(headers[i]);
    AppendPrometheusNumber(text, info.values[i] * kFieldMetrics[i].scale);
    text.push_back('\n');
  }
}

// One labelled sample: `start` is "name{label=\"", then the escaped value, then the number.
void AppendLabelled(std::string& text, std::string_view start, std::string_view label_value,
                    double value) {
  text.append(start);
  AppendPrometheusLabelValue(text, label_value);
  text.append("\"} ");
  AppendPrometheusNumber(text, value);
  text.push_back('\n');
}

void WriteCommandStats(const MetricsSink& info, PrometheusWriter& out) {
  struct Family {
    std::string_view metric;
    double MetricsSink::CommandRow::*part;
    std::string_view help;
    double scale;
  };
  static constexpr Family kFamilies[] = {
      {"redis_commands_total", &MetricsSink::CommandRow::calls,
       "Total number of calls per command", 1},
      {"redis_commands_duration_seconds_total", &MetricsSink::CommandRow::usec,
       "Total amount of time in seconds spent per command", 1e-6},
      {"redis_commands_rejected_calls_total", &MetricsSink::CommandRow::rejected_calls,
       "Calls refused before they ran (arity, ACL, OOM, ...) per command", 1},
      {"redis_commands_failed_calls_total", &MetricsSink::CommandRow::failed_calls,
       "Calls that ran and replied with an error per command", 1},
  };
  // Per family: its header, and the start of a sample ("name{cmd=\"").
  static const auto* texts = [] {
    auto* list = new std::vector<std::pair<std::string, std::string>>();
    for (const Family& family : kFamilies) {
      list->emplace_back(PrometheusWriter::FamilyText(family.metric, Type::kCounter, family.help),
                         std::string(family.metric) + "{cmd=\"");
    }
    return list;
  }();
  std::string& text = out.text();
  for (size_t f = 0; f < std::size(kFamilies); ++f) {
    text.append((*texts)[f].first);
    for (const MetricsSink::CommandRow& row : info.commands) {
      AppendLabelled(text, (*texts)[f].second, row.cmd,
                     row.*kFamilies[f].part * kFamilies[f].scale);
    }
  }
}

void WriteErrorStats(const MetricsSink& info, PrometheusWriter& out) {
  if (info.errors.empty()) return;
  static const std::string kHeader = PrometheusWriter::FamilyText(
      "redis_errors_total", Type::kCounter, "Error replies by error prefix");
  std::string& text = out.text();
  text.append(kHeader);
  for (const MetricsSink::ErrorRow& row : info.errors) {
    AppendLabelled(text, "redis_errors_total{err=\"", row.code, row.count);
  }
}

// As the exporter does: keys and expiring keys for every database (0 when INFO omits an empty
// one), the average TTL for those INFO lists. The label `db` is "db0", as the exporter writes it.
void WriteKeyspace(const MetricsSink& info, PrometheusWriter& out) {
  static const std::string kKeys = PrometheusWriter::FamilyText(
      "redis_db_keys", Type::kGauge, "Total number of keys by DB");
  static const std::string kExpiring = PrometheusWriter::FamilyText(
      "redis_db_keys_expiring", Type::kGauge, "Total number of expiring keys by DB");
  static const std::string kTtl = PrometheusWriter::FamilyText(
      "redis_db_avg_ttl_seconds", Type::kGauge, "Avg TTL in seconds");
  std::string& text = out.text();
  auto write = [&](std::string_view start, size_t index, double value) {
    text.append(start);
    char number[16];
    text.append(number, std::to_chars(number, number + sizeof(number), index).ptr);
    text.append("\"} ");
    AppendPrometheusNumber(text, value);
    text.push_back('\n');
  };
  text.append(kKeys);
  for (size_t i = 0; i < info.dbs.size(); ++i) {
    write("redis_db_keys{db=\"db", i, info.dbs[i].keys);
  }
  text.append(kExpiring);
  for (size_t i = 0; i < info.dbs.size(); ++i) {
    write("redis_db_keys_expiring{db=\"db", i, info.dbs[i].expires);
  }
  text.append(kTtl);
  for (size_t i = 0; i < info.dbs.size(); ++i) {
    if (info.dbs[i].listed) {
      write("redis_db_avg_ttl_seconds{db=\"db", i, info.dbs[i].avg_ttl / 1000);
    }
  }
}

// What the exporter reads from SLOWLOG and CONFIG GET rather than INFO.
void WriteSlowlogAndConfig(Engine& engine, PrometheusWriter& out) {
  static const SingleMetric kLength("redis_slowlog_length", Type::kGauge,
                                    "Entries in the slow log");
  static const SingleMetric kLastId("redis_slowlog_last_id", Type::kGauge,
                                    "Id of the newest slow log entry");
  static const SingleMetric kLastDuration("redis_last_slow_execution_duration_seconds",
                                          Type::kGauge, "Duration of the newest slow log entry");
  static const SingleMetric kMaxclients("redis_config_maxclients", Type::kGauge, "maxclients");
  static const SingleMetric kMaxmemory("redis_config_maxmemory", Type::kGauge, "maxmemory");
  static const SingleMetric kIoThreads("redis_config_io_threads", Type::kGauge,
                                       "io-threads (Drayman has one loop)");
  std::string& text = out.text();
  const std::deque<SlowLogEntry>& slowlog = engine.slowlog().entries();  // newest first
  kLength.Write(text, static_cast<double>(slowlog.size()));
  kLastId.Write(text, slowlog.empty() ? 0 : static_cast<double>(slowlog.front().id));
  kLastDuration.Write(text,
                      slowlog.empty() ? 0 : static_cast<double>(slowlog.front().duration_us) / 1e6);
  const Settings& settings = engine.settings();
  kMaxclients.Write(text, static_cast<double>(settings.maxclients));
  kMaxmemory.Write(text, static_cast<double>(settings.maxmemory));
  kIoThreads.Write(text, 1);
}

}  // namespace

std::span<const RedisFieldMetric> RedisFieldMetrics() { return kFieldMetrics; }

void WriteDraymanMetrics(Engine& engine, PrometheusWriter& out) {
  static const std::string kDisconnections = PrometheusWriter::FamilyText(
      "drayman_disconnections_total", Type::kCounter,
      "Client connections closed, by cause (peer_closed: the client or its network)");
  static const SingleMetric kPublished("drayman_pubsub_messages_published_total", Type::kCounter,
                                       "PUBLISH and SPUBLISH calls");
  static const SingleMetric kUnreceived(
      "drayman_pubsub_messages_unreceived_total", Type::kCounter,
      "Messages published to a channel no client was subscribed to (lost)");
  const DisconnectionCounts& disconnections = engine.stats().disconnections;
  std::string& text = out.text();
  text.append(kDisconnections);
  for (size_t i = static_cast<size_t>(DisconnectCause::kPeerClosed);
       i < static_cast<size_t>(DisconnectCause::kCount); ++i) {
    const auto cause = static_cast<DisconnectCause>(i);
    AppendLabelled(text, "drayman_disconnections_total{cause=\"", DisconnectCauseName(cause),
                   static_cast<double>(disconnections.count(cause)));
  }
  const PubSub& pubsub = engine.pubsub();
  kPublished.Write(text, static_cast<double>(pubsub.messages_published()));
  kUnreceived.Write(text, static_cast<double>(pubsub.messages_unreceived()));
}

void WriteRedisMetrics(Engine& engine, PrometheusWriter& out) {
  const int64_t now_ms = engine.clock().NowMs();
  // Only the sections read below: INFO ALL's latencystats (percentiles of every command's
  // histogram) and modules would cost a scrape without giving a metric.
  static const InfoSectionSet kSections = ServerInfo::SectionSet(
      {"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "commandstats",
       "errorstats", "cluster", "keyspace"});
  MetricsSink info(engine.keyspace().database_count());
  ServerInfo::Collect(engine, now_ms, kSections, info);
  static const SingleMetric kUp("redis_up", Type::kGauge, "Information about the Redis instance");
  kUp.Write(out.text(), 1);
  WriteInstanceInfo(info, now_ms / 1000, out);
  WriteFieldMetrics(info, out);
  WriteCommandStats(info, out);
  WriteErrorStats(info, out);
  WriteKeyspace(info, out);
  WriteSlowlogAndConfig(engine, out);
}

}  // namespace drayman
