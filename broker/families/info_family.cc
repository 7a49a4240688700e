// Info family: INFO and its sections.
//
// INFO reports what Drayman really has (memory from the allocator and /proc, CPU from getrusage,
// counters from the engine) under Redis's field names, so redis-cli --stat and clients that parse
// INFO work; fields for machinery Drayman lacks (replication) report the idle values Redis reports
// when that machinery is off. Section order and field names follow Debian's redis-server 7.0.15.

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/command/context.h"
#include "broker/command/numbers.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/keyspace/glob.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/background_save.h"

namespace drayman {

namespace {

// Sections in the order Redis prints them. "default" is what INFO without arguments shows.
struct InfoSection {
  std::string_view name;
  bool in_default;
};
constexpr InfoSection kInfoSections[] = {
    {"server", true},        {"clients", true},     {"memory", true},  {"persistence", true},
    {"stats", true},         {"replication", true}, {"cpu", true},     {"modules", true},
    {"commandstats", false}, {"errorstats", true},  {"cluster", true}, {"keyspace", true},
};

std::string FormatFixed2(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f", value);
  return text;
}

class InfoWriter {
 public:
  void Header(std::string_view title) {
    if (sections_++) text_.append("\r\n");
    text_.append("# ");
    text_.append(title);
    text_.append("\r\n");
  }
  void Field(std::string_view name, std::string_view value) {
    text_.append(name);
    text_.push_back(':');
    text_.append(value);
    text_.append("\r\n");
  }
  void Field(std::string_view name, int64_t value) { Field(name, std::to_string(value)); }
  void Field(std::string_view name, uint64_t value) { Field(name, std::to_string(value)); }
  void Field(std::string_view name, int value) { Field(name, std::to_string(value)); }
  std::string& text() { return text_; }

 private:
  std::string text_;
  int sections_ = 0;
};

// Clients the network serves (the scripting engine's internal client is not one of them).
template <typename Fn>
void ForEachConnection(Engine& engine, Fn&& fn) {
  for (const auto& [id, client] : engine.clients()) {
    if (!client->is_script_client) fn(*client);
  }
}

void InfoServer(CommandContext& ctx, InfoWriter& out) {
  Engine& engine = ctx.engine;
  const Settings& settings = engine.settings();
  out.Header("Server");
  out.Field("redis_version", kRedisCompatVersion);
  out.Field("drayman_version", kDraymanVersion);
  out.Field("redis_git_sha1", "00000000");
  out.Field("redis_git_dirty", "0");
  out.Field("redis_mode", "standalone");
  struct utsname name {};
  if (uname(&name) == 0) {
    out.Field("os", std::string(name.sysname) + " " + name.release + " " + name.machine);
  }
  out.Field("arch_bits", static_cast<int>(sizeof(void*) * 8));
  out.Field("monotonic_clock", "POSIX clock_gettime");
  out.Field("multiplexing_api", "epoll");
#if defined(__clang__)
  out.Field("gcc_version", "0.0.0");
#elif defined(__GNUC__)
  out.Field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                               std::to_string(__GNUC_PATCHLEVEL__));
#endif
  out.Field("process_id", static_cast<int64_t>(getpid()));
  out.Field("process_supervised", "no");
  out.Field("run_id", engine.run_id);
  out.Field("tcp_port", settings.port);
  const int64_t now_us = engine.clock().NowUs();
  const int64_t uptime_s = (ctx.now_ms - engine.stats().start_time_ms) / 1000;
  out.Field("server_time_usec", now_us);
  out.Field("uptime_in_seconds", uptime_s);
  out.Field("uptime_in_days", uptime_s / 86400);
  out.Field("hz", settings.hz);
  out.Field("configured_hz", settings.hz);
  out.Field("lru_clock", (ctx.now_ms / 1000) & ((1 << 24) - 1));
  std::string executable = engine.executable;
  if (executable.empty()) {
    char path[4096];
    ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (length > 0) executable.assign(path, static_cast<size_t>(length));
  }
  out.Field("executable", executable);
  out.Field("config_file", engine.config().config_file());
  out.Field("io_threads_active", "0");
}

void InfoClients(CommandContext& ctx, InfoWriter& out) {
  int64_t connected = 0;
  uint64_t max_input = 0, max_output = 0;
  ForEachConnection(ctx.engine, [&](Client& client) {
    ++connected;
    max_input = std::max<uint64_t>(max_input, client.parser().buffered_bytes());
    max_output = std::max<uint64_t>(max_output, client.output().size());
  });
  const auto blocked = static_cast<int64_t>(ctx.engine.blocked_clients().blocked_count());
  const auto blocked_with_timeout =
      static_cast<int64_t>(ctx.engine.blocked_clients().timeout_count());
  out.Header("Clients");
  out.Field("connected_clients", connected);
  out.Field("cluster_connections", "0");
  out.Field("maxclients", ctx.engine.settings().maxclients);
  out.Field("client_recent_max_input_buffer", max_input);
  out.Field("client_recent_max_output_buffer", max_output);
  out.Field("blocked_clients", blocked);
  out.Field("tracking_clients", "0");
  out.Field("clients_in_timeout_table", blocked_with_timeout);
}

void InfoMemory(CommandContext& ctx, InfoWriter& out) {
  EngineStats& stats = ctx.engine.stats();
  const uint64_t used = UsedMemoryBytes();
  const uint64_t rss = ResidentMemoryBytes();
  stats.used_memory_peak = std::max(stats.used_memory_peak, used);
  const uint64_t system = TotalSystemMemoryBytes();
  out.Header("Memory");
  out.Field("used_memory", used);
  out.Field("used_memory_human", BytesToHuman(used));
  out.Field("used_memory_rss", rss);
  out.Field("used_memory_rss_human", BytesToHuman(rss));
  out.Field("used_memory_peak", stats.used_memory_peak);
  out.Field("used_memory_peak_human", BytesToHuman(stats.used_memory_peak));
  out.Field("used_memory_peak_perc",
            FormatFixed2(stats.used_memory_peak ? 100.0 * static_cast<double>(used) /
                                                      static_cast<double>(stats.used_memory_peak)
                                                : 0) +
                "%");
  out.Field("used_memory_startup", stats.used_memory_startup);
  out.Field("total_system_memory", system);
  out.Field("total_system_memory_human", BytesToHuman(system));
  const Settings& settings = ctx.engine.settings();
  const auto maxmemory = static_cast<uint64_t>(settings.maxmemory);
  out.Field("maxmemory", maxmemory);
  out.Field("maxmemory_human", BytesToHuman(maxmemory));
  out.Field("maxmemory_policy", settings.maxmemory_policy);
  out.Field("mem_fragmentation_ratio",
            FormatFixed2(used ? static_cast<double>(rss) / static_cast<double>(used) : 0));
  out.Field("mem_not_counted_for_evict", "0");
  out.Field("mem_allocator", "libc");
}

void InfoPersistence(CommandContext& ctx, InfoWriter& out) {
  // Redis 7.0.15's fields in its order. Drayman never forks, so the fork figures are zero; RDB
  // and AOF figures are real.
  const EngineStats& stats = ctx.engine.stats();
  const PersistenceStatus& status = ctx.engine.persistence();
  out.Header("Persistence");
  out.Field("loading", status.loading ? "1" : "0");
  out.Field("async_loading", "0");
  // A BGSAVE forks nothing: the copy-on-write figures stay 0; its analogue, the bytes encoded
  // early because writes reached keys before the walk, is rdb_last_cow_size.
  const BackgroundSave* save = ctx.engine.background_save();
  out.Field("current_cow_peak", "0");
  out.Field("current_cow_size", "0");
  out.Field("current_cow_size_age", "0");
  out.Field("current_fork_perc", "0.00");
  out.Field("current_save_keys_processed", save ? save->keys_saved() : 0);
  out.Field("current_save_keys_total", save ? ctx.keyspace.TotalKeys() : 0);
  if (status.loading) {
    // Redis's loading figures (rdb_used_mem is not known for a log; 0 as Redis reports for AOF).
    const int64_t now_s = ctx.now_ms / 1000;
    const double fraction = status.loading_total_bytes
                                ? static_cast<double>(status.loading_loaded_bytes) /
                                      static_cast<double>(status.loading_total_bytes)
                                : 0;
    const int64_t elapsed = now_s - status.loading_start_time_s;
    out.Field("loading_start_time", status.loading_start_time_s);
    out.Field("loading_total_bytes", status.loading_total_bytes);
    out.Field("loading_rdb_used_mem", "0");
    out.Field("loading_loaded_bytes", status.loading_loaded_bytes);
    out.Field("loading_loaded_perc", FormatFixed2(fraction * 100) + "%");
    out.Field("loading_eta_seconds",
              fraction > 0 ? static_cast<int64_t>(elapsed * (1 - fraction) / fraction) : 1);
  }
  out.Field("rdb_changes_since_last_save", stats.dirty);
  out.Field("rdb_bgsave_in_progress", save ? "1" : "0");
  out.Field("rdb_last_save_time", stats.last_save_time_s);
  out.Field("rdb_last_bgsave_status", stats.rdb_last_bgsave_ok ? "ok" : "err");
  out.Field("rdb_last_bgsave_time_sec", stats.rdb_last_bgsave_time_sec);
  out.Field("rdb_current_bgsave_time_sec",
            save ? (ctx.engine.clock().NowMs() - save->started_ms()) / 1000 : int64_t{-1});
  out.Field("rdb_saves", stats.rdb_saves);
  out.Field("rdb_last_cow_size", stats.rdb_last_cow_size);
  out.Field("rdb_last_load_keys_expired", stats.rdb_last_load_keys_expired);
  out.Field("rdb_last_load_keys_loaded", stats.rdb_last_load_keys_loaded);
  out.Field("aof_enabled", status.aof_enabled ? "1" : "0");
  const BackgroundRewrite* rewrite = ctx.engine.aof_rewrite();
  out.Field("aof_rewrite_in_progress", rewrite ? "1" : "0");
  out.Field("aof_rewrite_scheduled", status.aof_rewrite_scheduled ? "1" : "0");
  out.Field("aof_last_rewrite_time_sec", status.aof_rewrite_time_last_s);
  out.Field("aof_current_rewrite_time_sec",
            rewrite ? (ctx.engine.clock().NowMs() - rewrite->started_ms()) / 1000 : int64_t{-1});
  out.Field("aof_last_bgrewrite_status", status.aof_last_bgrewrite_ok ? "ok" : "err");
  out.Field("aof_rewrites", status.aof_rewrites);
  out.Field("aof_rewrites_consecutive_failures", status.aof_rewrites_consecutive_failures);
  out.Field("aof_last_write_status", status.aof_last_write_ok ? "ok" : "err");
  // Like rdb_last_cow_size: the bytes the last rewrite encoded early because writes came first.
  out.Field("aof_last_cow_size", status.aof_last_cow_size);
  out.Field("module_fork_in_progress", "0");
  out.Field("module_fork_last_cow_size", "0");
  if (status.aof_enabled) {
    out.Field("aof_current_size", status.aof_current_size);
    out.Field("aof_base_size", status.aof_base_size);
    out.Field("aof_pending_rewrite", status.aof_rewrite_scheduled ? "1" : "0");
    out.Field("aof_buffer_length", status.aof_buffer_length);
    out.Field("aof_pending_bio_fsync", status.aof_pending_bio_fsync);
    out.Field("aof_delayed_fsync", status.aof_delayed_fsync);
  }
}

void InfoStats(CommandContext& ctx, InfoWriter& out) {
  const EngineStats& stats = ctx.engine.stats();
  const Keyspace& keyspace = ctx.keyspace;
  const PubSub& pubsub = ctx.engine.pubsub();
  const auto pubsub_channels = static_cast<int64_t>(pubsub.channel_count());
  const auto pubsub_patterns = static_cast<int64_t>(pubsub.pattern_count());
  const auto pubsubshard_channels = static_cast<int64_t>(pubsub.shard_channel_count());
  out.Header("Stats");
  out.Field("total_connections_received", stats.total_connections_received);
  out.Field("total_commands_processed", stats.total_commands_processed);
  out.Field("instantaneous_ops_per_sec", static_cast<int64_t>(stats.ops_rate.Average()));
  out.Field("total_net_input_bytes", stats.total_net_input_bytes);
  out.Field("total_net_output_bytes", stats.total_net_output_bytes);
  out.Field("instantaneous_input_kbps", FormatFixed2(stats.input_rate.Average() / 1024));
  out.Field("instantaneous_output_kbps", FormatFixed2(stats.output_rate.Average() / 1024));
  out.Field("rejected_connections", stats.rejected_connections);
  out.Field("expired_keys", keyspace.expired_keys);
  out.Field("evicted_keys", stats.evicted_keys);
  out.Field("evicted_clients", "0");
  out.Field("total_eviction_exceeded_time", ctx.engine.evictor().exceeded_total_ms());
  out.Field("current_eviction_exceeded_time", ctx.engine.evictor().exceeded_current_ms());
  out.Field("keyspace_hits", keyspace.keyspace_hits);
  out.Field("keyspace_misses", keyspace.keyspace_misses);
  out.Field("pubsub_channels", pubsub_channels);
  out.Field("pubsub_patterns", pubsub_patterns);
  out.Field("pubsubshard_channels", pubsubshard_channels);
  out.Field("total_error_replies", stats.total_error_replies);
}

void InfoReplication(CommandContext& ctx, InfoWriter& out) {
  out.Header("Replication");
  out.Field("role", ctx.engine.process_role);
  out.Field("connected_slaves", "0");
  out.Field("master_failover_state", "no-failover");
  out.Field("master_replid", ctx.engine.run_id);
  out.Field("master_replid2", std::string(40, '0'));
  out.Field("master_repl_offset", "0");
  out.Field("second_repl_offset", "-1");
  out.Field("repl_backlog_active", "0");
  out.Field("repl_backlog_size", "1048576");
  out.Field("repl_backlog_first_byte_offset", "0");
  out.Field("repl_backlog_histlen", "0");
}

void InfoCpu(CommandContext& ctx, InfoWriter& out) {
  const CpuTimes self = ProcessCpuTimes();
  const CpuTimes children = ChildrenCpuTimes();
  const CpuTimes loop = ThreadCpuTimes();  // INFO runs on the engine's loop thread
  out.Header("CPU");
  out.Field("used_cpu_sys", FormatCpuSeconds(self.sys_us));
  out.Field("used_cpu_user", FormatCpuSeconds(self.user_us));
  out.Field("used_cpu_sys_children", FormatCpuSeconds(children.sys_us));
  out.Field("used_cpu_user_children", FormatCpuSeconds(children.user_us));
  out.Field("used_cpu_sys_main_thread", FormatCpuSeconds(loop.sys_us));
  out.Field("used_cpu_user_main_thread", FormatCpuSeconds(loop.user_us));
}

void CommandStatLine(const CommandSpec& spec, InfoWriter& out) {
  const CommandStats& stats = spec.stats;
  if (stats.calls == 0 && stats.failed_calls == 0 && stats.rejected_calls == 0) return;
  std::string value =
      "calls=" + std::to_string(stats.calls) + ",usec=" + std::to_string(stats.usec) +
      ",usec_per_call=" +
      FormatFixed2(stats.calls ? static_cast<double>(stats.usec) / static_cast<double>(stats.calls)
                               : 0) +
      ",rejected_calls=" + std::to_string(stats.rejected_calls) +
      ",failed_calls=" + std::to_string(stats.failed_calls);
  out.Field("cmdstat_" + spec.full_name, value);
}

void InfoCommandStats(CommandContext& ctx, InfoWriter& out) {
  out.Header("Commandstats");
  for (const CommandSpec* spec : ctx.engine.commands().All()) {
    CommandStatLine(*spec, out);
    for (const auto& [name, sub] : spec->subcommands) CommandStatLine(*sub, out);
  }
}

void InfoErrorStats(CommandContext& ctx, InfoWriter& out) {
  out.Header("Errorstats");
  for (const auto& [code, count] : ctx.engine.stats().error_counts) {
    out.Field("errorstat_" + code, "count=" + std::to_string(count));
  }
}

void InfoKeyspace(CommandContext& ctx, InfoWriter& out) {
  out.Header("Keyspace");
  Keyspace& keyspace = ctx.keyspace;
  for (int i = 0; i < keyspace.database_count(); ++i) {
    Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    out.Field("db" + std::to_string(i), "keys=" + std::to_string(db.size()) +
                                            ",expires=" + std::to_string(db.expires_count()) +
                                            ",avg_ttl=" + std::to_string(db.AverageTtlMs()));
  }
}

// The INFO text for the chosen sections, in Redis's section order.
std::string InfoText(CommandContext& ctx, const std::set<std::string>& wanted) {
  InfoWriter out;
  for (const InfoSection& section : kInfoSections) {
    if (!wanted.count(std::string(section.name))) continue;
    const std::string_view name = section.name;
    if (name == "server") InfoServer(ctx, out);
    if (name == "clients") InfoClients(ctx, out);
    if (name == "memory") InfoMemory(ctx, out);
    if (name == "persistence") InfoPersistence(ctx, out);
    if (name == "stats") InfoStats(ctx, out);
    if (name == "replication") InfoReplication(ctx, out);
    if (name == "cpu") InfoCpu(ctx, out);
    if (name == "modules") out.Header("Modules");
    if (name == "commandstats") InfoCommandStats(ctx, out);
    if (name == "errorstats") InfoErrorStats(ctx, out);
    if (name == "cluster") {
      out.Header("Cluster");
      out.Field("cluster_enabled", "0");
    }
    if (name == "keyspace") InfoKeyspace(ctx, out);
  }
  return std::move(out.text());
}

// INFO [section [section ...]]
void CmdInfo(CommandContext& ctx) {
  std::set<std::string> wanted;
  auto add_default = [&] {
    for (const InfoSection& section : kInfoSections) {
      if (section.in_default) wanted.insert(std::string(section.name));
    }
  };
  if (ctx.args.size() == 1) add_default();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string name = ToLower(ctx.args[i]);
    if (name == "default") {
      add_default();
    } else if (name == "all" || name == "everything") {
      for (const InfoSection& section : kInfoSections) wanted.insert(std::string(section.name));
    } else if (name == "module_list") {
      wanted.insert("modules");
    } else {
      wanted.insert(name);  // unknown names select nothing, as in Redis
    }
  }
  // A verbatim string in RESP3 (redis-py strips its "txt:" prefix), a bulk string in RESP2.
  ctx.reply.Verbatim("txt", InfoText(ctx, wanted));
}

}  // namespace

void RegisterInfoFamily(CommandTable& table) {
  table.Add({.name = "info",
             .arity = -1,
             .flags = kCmdLoading | kCmdStale,
             .handler = CmdInfo,
             .group = "server",
             .summary = "Get information and statistics about the server",
             .since = "1.0.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
