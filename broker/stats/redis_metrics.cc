#include "broker/stats/redis_metrics.h"

#include <cstdio>
#include <set>
#include <string>

#include "broker/engine.h"
#include "broker/stats/server_info.h"

namespace drayman {

namespace {

using Type = PrometheusWriter::Type;

// INFO field -> the metric prometheus-redis-exporter (Debian's 1.45) makes of it, in INFO order.
struct FieldMetric {
  std::string_view section;
  std::string_view field;
  std::string_view metric;
  Type type;
  std::string_view help;
  double scale = 1;  // e.g. microseconds -> seconds
};

constexpr FieldMetric kFieldMetrics[] = {
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

// The label `db` as the exporter writes it: "db0".
std::string DbLabel(int index) { return "db" + std::to_string(index); }

void WriteFieldMetrics(const ServerInfo& info, PrometheusWriter& out) {
  for (const FieldMetric& spec : kFieldMetrics) {
    const InfoField* field = info.Find(spec.section, spec.field);
    if (field == nullptr || !field->numeric) continue;  // e.g. aof_* sizes while the log is off
    out.Single(spec.metric, spec.type, spec.help, field->number * spec.scale);
  }
}

void WriteInstanceInfo(const ServerInfo& info, int64_t now_s, PrometheusWriter& out) {
  auto text = [&](std::string_view section, std::string_view name) -> std::string_view {
    const InfoField* field = info.Find(section, name);
    return field ? std::string_view(field->text) : std::string_view();
  };
  out.Family("redis_instance_info", Type::kGauge, "Information about the Redis instance");
  out.Sample("redis_instance_info",
             {{"role", text("replication", "role")},
              {"redis_version", text("server", "redis_version")},
              {"redis_build_id", ""},
              {"redis_mode", text("server", "redis_mode")},
              {"os", text("server", "os")},
              {"maxmemory_policy", text("memory", "maxmemory_policy")},
              {"tcp_port", text("server", "tcp_port")},
              {"run_id", text("server", "run_id")},
              {"process_id", text("server", "process_id")},
              {"drayman_version", text("server", "drayman_version")}},
             1);
  if (const InfoField* uptime = info.Find("server", "uptime_in_seconds")) {
    out.Single("redis_start_time_seconds", Type::kGauge, "Start time of the server (Unix time)",
               static_cast<double>(now_s) - uptime->number);
  }
}

void WriteCommandStats(const ServerInfo& info, PrometheusWriter& out) {
  const InfoSectionData* section = info.section("commandstats");
  if (section == nullptr) return;
  struct Family {
    std::string_view metric;
    std::string_view part;
    std::string_view help;
    double scale;
  };
  static constexpr Family kFamilies[] = {
      {"redis_commands_total", "calls", "Total number of calls per command", 1},
      {"redis_commands_duration_seconds_total", "usec",
       "Total amount of time in seconds spent per command", 1e-6},
      {"redis_commands_rejected_calls_total", "rejected_calls",
       "Calls refused before they ran (arity, ACL, OOM, ...) per command", 1},
      {"redis_commands_failed_calls_total", "failed_calls",
       "Calls that ran and replied with an error per command", 1},
  };
  for (const Family& family : kFamilies) {
    out.Family(family.metric, Type::kCounter, family.help);
    for (const InfoField& field : section->fields) {
      const std::string_view cmd = field.name().substr(sizeof("cmdstat_") - 1);
      out.Sample(family.metric, {{"cmd", cmd}}, field.Part(family.part) * family.scale);
    }
  }
}

void WriteErrorStats(const ServerInfo& info, PrometheusWriter& out) {
  const InfoSectionData* section = info.section("errorstats");
  if (section == nullptr || section->fields.empty()) return;
  out.Family("redis_errors_total", Type::kCounter, "Error replies by error prefix");
  for (const InfoField& field : section->fields) {
    const std::string_view code = field.name().substr(sizeof("errorstat_") - 1);
    out.Sample("redis_errors_total", {{"err", code}}, field.Part("count"));
  }
}

// As the exporter does: keys and expiring keys for every database (0 when INFO omits an empty
// one), the average TTL for those INFO lists.
void WriteKeyspace(const ServerInfo& info, int databases, PrometheusWriter& out) {
  const InfoSectionData* section = info.section("keyspace");
  if (section == nullptr) return;
  std::vector<const InfoField*> by_db(static_cast<size_t>(databases), nullptr);
  for (const InfoField& field : section->fields) {
    const int index = std::stoi(std::string(field.name().substr(2)));
    if (index >= 0 && index < databases) by_db[static_cast<size_t>(index)] = &field;
  }
  out.Family("redis_db_keys", Type::kGauge, "Total number of keys by DB");
  for (int i = 0; i < databases; ++i) {
    const InfoField* field = by_db[static_cast<size_t>(i)];
    out.Sample("redis_db_keys", {{"db", DbLabel(i)}}, field ? field->Part("keys") : 0);
  }
  out.Family("redis_db_keys_expiring", Type::kGauge, "Total number of expiring keys by DB");
  for (int i = 0; i < databases; ++i) {
    const InfoField* field = by_db[static_cast<size_t>(i)];
    out.Sample("redis_db_keys_expiring", {{"db", DbLabel(i)}}, field ? field->Part("expires") : 0);
  }
  out.Family("redis_db_avg_ttl_seconds", Type::kGauge, "Avg TTL in seconds");
  for (int i = 0; i < databases; ++i) {
    if (const InfoField* field = by_db[static_cast<size_t>(i)]) {
      out.Sample("redis_db_avg_ttl_seconds", {{"db", DbLabel(i)}}, field->Part("avg_ttl") / 1000);
    }
  }
}

// What the exporter reads from SLOWLOG and CONFIG GET rather than INFO.
void WriteSlowlogAndConfig(Engine& engine, PrometheusWriter& out) {
  const std::deque<SlowLogEntry>& slowlog = engine.slowlog().entries();  // newest first
  out.Single("redis_slowlog_length", Type::kGauge, "Entries in the slow log",
             static_cast<double>(slowlog.size()));
  out.Single("redis_slowlog_last_id", Type::kGauge, "Id of the newest slow log entry",
             slowlog.empty() ? 0 : static_cast<double>(slowlog.front().id));
  out.Single("redis_last_slow_execution_duration_seconds", Type::kGauge,
             "Duration of the newest slow log entry",
             slowlog.empty() ? 0 : static_cast<double>(slowlog.front().duration_us) / 1e6);
  const Settings& settings = engine.settings();
  out.Single("redis_config_maxclients", Type::kGauge, "maxclients",
             static_cast<double>(settings.maxclients));
  out.Single("redis_config_maxmemory", Type::kGauge, "maxmemory",
             static_cast<double>(settings.maxmemory));
  out.Single("redis_config_io_threads", Type::kGauge, "io-threads (Drayman has one loop)", 1);
}

}  // namespace

void WriteDraymanMetrics(Engine& engine, PrometheusWriter& out) {
  const DisconnectionCounts& disconnections = engine.stats().disconnections;
  out.Family("drayman_disconnections_total", Type::kCounter,
             "Client connections closed, by cause (peer_closed: the client or its network)");
  for (size_t i = static_cast<size_t>(DisconnectCause::kPeerClosed);
       i < static_cast<size_t>(DisconnectCause::kCount); ++i) {
    const auto cause = static_cast<DisconnectCause>(i);
    out.Sample("drayman_disconnections_total", {{"cause", DisconnectCauseName(cause)}},
               static_cast<double>(disconnections.count(cause)));
  }
  const PubSub& pubsub = engine.pubsub();
  out.Single("drayman_pubsub_messages_published_total", Type::kCounter,
             "PUBLISH and SPUBLISH calls", static_cast<double>(pubsub.messages_published()));
  out.Single("drayman_pubsub_messages_unreceived_total", Type::kCounter,
             "Messages published to a channel no client was subscribed to (lost)",
             static_cast<double>(pubsub.messages_unreceived()));
}

void WriteRedisMetrics(Engine& engine, PrometheusWriter& out) {
  const int64_t now_ms = engine.clock().NowMs();
  // Only the sections read below: INFO ALL's latencystats (percentiles of every command's
  // histogram) and modules would cost a scrape without giving a metric.
  static const std::set<std::string> kSections = {
      "server", "clients",      "memory",     "persistence", "stats",   "replication",
      "cpu",    "commandstats", "errorstats", "cluster",     "keyspace"};
  const ServerInfo info = ServerInfo::Collect(engine, now_ms, kSections);
  out.Single("redis_up", Type::kGauge, "Information about the Redis instance", 1);
  WriteInstanceInfo(info, now_ms / 1000, out);
  WriteFieldMetrics(info, out);
  WriteCommandStats(info, out);
  WriteErrorStats(info, out);
  WriteKeyspace(info, engine.keyspace().database_count(), out);
  WriteSlowlogAndConfig(engine, out);
}

}  // namespace drayman
