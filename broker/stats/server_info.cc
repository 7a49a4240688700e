#include "broker/stats/server_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <vector>

#include "broker/engine.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/background_save.h"
#include "broker/persistence/rdb_blobs.h"
#include "broker/stats/memory_overhead.h"

namespace drayman {

namespace {

// "%.2f"/"%.3f" as printf prints them (std::to_chars with a precision is specified to), without
// printf's machinery.
char* WriteFixed(char* out, char* end, double value, int precision) {
  return std::to_chars(out, end, value, std::chars_format::fixed, precision).ptr;
}

// Builds one section's fields and hands each to the sink as a typed value: the text and the
// number are both made from that value (InfoValue), so INFO and /metrics cannot disagree.
class SectionBuilder {
 public:
  using Kind = InfoValue::Kind;
  explicit SectionBuilder(InfoSink& sink) : sink_(sink) {}

  void Int(std::string_view name, int64_t value) {
    InfoValue field;
    field.integer = value;
    sink_.Field(name, field);
  }
  void Uint(std::string_view name, uint64_t value) {
    InfoValue field;
    field.kind = Kind::kUint;
    field.unsigned_integer = value;
    sink_.Field(name, field);
  }
  // "%.2f" followed by `suffix` ("%" for percentages); the number is the value itself.
  void Fixed2(std::string_view name, double value, std::string_view suffix = "") {
    InfoValue field;
    field.kind = Kind::kFixed2;
    field.real = value;
    field.text = suffix;
    sink_.Field(name, field);
  }
  // "ok"/"err": the number is 1 for ok, as prometheus-redis-exporter reads it.
  void Status(std::string_view name, bool ok) {
    InfoValue field;
    field.kind = Kind::kStatus;
    field.integer = ok ? 1 : 0;
    sink_.Field(name, field);
  }
  // A value that is text ("standalone", "0.00", "-1"); numeric when all of it reads as a number.
  void Text(std::string_view name, std::string_view text) {
    InfoValue field;
    field.kind = Kind::kText;
    field.text = text;
    sink_.Field(name, field);
  }
  // Redis's bytesToHuman text of `bytes` ("1.50M"), formatted only by readers that print it.
  void Human(std::string_view name, uint64_t bytes) {
    InfoValue field;
    field.kind = Kind::kHumanBytes;
    field.unsigned_integer = bytes;
    sink_.Field(name, field);
  }
  // CPU seconds from microseconds: "1.500000".
  void CpuSeconds(std::string_view name, int64_t micros) {
    InfoValue field;
    field.kind = Kind::kCpuMicros;
    field.integer = micros;
    sink_.Field(name, field);
  }
  // A field whose name is built at run time and whose value is "key=value,..." (cmdstat_get).
  void Composite(std::string_view prefix, std::string_view name,
                 std::initializer_list<InfoPart> parts) {
    sink_.Composite(prefix, name, parts.begin(), parts.size());
  }
  void Composite(std::string_view prefix, std::string_view name,
                 const std::vector<InfoPart>& parts) {
    sink_.Composite(prefix, name, parts.data(), parts.size());
  }
  static InfoPart IntPart(std::string_view key, int64_t value) {
    InfoPart part{key, {}};
    part.value.integer = value;
    return part;
  }
  static InfoPart FixedPart(std::string_view key, double value, int precision) {
    InfoPart part{key, {}};
    part.value.kind = precision == 3 ? Kind::kFixed3 : Kind::kFixed2;
    part.value.real = value;
    return part;
  }

 private:
  InfoSink& sink_;
};

// Clients the network serves (the scripting engine's internal client is not one of them).
template <typename Fn>
void ForEachConnection(Engine& engine, Fn&& fn) {
  for (const auto& [id, client] : engine.clients()) {
    if (!client->is_script_client) fn(*client);
  }
}

// What the process cannot change while it runs, computed once.
struct ProcessFacts {
  std::string os;
  std::string executable;
};

const ProcessFacts& Facts() {
  static const ProcessFacts facts = [] {
    ProcessFacts result;
    struct utsname name {};
    if (uname(&name) == 0) {
      result.os = std::string(name.sysname) + " " + name.release + " " + name.machine;
    }
    char path[4096];
    const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (length > 0) result.executable.assign(path, static_cast<size_t>(length));
    return result;
  }();
  return facts;
}

// Redis prints a hash of its version and build facts; Drayman's is FNV-1a of its version and
// compiler, stable for one build.
const std::string& BuildId() {
  static const std::string id = [] {
    std::string facts = "drayman " + std::string(kDraymanVersion) + " " + __VERSION__;
    uint64_t hash = 14695981039346656037ULL;
    for (const char c : facts) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    char text[32];
    std::snprintf(text, sizeof(text), "%llx", static_cast<unsigned long long>(hash));
    return std::string(text);
  }();
  return id;
}

void InfoServer(Engine& engine, int64_t now_ms, SectionBuilder& out) {
  const Settings& settings = engine.settings();
  out.Text("redis_version", std::string(kRedisCompatVersion));
  out.Text("drayman_version", std::string(kDraymanVersion));
  out.Text("redis_git_sha1", "00000000");
  out.Text("redis_git_dirty", "0");
  out.Text("redis_build_id", BuildId());
  out.Text("redis_mode", "standalone");
  if (!Facts().os.empty()) out.Text("os", Facts().os);
  out.Int("arch_bits", static_cast<int64_t>(sizeof(void*) * 8));
  out.Text("monotonic_clock", "POSIX clock_gettime");
  out.Text("multiplexing_api", "epoll");
  out.Text("atomicvar_api", "c11-builtin");  // std::atomic, as Redis's C11 builtins
#if defined(__clang__)
  out.Text("gcc_version", "0.0.0");
#elif defined(__GNUC__)
  out.Text("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                              std::to_string(__GNUC_PATCHLEVEL__));
#endif
  out.Int("process_id", static_cast<int64_t>(getpid()));
  out.Text("process_supervised", "no");
  out.Text("run_id", engine.run_id);
  out.Int("tcp_port", settings.port != 0 ? settings.port : settings.tls_port);  // as Redis
  const int64_t uptime_s = (now_ms - engine.stats().start_time_ms) / 1000;
  out.Int("server_time_usec", engine.clock().NowUs());
  out.Int("uptime_in_seconds", uptime_s);
  out.Int("uptime_in_days", uptime_s / 86400);
  out.Int("hz", settings.hz);
  out.Int("configured_hz", settings.hz);
  out.Int("lru_clock", (now_ms / 1000) & ((1 << 24) - 1));
  out.Text("executable", engine.executable.empty() ? Facts().executable : engine.executable);
  out.Text("config_file", engine.config().config_file());
  out.Text("io_threads_active", "0");
}

void InfoClients(Engine& engine, SectionBuilder& out) {
  int64_t connected = 0;
  uint64_t max_input = 0, max_output = 0;
  ForEachConnection(engine, [&](Client& client) {
    ++connected;
    max_input = std::max<uint64_t>(max_input, client.parser().buffered_bytes());
    max_output = std::max<uint64_t>(max_output, client.output().size());
  });
  out.Int("connected_clients", connected);
  out.Text("cluster_connections", "0");
  out.Int("maxclients", engine.settings().maxclients);
  out.Uint("client_recent_max_input_buffer", max_input);
  out.Uint("client_recent_max_output_buffer", max_output);
  // Clients held by CLIENT PAUSE count as blocked, as in Redis 7.0 (BLOCKED_POSTPONE).
  out.Int("blocked_clients", static_cast<int64_t>(engine.blocked_clients().blocked_count() +
                                                  engine.client_pause().held_count()));
  out.Uint("tracking_clients", engine.tracking().tracking_clients());
  out.Int("clients_in_timeout_table",
          static_cast<int64_t>(engine.blocked_clients().timeout_count()));
}

void InfoMemory(Engine& engine, SectionBuilder& out) {
  // Redis 7.0.15's fields in its order, from the same figures MEMORY STATS reports.
  const MemoryOverhead mh = MemoryOverhead::Collect(engine);
  const uint64_t used = mh.total_allocated;
  const uint64_t rss = mh.process_rss;
  const uint64_t system = TotalSystemMemoryBytes();
  out.Uint("used_memory", used);
  out.Human("used_memory_human", used);
  out.Uint("used_memory_rss", rss);
  out.Human("used_memory_rss_human", rss);
  out.Uint("used_memory_peak", mh.peak_allocated);
  out.Human("used_memory_peak_human", mh.peak_allocated);
  out.Fixed2("used_memory_peak_perc", mh.peak_perc, "%");
  out.Uint("used_memory_overhead", mh.overhead_total);
  out.Uint("used_memory_startup", mh.startup_allocated);
  out.Uint("used_memory_dataset", mh.dataset);
  out.Fixed2("used_memory_dataset_perc", mh.dataset_perc, "%");
  out.Uint("allocator_allocated", mh.allocator_allocated);
  out.Uint("allocator_active", mh.allocator_active);
  out.Uint("allocator_resident", mh.allocator_resident);
  out.Uint("total_system_memory", system);
  out.Human("total_system_memory_human", system);
  // EVAL's Lua state and script cache, the functions' state and libraries.
  out.Uint("used_memory_lua", mh.lua_vm_eval);
  out.Uint("used_memory_vm_eval", mh.lua_vm_eval);
  out.Human("used_memory_lua_human", mh.lua_vm_eval);
  out.Uint("used_memory_scripts_eval", mh.lua_caches);
  out.Uint("number_of_cached_scripts", mh.cached_scripts);
  out.Uint("number_of_functions", mh.functions);
  out.Uint("number_of_libraries", mh.libraries);
  out.Uint("used_memory_vm_functions", mh.lua_vm_functions);
  out.Uint("used_memory_vm_total", mh.lua_vm_eval + mh.lua_vm_functions);
  out.Human("used_memory_vm_total_human", mh.lua_vm_eval + mh.lua_vm_functions);
  out.Uint("used_memory_functions", mh.functions_caches);
  out.Uint("used_memory_scripts", mh.lua_caches + mh.functions_caches);
  out.Human("used_memory_scripts_human", mh.lua_caches + mh.functions_caches);
  const Settings& settings = engine.settings();
  const auto maxmemory = static_cast<uint64_t>(settings.maxmemory);
  out.Uint("maxmemory", maxmemory);
  out.Human("maxmemory_human", maxmemory);
  out.Text("maxmemory_policy", settings.maxmemory_policy);
  out.Fixed2("allocator_frag_ratio", mh.allocator_frag);
  out.Int("allocator_frag_bytes", mh.allocator_frag_bytes);
  out.Fixed2("allocator_rss_ratio", mh.allocator_rss);
  out.Int("allocator_rss_bytes", mh.allocator_rss_bytes);
  out.Fixed2("rss_overhead_ratio", mh.rss_extra);
  out.Int("rss_overhead_bytes", mh.rss_extra_bytes);
  out.Fixed2("mem_fragmentation_ratio", used ? mh.total_frag : 0);
  out.Int("mem_fragmentation_bytes", mh.total_frag_bytes);
  out.Text("mem_not_counted_for_evict", "0");
  out.Uint("mem_replication_backlog", mh.repl_backlog);
  out.Text("mem_total_replication_buffers", "0");
  out.Uint("mem_clients_slaves", mh.clients_slaves);
  out.Uint("mem_clients_normal", mh.clients_normal);
  out.Uint("mem_cluster_links", mh.cluster_links);
  out.Uint("mem_aof_buffer", mh.aof_buffer);
  out.Text("mem_allocator", "libc");
  // No active defrag, and values are freed on the loop (nothing pending, nothing freed lazily).
  out.Text("active_defrag_running", "0");
  out.Text("lazyfree_pending_objects", "0");
  out.Text("lazyfreed_objects", "0");
}

void InfoPersistence(Engine& engine, int64_t now_ms, SectionBuilder& out) {
  // Redis 7.0.15's fields in its order. Drayman never forks, so the fork figures are zero; RDB
  // and AOF figures are real.
  const EngineStats& stats = engine.stats();
  const PersistenceStatus& status = engine.persistence();
  out.Text("loading", status.loading ? "1" : "0");
  out.Text("async_loading", "0");
  // A BGSAVE forks nothing: the copy-on-write figures stay 0; its analogue, the bytes encoded
  // early because writes reached keys before the walk, is rdb_last_cow_size.
  const BackgroundSave* save = engine.background_save();
  out.Text("current_cow_peak", "0");
  out.Text("current_cow_size", "0");
  out.Text("current_cow_size_age", "0");
  out.Text("current_fork_perc", "0.00");
  out.Uint("current_save_keys_processed", save ? save->keys_saved() : 0);
  out.Uint("current_save_keys_total", save ? engine.keyspace().TotalKeys() : 0);
  out.Uint("rdb_changes_since_last_save", stats.dirty);
  out.Text("rdb_bgsave_in_progress", save ? "1" : "0");
  out.Int("rdb_last_save_time", stats.last_save_time_s);
  out.Status("rdb_last_bgsave_status", stats.rdb_last_bgsave_ok);
  out.Int("rdb_last_bgsave_time_sec", stats.rdb_last_bgsave_time_sec);
  out.Int("rdb_current_bgsave_time_sec",
          save ? (engine.clock().NowMs() - save->started_ms()) / 1000 : int64_t{-1});
  out.Uint("rdb_saves", stats.rdb_saves);
  out.Uint("rdb_last_cow_size", stats.rdb_last_cow_size);
  out.Uint("rdb_last_load_keys_expired", stats.rdb_last_load_keys_expired);
  out.Uint("rdb_last_load_keys_loaded", stats.rdb_last_load_keys_loaded);
  out.Text("aof_enabled", status.aof_enabled ? "1" : "0");
  const BackgroundRewrite* rewrite = engine.aof_rewrite();
  out.Int("aof_rewrite_in_progress", rewrite ? 1 : 0);
  out.Int("aof_rewrite_scheduled", status.aof_rewrite_scheduled ? 1 : 0);
  out.Int("aof_last_rewrite_time_sec", status.aof_rewrite_time_last_s);
  out.Int("aof_current_rewrite_time_sec",
          rewrite ? (engine.clock().NowMs() - rewrite->started_ms()) / 1000 : int64_t{-1});
  out.Status("aof_last_bgrewrite_status", status.aof_last_bgrewrite_ok);
  out.Int("aof_rewrites", status.aof_rewrites);
  out.Int("aof_rewrites_consecutive_failures", status.aof_rewrites_consecutive_failures);
  out.Status("aof_last_write_status", status.aof_last_write_ok);
  // Like rdb_last_cow_size: the bytes the last rewrite encoded early because writes came first.
  out.Uint("aof_last_cow_size", status.aof_last_cow_size);
  out.Text("module_fork_in_progress", "0");
  out.Text("module_fork_last_cow_size", "0");
  if (status.aof_enabled) {
    out.Uint("aof_current_size", status.aof_current_size);
    out.Uint("aof_base_size", status.aof_base_size);
    out.Int("aof_pending_rewrite", status.aof_rewrite_scheduled ? 1 : 0);
    out.Uint("aof_buffer_length", status.aof_buffer_length);
    out.Uint("aof_pending_bio_fsync", status.aof_pending_bio_fsync);
    out.Uint("aof_delayed_fsync", status.aof_delayed_fsync);
  }
  if (status.loading) {
    // Redis's loading figures, last in the section as in Redis (rdb_used_mem is not known for
    // a log; 0 as Redis reports for AOF).
    const int64_t now_s = now_ms / 1000;
    const double fraction = status.loading_total_bytes
                                ? static_cast<double>(status.loading_loaded_bytes) /
                                      static_cast<double>(status.loading_total_bytes)
                                : 0;
    const int64_t elapsed = now_s - status.loading_start_time_s;
    out.Int("loading_start_time", status.loading_start_time_s);
    out.Uint("loading_total_bytes", status.loading_total_bytes);
    out.Text("loading_rdb_used_mem", "0");
    out.Uint("loading_loaded_bytes", status.loading_loaded_bytes);
    out.Fixed2("loading_loaded_perc", fraction * 100, "%");
    out.Int("loading_eta_seconds",
            fraction > 0 ? static_cast<int64_t>(elapsed * (1 - fraction) / fraction) : 1);
  }
}

void InfoStats(Engine& engine, SectionBuilder& out) {
  // Redis 7.0.15's fields in its order. Zeros are events Drayman never has: replication (no
  // replicas, no master), fork, MIGRATE's cached sockets, active defrag, I/O threads.
  const EngineStats& stats = engine.stats();
  const Keyspace& keyspace = engine.keyspace();
  const PubSub& pubsub = engine.pubsub();
  out.Uint("total_connections_received", stats.total_connections_received);
  out.Uint("total_commands_processed", stats.total_commands_processed);
  out.Int("instantaneous_ops_per_sec", static_cast<int64_t>(stats.ops_rate.Average()));
  out.Uint("total_net_input_bytes", stats.total_net_input_bytes);
  out.Uint("total_net_output_bytes", stats.total_net_output_bytes);
  out.Text("total_net_repl_input_bytes", "0");
  out.Text("total_net_repl_output_bytes", "0");
  out.Fixed2("instantaneous_input_kbps", stats.input_rate.Average() / 1024);
  out.Fixed2("instantaneous_output_kbps", stats.output_rate.Average() / 1024);
  out.Text("instantaneous_input_repl_kbps", "0.00");
  out.Text("instantaneous_output_repl_kbps", "0.00");
  out.Uint("rejected_connections", stats.rejected_connections);
  out.Text("sync_full", "0");
  out.Text("sync_partial_ok", "0");
  out.Text("sync_partial_err", "0");
  out.Uint("expired_keys", keyspace.expired_keys);
  out.Fixed2("expired_stale_perc", stats.expired_stale_perc * 100);
  out.Uint("expired_time_cap_reached_count", stats.expired_time_cap_reached_count);
  out.Uint("expire_cycle_cpu_milliseconds", stats.expire_cycle_time_used_us / 1000);
  out.Uint("evicted_keys", stats.evicted_keys);
  out.Uint("evicted_clients", stats.evicted_clients);
  out.Int("total_eviction_exceeded_time",
          static_cast<int64_t>(engine.evictor().exceeded_total_ms()));
  out.Int("current_eviction_exceeded_time",
          static_cast<int64_t>(engine.evictor().exceeded_current_ms()));
  out.Uint("keyspace_hits", keyspace.keyspace_hits);
  out.Uint("keyspace_misses", keyspace.keyspace_misses);
  out.Int("pubsub_channels", static_cast<int64_t>(pubsub.channel_count()));
  out.Int("pubsub_patterns", static_cast<int64_t>(pubsub.pattern_count()));
  out.Int("pubsubshard_channels", static_cast<int64_t>(pubsub.shard_channel_count()));
  const Tracking& tracking = engine.tracking();
  out.Text("latest_fork_usec", "0");
  out.Text("total_forks", "0");
  out.Text("migrate_cached_sockets", "0");
  out.Text("slave_expires_tracked_keys", "0");
  out.Text("active_defrag_hits", "0");
  out.Text("active_defrag_misses", "0");
  out.Text("active_defrag_key_hits", "0");
  out.Text("active_defrag_key_misses", "0");
  out.Text("total_active_defrag_time", "0");
  out.Text("current_active_defrag_time", "0");
  out.Uint("tracking_total_keys", tracking.total_keys());
  out.Uint("tracking_total_items", tracking.total_items());
  out.Uint("tracking_total_prefixes", tracking.total_prefixes());
  out.Uint("unexpected_error_replies", stats.unexpected_error_replies);
  out.Uint("total_error_replies", stats.total_error_replies);
  out.Uint("dump_payload_sanitizations", rdb::DumpPayloadSanitizations());
  out.Uint("total_reads_processed", stats.total_reads_processed);
  out.Uint("total_writes_processed", stats.total_writes_processed);
  out.Text("io_threaded_reads_processed", "0");
  out.Text("io_threaded_writes_processed", "0");
  out.Uint("reply_buffer_shrinks", stats.reply_buffer_shrinks);
  out.Uint("reply_buffer_expands", stats.reply_buffer_expands);
}

void InfoReplication(Engine& engine, SectionBuilder& out) {
  out.Text("role", engine.process_role);
  out.Text("connected_slaves", "0");
  out.Text("master_failover_state", "no-failover");
  out.Text("master_replid", engine.run_id);
  out.Text("master_replid2", std::string(40, '0'));
  out.Text("master_repl_offset", "0");
  out.Text("second_repl_offset", "-1");
  out.Text("repl_backlog_active", "0");
  out.Text("repl_backlog_size", "1048576");
  out.Text("repl_backlog_first_byte_offset", "0");
  out.Text("repl_backlog_histlen", "0");
}

void InfoCpu(SectionBuilder& out) {
  const CpuTimes self = ProcessCpuTimes();
  const CpuTimes children = ChildrenCpuTimes();
  const CpuTimes loop = ThreadCpuTimes();  // collected on the engine's loop thread
  out.CpuSeconds("used_cpu_sys", self.sys_us);
  out.CpuSeconds("used_cpu_user", self.user_us);
  out.CpuSeconds("used_cpu_sys_children", children.sys_us);
  out.CpuSeconds("used_cpu_user_children", children.user_us);
  out.CpuSeconds("used_cpu_sys_main_thread", loop.sys_us);
  out.CpuSeconds("used_cpu_user_main_thread", loop.user_us);
}

void InfoCommandStats(Engine& engine, SectionBuilder& out) {
  using B = SectionBuilder;
  for (const CommandSpec* spec : engine.commands().AllWithSubcommands()) {
    const CommandStats& stats = spec->stats;
    if (stats.calls == 0 && stats.failed_calls == 0 && stats.rejected_calls == 0) continue;
    out.Composite(
        "cmdstat_", spec->full_name,
        {B::IntPart("calls", static_cast<int64_t>(stats.calls)),
         B::IntPart("usec", static_cast<int64_t>(stats.usec)),
         B::FixedPart(
             "usec_per_call",
             stats.calls ? static_cast<double>(stats.usec) / static_cast<double>(stats.calls) : 0,
             2),
         B::IntPart("rejected_calls", static_cast<int64_t>(stats.rejected_calls)),
         B::IntPart("failed_calls", static_cast<int64_t>(stats.failed_calls))});
  }
}

void InfoErrorStats(Engine& engine, SectionBuilder& out) {
  for (const auto& [code, count] : engine.stats().error_counts) {
    out.Composite("errorstat_", code,
                  {SectionBuilder::IntPart("count", static_cast<int64_t>(count))});
  }
}

// Redis's "%f" with trailing zeros (and a bare point) trimmed: 50, 99.9.
std::string PercentileName(double percentile) {
  char text[64];
  std::snprintf(text, sizeof(text), "%f", percentile);
  std::string printed = text;
  while (!printed.empty() && printed.back() == '0') printed.pop_back();
  if (!printed.empty() && printed.back() == '.') printed.pop_back();
  return printed;
}

void InfoLatencyStats(Engine& engine, SectionBuilder& out) {
  if (!engine.settings().latency_tracking) return;
  const std::vector<double>& percentiles = engine.settings().latency_tracking_info_percentiles;
  std::vector<std::string> keys;  // "p50", "p99.9": the parts' names
  for (const double percentile : percentiles) keys.push_back("p" + PercentileName(percentile));
  std::vector<InfoPart> parts;
  for (const CommandSpec* spec : engine.commands().AllWithSubcommands()) {
    if (!spec->stats.latency) continue;
    parts.clear();
    for (size_t i = 0; i < percentiles.size(); ++i) {
      // Redis prints hdr_value_at_percentile / 1000 with "%.3f".
      const double usec =
          static_cast<double>(spec->stats.latency->ValueAtPercentile(percentiles[i])) / 1000.0;
      parts.push_back(SectionBuilder::FixedPart(keys[i], usec, 3));
    }
    out.Composite("latency_percentiles_usec_", spec->full_name, parts);
  }
}

void InfoKeyspace(Engine& engine, SectionBuilder& out) {
  Keyspace& keyspace = engine.keyspace();
  for (int i = 0; i < keyspace.database_count(); ++i) {
    Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    char number[16];
    const std::string_view index(number, std::to_chars(number, number + sizeof(number), i).ptr);
    out.Composite("db", index,
                  {SectionBuilder::IntPart("keys", static_cast<int64_t>(db.size())),
                   SectionBuilder::IntPart("expires", static_cast<int64_t>(db.expires_count())),
                   SectionBuilder::IntPart("avg_ttl", static_cast<int64_t>(db.AverageTtlMs()))});
  }
}

struct SectionSpec {
  std::string_view name;
  std::string_view title;
  bool in_default;
  void (*collect)(Engine& engine, int64_t now_ms, SectionBuilder& out);
};
constexpr SectionSpec kSections[] = {
    {"server", "Server", true, InfoServer},
    {"clients", "Clients", true,
     [](Engine& e, int64_t, SectionBuilder& out) { InfoClients(e, out); }},
    {"memory", "Memory", true,
     [](Engine& e, int64_t, SectionBuilder& out) { InfoMemory(e, out); }},
    {"persistence", "Persistence", true, InfoPersistence},
    {"stats", "Stats", true, [](Engine& e, int64_t, SectionBuilder& out) { InfoStats(e, out); }},
    {"replication", "Replication", true,
     [](Engine& e, int64_t, SectionBuilder& out) { InfoReplication(e, out); }},
    {"cpu", "CPU", true, [](Engine&, int64_t, SectionBuilder& out) { InfoCpu(out); }},
    {"modules", "Modules", true, [](Engine&, int64_t, SectionBuilder&) {}},
    {"commandstats", "Commandstats", false,
     [](Engine& e, int64_t, SectionBuilder& out) { InfoCommandStats(e, out); }},
    {"errorstats", "Errorstats", true,
     [](Engine& e, int64_t, SectionBuilder& out) { InfoErrorStats(e, out); }},
    {"latencystats", "Latencystats", false,
     [](Engine& e, int64_t, SectionBuilder& out) { InfoLatencyStats(e, out); }},
    {"cluster", "Cluster", true,
     [](Engine&, int64_t, SectionBuilder& out) { out.Text("cluster_enabled", "0"); }},
    {"keyspace", "Keyspace", true,
     [](Engine& e, int64_t, SectionBuilder& out) { InfoKeyspace(e, out); }},
};
static_assert(std::size(kSections) <= sizeof(InfoSectionSet) * 8);

// INFO's text, appended as the fields come.
class TextSink final : public InfoSink {
 public:
  explicit TextSink(std::string& out) : out_(out) {}
  void Section(std::string_view, std::string_view title) override {
    if (!first_) out_.append("\r\n");
    first_ = false;
    out_.append("# ");
    out_.append(title);
    out_.append("\r\n");
  }
  void Field(std::string_view name, const InfoValue& value) override {
    out_.append(name);
    out_.push_back(':');
    value.AppendText(out_);
    out_.append("\r\n");
  }
  void Composite(std::string_view prefix, std::string_view name, const InfoPart* parts,
                 size_t count) override {
    out_.append(prefix);
    out_.append(name);
    out_.push_back(':');
    for (size_t i = 0; i < count; ++i) {
      if (i) out_.push_back(',');
      out_.append(parts[i].key);
      out_.push_back('=');
      parts[i].value.AppendText(out_);
    }
    out_.append("\r\n");
  }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

bool InfoValue::Number(double* out) const {
  switch (kind) {
    case Kind::kInt:
    case Kind::kStatus:
      *out = static_cast<double>(integer);
      return true;
    case Kind::kUint:
      *out = static_cast<double>(unsigned_integer);
      return true;
    case Kind::kFixed2:
    case Kind::kFixed3:
      *out = real;
      return true;
    case Kind::kCpuMicros:
      // The double nearest the printed decimal, as reading the text back gives.
      *out = static_cast<double>(integer) / 1e6;
      return true;
    case Kind::kText: {
      if (text.empty()) return false;
      double number = 0;
      auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc() || ptr != text.data() + text.size()) return false;
      *out = number;
      return true;
    }
    case Kind::kHumanBytes:
      return false;
  }
  return false;
}

void InfoValue::AppendText(std::string& out) const {
  char buffer[64];
  char* const end = buffer + sizeof(buffer);
  switch (kind) {
    case Kind::kInt:
      out.append(buffer, std::to_chars(buffer, end, integer).ptr);
      return;
    case Kind::kUint:
      out.append(buffer, std::to_chars(buffer, end, unsigned_integer).ptr);
      return;
    case Kind::kFixed2:
      out.append(buffer, WriteFixed(buffer, end, real, 2));
      out.append(text);
      return;
    case Kind::kFixed3:
      out.append(buffer, WriteFixed(buffer, end, real, 3));
      return;
    case Kind::kStatus:
      out.append(integer ? "ok" : "err");
      return;
    case Kind::kText:
      out.append(text);
      return;
    case Kind::kHumanBytes:
      out.append(BytesToHuman(unsigned_integer));
      return;
    case Kind::kCpuMicros: {
      if (integer < 0) {  // never from getrusage; printf's own text for it
        out.append(FormatCpuSeconds(integer));
        return;
      }
      // "%lld.%06lld" of the seconds and the microseconds.
      char* at = std::to_chars(buffer, end, integer / 1000000).ptr;
      *at++ = '.';
      const int64_t micros = integer % 1000000;
      for (int64_t scale = 100000; scale > 0; scale /= 10) {
        *at++ = static_cast<char>('0' + micros / scale % 10);
      }
      out.append(buffer, at);
      return;
    }
  }
}

// Keeps every field with its text and number (the ServerInfo object).
class ServerInfo::Recorder final : public InfoSink {
 public:
  explicit Recorder(ServerInfo& info) : info_(info) {}
  void Section(std::string_view name, std::string_view title) override {
    InfoSectionData& section = info_.sections_.emplace_back();
    section.name = name;
    section.title = title;
    section.fields.reserve(32);
  }
  void Field(std::string_view name, const InfoValue& value) override {
    InfoField& field = info_.sections_.back().fields.emplace_back();
    field.static_name = name;  // every plain field's name is a literal
    value.AppendText(field.text);
    double number = 0;
    field.numeric = value.Number(&number);
    field.number = field.numeric ? number : 0;
  }
  void Composite(std::string_view prefix, std::string_view name, const InfoPart* parts,
                 size_t count) override {
    InfoField& field = info_.sections_.back().fields.emplace_back();
    field.owned_name.reserve(prefix.size() + name.size());
    field.owned_name.append(prefix);
    field.owned_name.append(name);
    field.parts.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (i) field.text.push_back(',');
      field.text.append(parts[i].key);
      field.text.push_back('=');
      parts[i].value.AppendText(field.text);
      double number = 0;
      parts[i].value.Number(&number);
      field.parts.emplace_back(std::string(parts[i].key), number);
    }
  }

 private:
  ServerInfo& info_;
};

double InfoField::Part(std::string_view key) const {
  for (const auto& [part, value] : parts) {
    if (part == key) return value;
  }
  return 0;
}

const InfoField* InfoSectionData::Find(std::string_view field) const {
  for (const InfoField& candidate : fields) {
    if (candidate.name() == field) return &candidate;
  }
  return nullptr;
}

const std::vector<std::pair<std::string_view, bool>>& ServerInfo::Sections() {
  static const std::vector<std::pair<std::string_view, bool>> sections = [] {
    std::vector<std::pair<std::string_view, bool>> result;
    for (const SectionSpec& spec : kSections) result.emplace_back(spec.name, spec.in_default);
    return result;
  }();
  return sections;
}

std::set<std::string> ServerInfo::DefaultSections() {
  std::set<std::string> sections;
  for (const SectionSpec& spec : kSections) {
    if (spec.in_default) sections.insert(std::string(spec.name));
  }
  return sections;
}

std::set<std::string> ServerInfo::AllSections() {
  std::set<std::string> sections;
  for (const SectionSpec& spec : kSections) sections.insert(std::string(spec.name));
  return sections;
}

InfoSectionSet ServerInfo::SectionSet(const std::set<std::string>& names) {
  InfoSectionSet set = 0;
  for (size_t i = 0; i < std::size(kSections); ++i) {
    if (names.count(std::string(kSections[i].name))) set |= InfoSectionSet{1} << i;
  }
  return set;
}

InfoSectionSet ServerInfo::SectionSet(std::initializer_list<std::string_view> names) {
  InfoSectionSet set = 0;
  for (size_t i = 0; i < std::size(kSections); ++i) {
    for (const std::string_view name : names) {
      if (name == kSections[i].name) set |= InfoSectionSet{1} << i;
    }
  }
  return set;
}

void ServerInfo::Collect(Engine& engine, int64_t now_ms, InfoSectionSet wanted, InfoSink& sink) {
  SectionBuilder out(sink);
  for (size_t i = 0; i < std::size(kSections); ++i) {
    if (!(wanted & (InfoSectionSet{1} << i))) continue;
    sink.Section(kSections[i].name, kSections[i].title);
    kSections[i].collect(engine, now_ms, out);
  }
}

std::string ServerInfo::CollectText(Engine& engine, int64_t now_ms, InfoSectionSet wanted) {
  std::string text;
  text.reserve(4096);
  TextSink sink(text);
  Collect(engine, now_ms, wanted, sink);
  return text;
}

ServerInfo ServerInfo::Collect(Engine& engine, int64_t now_ms,
                               const std::set<std::string>& wanted) {
  ServerInfo info;
  info.sections_.reserve(std::size(kSections));
  Recorder sink(info);
  Collect(engine, now_ms, SectionSet(wanted), sink);
  return info;
}

const InfoSectionData* ServerInfo::section(std::string_view name) const {
  for (const InfoSectionData& section : sections_) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

const InfoField* ServerInfo::Find(std::string_view section_name, std::string_view field) const {
  const InfoSectionData* found = section(section_name);
  return found ? found->Find(field) : nullptr;
}

std::string ServerInfo::Text() const {
  std::string text;
  text.reserve(4096);
  bool first = true;
  for (const InfoSectionData& section : sections_) {
    if (!first) text.append("\r\n");
    first = false;
    text.append("# ");
    text.append(section.title);
    text.append("\r\n");
    for (const InfoField& field : section.fields) {
      text.append(field.name());
      text.push_back(':');
      text.append(field.text);
      text.append("\r\n");
    }
  }
  return text;
}

}  // namespace drayman
