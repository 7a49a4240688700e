// Server family: INFO, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, CONFIG, COMMAND and
// SLOWLOG.
//
// Replies and error texts follow Debian's redis-server 7.0.15. INFO reports what Drayman really
// has (memory from the allocator and /proc, CPU from getrusage, counters from the engine) under
// Redis's field names, so redis-cli --stat and clients that parse INFO work; fields for machinery
// Drayman lacks (persistence, replication) report the idle values Redis reports when that
// machinery is off. COMMAND INFO and COMMAND DOCS are generated from the command table: they carry
// no key specs, tips or argument docs (the table has none), which redis-cli 7.0 accepts.
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

namespace drayman {

namespace {

constexpr std::string_view kInvalidFirstDb = "ERR invalid first DB index";
constexpr std::string_view kInvalidSecondDb = "ERR invalid second DB index";
constexpr std::string_view kInvalidCommand = "ERR Invalid command specified";
constexpr std::string_view kNoKeyArguments = "ERR The command has no key arguments";
constexpr std::string_view kInvalidArgCount =
    "ERR Invalid number of arguments specified for command";
constexpr std::string_view kInvalidArguments = "ERR Invalid arguments specified for command";
constexpr std::string_view kSlowlogCount = "ERR count should be greater than or equal to -1";

// Redis's addReplySubcommandSyntaxError.
std::string SubcommandSyntaxError(std::string_view subcommand, std::string_view container) {
  return "ERR unknown subcommand or wrong number of arguments for '" +
         std::string(subcommand.substr(0, 128)) + "'. Try " + ToUpper(container) + " HELP.";
}

// ----------------------------------------------------------------------------------------------
// INFO

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
  out.Field("maxmemory", "0");
  out.Field("maxmemory_human", "0B");
  out.Field("maxmemory_policy", "noeviction");
  out.Field("mem_fragmentation_ratio",
            FormatFixed2(used ? static_cast<double>(rss) / static_cast<double>(used) : 0));
  out.Field("mem_allocator", "libc");
}

void InfoPersistence(CommandContext& ctx, InfoWriter& out) {
  // Drayman does not persist yet: the values Redis reports with saving and AOF off.
  const EngineStats& stats = ctx.engine.stats();
  out.Header("Persistence");
  out.Field("loading", "0");
  out.Field("async_loading", "0");
  out.Field("rdb_changes_since_last_save", stats.dirty);
  out.Field("rdb_bgsave_in_progress", "0");
  out.Field("rdb_last_save_time", stats.last_save_time_s);
  out.Field("rdb_last_bgsave_status", "ok");
  out.Field("rdb_last_bgsave_time_sec", "-1");
  out.Field("rdb_current_bgsave_time_sec", "-1");
  out.Field("rdb_saves", "0");
  out.Field("aof_enabled", "0");
  out.Field("aof_rewrite_in_progress", "0");
  out.Field("aof_rewrite_scheduled", "0");
  out.Field("aof_last_rewrite_time_sec", "-1");
  out.Field("aof_current_rewrite_time_sec", "-1");
  out.Field("aof_last_bgrewrite_status", "ok");
  out.Field("aof_rewrites", "0");
  out.Field("aof_last_write_status", "ok");
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
  out.Field("evicted_keys", "0");
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

// ----------------------------------------------------------------------------------------------
// Keyspace administration

// DBSIZE
void CmdDbsize(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.db.size())); }

// Parses FLUSHDB/FLUSHALL's optional ASYNC|SYNC. Drayman always frees synchronously.
bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "async") &&
                              !EqualsIgnoreCase(ctx.args[1], "sync"))) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  return true;
}

// FLUSHDB [ASYNC | SYNC]
void CmdFlushdb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  const size_t removed = ctx.db.size();
  ctx.db.Clear();
  ctx.AddDirty(static_cast<int64_t>(removed));
  ctx.reply.Ok();
}

// FLUSHALL [ASYNC | SYNC]
void CmdFlushall(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  const size_t removed = ctx.keyspace.TotalKeys();
  ctx.keyspace.FlushAll();
  // Redis counts one more change than the keys removed, so an empty FLUSHALL still counts.
  ctx.AddDirty(static_cast<int64_t>(removed) + 1);
  ctx.reply.Ok();
}

// SWAPDB index1 index2
void CmdSwapdb(CommandContext& ctx) {
  int64_t first = 0, second = 0;
  if (!ParseInt64(ctx.args[1], &first)) {
    ctx.reply.Error(kInvalidFirstDb);
    return;
  }
  if (!ParseInt64(ctx.args[2], &second)) {
    ctx.reply.Error(kInvalidSecondDb);
    return;
  }
  const int count = ctx.keyspace.database_count();
  if (first < 0 || first >= count || second < 0 || second >= count) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  if (first != second) ctx.keyspace.Swap(static_cast<int>(first), static_cast<int>(second));
  ctx.AddDirty();
  ctx.reply.Ok();
}

// TIME
void CmdTime(CommandContext& ctx) {
  const int64_t now_us = ctx.engine.clock().NowUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(now_us / 1000000));
  ctx.reply.Bulk(std::to_string(now_us % 1000000));
}

// LASTSAVE
void CmdLastsave(CommandContext& ctx) { ctx.reply.Integer(ctx.engine.stats().last_save_time_s); }

// ----------------------------------------------------------------------------------------------
// CONFIG

// CONFIG GET parameter [parameter ...]
void CmdConfigGet(CommandContext& ctx) {
  std::vector<std::string> patterns(ctx.args.begin() + 2, ctx.args.end());
  auto matches = ctx.engine.config().GetMany(patterns);
  ctx.reply.MapHeader(matches.size());
  for (const auto& [name, value] : matches) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

// CONFIG SET parameter value [parameter value ...]
void CmdConfigSet(CommandContext& ctx) {
  std::vector<std::string> pairs(ctx.args.begin() + 2, ctx.args.end());
  std::string error;
  if (!ctx.engine.config().SetMany(pairs, &error)) {
    ctx.reply.Error(error);
    return;
  }
  ctx.reply.Ok();
}

// Redis's resetServerStats plus the per-command and per-error tables.
void ResetStats(Engine& engine) {
  EngineStats& stats = engine.stats();
  stats.total_connections_received = 0;
  stats.total_commands_processed = 0;
  stats.rejected_connections = 0;
  stats.total_net_input_bytes = 0;
  stats.total_net_output_bytes = 0;
  stats.total_error_replies = 0;
  stats.error_counts.clear();
  stats.ops_rate.Reset();
  stats.input_rate.Reset();
  stats.output_rate.Reset();
  stats.used_memory_peak = UsedMemoryBytes();
  engine.keyspace().expired_keys = 0;
  engine.keyspace().keyspace_hits = 0;
  engine.keyspace().keyspace_misses = 0;
  for (const CommandSpec* spec : engine.commands().All()) {
    spec->stats = CommandStats();
    for (const auto& [name, sub] : spec->subcommands) sub->stats = CommandStats();
  }
}

// CONFIG RESETSTAT
void CmdConfigResetstat(CommandContext& ctx) {
  ResetStats(ctx.engine);
  ctx.reply.Ok();
}

// CONFIG REWRITE
void CmdConfigRewrite(CommandContext& ctx) {
  std::string error;
  if (!ctx.engine.config().Rewrite(&error)) {
    ctx.reply.Error(error);
    return;
  }
  ctx.reply.Ok();
}

// CONFIG HELP
void CmdConfigHelp(CommandContext& ctx) {
  ctx.reply.Help("CONFIG", {
                               "GET <pattern>",
                               "    Return parameters matching the glob-like <pattern> and their "
                               "values.",
                               "SET <directive> <value>",
                               "    Set the configuration <directive> to <value>.",
                               "RESETSTAT",
                               "    Reset statistics reported by the INFO command.",
                               "REWRITE",
                               "    Rewrite the configuration file.",
                           });
}

// ----------------------------------------------------------------------------------------------
// COMMAND

// Looks a command up by full name ("get", "config|get"), as COMMAND INFO/DOCS accept them.
const CommandSpec* LookupByFullName(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.Find(name);
  const CommandSpec* container = table.Find(name.substr(0, bar));
  if (container == nullptr) return nullptr;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  return table.FindSubcommand(*container, sub);
}

// One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories, tips,
// key specs, subcommands. Sets in RESP3, as Redis sends them.
void ReplyCommandInfo(ReplyBuilder& reply, const CommandSpec& spec) {
  reply.ArrayHeader(10);
  reply.Bulk(spec.full_name);
  reply.Integer(spec.arity);
  std::vector<std::string_view> flags = CommandFlagNames(spec.flags);
  reply.SetHeader(flags.size());
  for (std::string_view flag : flags) reply.SimpleString(flag);
  reply.Integer(spec.first_key);
  reply.Integer(spec.last_key);
  reply.Integer(spec.key_step);
  std::vector<std::string> categories = spec.AclCategories();
  reply.SetHeader(categories.size());
  for (const std::string& category : categories) reply.SimpleString(category);
  reply.SetHeader(0);  // tips
  reply.SetHeader(0);  // key specs
  if (spec.subcommands.empty()) {
    reply.SetHeader(0);
  } else {
    reply.ArrayHeader(spec.subcommands.size());
    for (const auto& [name, sub] : spec.subcommands) ReplyCommandInfo(reply, *sub);
  }
}

// One COMMAND DOCS entry: summary, since, group, complexity and, for containers, subcommands.
void ReplyCommandDocs(ReplyBuilder& reply, const CommandSpec& spec) {
  const bool has_subcommands = !spec.subcommands.empty();
  reply.MapHeader(4 + (has_subcommands ? 1 : 0));
  reply.Bulk("summary");
  reply.Bulk(spec.summary);
  reply.Bulk("since");
  reply.Bulk(spec.since);
  reply.Bulk("group");
  reply.Bulk(spec.parent ? spec.parent->group : spec.group);
  reply.Bulk("complexity");
  reply.Bulk(spec.complexity);
  if (has_subcommands) {
    reply.Bulk("subcommands");
    reply.MapHeader(spec.subcommands.size());
    for (const auto& [name, sub] : spec.subcommands) {
      reply.Bulk(sub->full_name);
      ReplyCommandDocs(reply, *sub);
    }
  }
}

// COMMAND
void CmdCommand(CommandContext& ctx) {
  std::vector<const CommandSpec*> all = ctx.engine.commands().All();
  ctx.reply.ArrayHeader(all.size());
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx.reply, *spec);
}

// COMMAND COUNT
void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.commands().size()));
}

// COMMAND INFO [command-name [command-name ...]]
void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    CmdCommand(ctx);
    return;
  }
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* spec = LookupByFullName(ctx.engine.commands(), ctx.args[i]);
    if (spec == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyCommandInfo(ctx.reply, *spec);
    }
  }
}

// COMMAND DOCS [command-name [command-name ...]]
void CmdCommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    specs = ctx.engine.commands().All();
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = LookupByFullName(ctx.engine.commands(), ctx.args[i]);
      if (spec != nullptr) specs.push_back(spec);
    }
  }
  ctx.reply.MapHeader(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.reply.Bulk(spec->full_name);
    ReplyCommandDocs(ctx.reply, *spec);
  }
}

// COMMAND GETKEYS command [arg [arg ...]]
void CmdCommandGetkeys(CommandContext& ctx) {
  // Redis's getKeysSubcommandImpl: the command (or subcommand) must exist and name keys, the
  // arity must fit, then the keys come from the table's positions or the command's key function.
  std::vector<std::string> command(ctx.args.begin() + 2, ctx.args.end());
  const CommandSpec* spec = ctx.engine.commands().Find(command[0]);
  if (spec != nullptr && spec->is_container() && command.size() >= 2) {
    spec = ctx.engine.commands().FindSubcommand(*spec, command[1]);
  }
  if (spec == nullptr) {
    ctx.reply.Error(kInvalidCommand);
    return;
  }
  if (spec->first_key <= 0 && spec->get_keys == nullptr) {
    ctx.reply.Error(kNoKeyArguments);
    return;
  }
  const int argc = static_cast<int>(command.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error(kInvalidArgCount);
    return;
  }
  std::vector<int> keys = spec->KeyIndexes(command);
  if (keys.empty() && !(spec->flags & kCmdNoMandatoryKeys)) {
    ctx.reply.Error(kInvalidArguments);
    return;
  }
  ctx.reply.ArrayHeader(keys.size());
  for (int index : keys) ctx.reply.Bulk(command[static_cast<size_t>(index)]);
}

// COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]
void CmdCommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCategory, kPattern } filter = Filter::kNone;
  std::string argument;
  if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "filterby")) {
    argument = ctx.args[4];
    if (EqualsIgnoreCase(ctx.args[3], "module")) {
      filter = Filter::kModule;
    } else if (EqualsIgnoreCase(ctx.args[3], "aclcat")) {
      filter = Filter::kAclCategory;
    } else if (EqualsIgnoreCase(ctx.args[3], "pattern")) {
      filter = Filter::kPattern;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  } else if (ctx.args.size() != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  const std::string category = "@" + ToLower(argument);
  auto matches = [&](const CommandSpec& spec) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // Drayman has no modules
      case Filter::kAclCategory: {
        std::vector<std::string> categories = spec.AclCategories();
        return std::find(categories.begin(), categories.end(), category) != categories.end();
      }
      case Filter::kPattern:
        return GlobMatch(argument, spec.full_name, /*nocase=*/true);
    }
    return false;
  };
  std::vector<const CommandSpec*> listed;
  for (const CommandSpec* spec : ctx.engine.commands().All()) {
    if (matches(*spec)) listed.push_back(spec);
    for (const auto& [name, sub] : spec->subcommands) {
      if (matches(*sub)) listed.push_back(sub.get());
    }
  }
  ctx.reply.ArrayHeader(listed.size());
  for (const CommandSpec* spec : listed) ctx.reply.Bulk(spec->full_name);
}

// COMMAND HELP
void CmdCommandHelp(CommandContext& ctx) {
  // Redis 7.0's lines, without GETKEYSANDFLAGS (Drayman's table has no key access flags).
  ctx.reply.Help("COMMAND", {
                                "(no subcommand)",
                                "    Return details about all Redis commands.",
                                "COUNT",
                                "    Return the total number of commands in this Redis server.",
                                "LIST",
                                "    Return a list of all commands in this Redis server.",
                                "INFO [<command-name> ...]",
                                "    Return details about multiple Redis commands.",
                                "    If no command names are given, documentation details for all",
                                "    commands are returned.",
                                "DOCS [<command-name> ...]",
                                "    Return documentation details about multiple Redis commands.",
                                "    If no command names are given, documentation details for all",
                                "    commands are returned.",
                                "GETKEYS <full-command>",
                                "    Return the keys from a full Redis command.",
                            });
}

// ----------------------------------------------------------------------------------------------
// SLOWLOG

// SLOWLOG GET [count]
void CmdSlowlogGet(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError(ctx.args[1], "slowlog"));
    return;
  }
  const auto& entries = ctx.engine.slowlog().entries();
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    if (!ParseInt64(ctx.args[2], &count) || count < -1) {
      ctx.reply.Error(kSlowlogCount);
      return;
    }
    if (count == -1) count = static_cast<int64_t>(entries.size());
  }
  const size_t shown = std::min(entries.size(), static_cast<size_t>(count));
  ctx.reply.ArrayHeader(shown);
  for (size_t i = 0; i < shown; ++i) {
    const SlowLogEntry& entry = entries[i];
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(static_cast<int64_t>(entry.id));
    ctx.reply.Integer(entry.time_s);
    ctx.reply.Integer(entry.duration_us);
    ctx.reply.ArrayHeader(entry.args.size());
    for (const std::string& arg : entry.args) ctx.reply.Bulk(arg);
    ctx.reply.Bulk(entry.peer);
    ctx.reply.Bulk(entry.client_name);
  }
}

// SLOWLOG LEN
void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.slowlog().entries().size()));
}

// SLOWLOG RESET
void CmdSlowlogReset(CommandContext& ctx) {
  ctx.engine.slowlog().Reset();
  ctx.reply.Ok();
}

// SLOWLOG HELP
void CmdSlowlogHelp(CommandContext& ctx) {
  ctx.reply.Help(
      "SLOWLOG",
      {
          "GET [<count>]",
          "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
          "    Entries are made of:",
          "    id, timestamp, time in microseconds, arguments array, client IP and port,",
          "    client name",
          "LEN",
          "    Return the length of the slowlog.",
          "RESET",
          "    Reset the slowlog.",
      });
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
// Drayman keeps no data on disk yet, so SAVE and NOSAVE both stop at once and ABORT never finds a
// shutdown in progress. The caller gets no reply: its connection closes with every other one.
void CmdShutdown(CommandContext& ctx) {
  bool save = false;
  bool nosave = false;
  bool abort = false;
  bool now_or_force = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& option = ctx.args[i];
    if (EqualsIgnoreCase(option, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(option, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(option, "now") || EqualsIgnoreCase(option, "force")) {
      now_or_force = true;
    } else if (EqualsIgnoreCase(option, "abort")) {
      abort = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if ((save && nosave) || (abort && (save || nosave || now_or_force))) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (abort) {
    ctx.reply.Error("ERR No shutdown in progress.");
    return;
  }
  if (!ctx.engine.shutdown_requested) {
    ctx.reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
    return;
  }
  ctx.engine.shutdown_requested();
}

}  // namespace

void RegisterServerFamily(CommandTable& table) {
  table.Add(
      {.name = "shutdown",
       .arity = -1,
       .flags = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale | kCmdNoMulti | kCmdAllowBusy,
       .handler = CmdShutdown,
       .group = "server",
       .summary = "Synchronously save the dataset to disk and then shut down the server",
       .since = "1.0.0",
       .complexity = "O(N) when saving, where N is the total number of keys in all "
                     "databases when saving data, otherwise O(1)"});
  table.Add({.name = "info",
             .arity = -1,
             .flags = kCmdLoading | kCmdStale,
             .handler = CmdInfo,
             .group = "server",
             .summary = "Get information and statistics about the server",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "dbsize",
             .arity = 1,
             .flags = kCmdReadonly | kCmdFast,
             .handler = CmdDbsize,
             .group = "server",
             .summary = "Return the number of keys in the selected database",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "flushdb",
             .arity = -1,
             .flags = kCmdWrite,
             .handler = CmdFlushdb,
             .group = "server",
             .summary = "Remove all keys from the current database",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of keys in the selected database"});
  table.Add({.name = "flushall",
             .arity = -1,
             .flags = kCmdWrite,
             .handler = CmdFlushall,
             .group = "server",
             .summary = "Remove all keys from all databases",
             .since = "1.0.0",
             .complexity = "O(N) where N is the total number of keys in all databases"});
  table.Add({.name = "swapdb",
             .arity = 3,
             .flags = kCmdWrite | kCmdFast,
             .handler = CmdSwapdb,
             .group = "server",
             .summary = "Swaps two Redis databases",
             .since = "4.0.0",
             .complexity = "O(N) where N is the count of clients watching or blocking on keys "
                           "from both databases."});
  table.Add({.name = "time",
             .arity = 1,
             .flags = kCmdLoading | kCmdStale | kCmdFast,
             .handler = CmdTime,
             .group = "server",
             .summary = "Return the current server time",
             .since = "2.6.0",
             .complexity = "O(1)"});
  table.Add({.name = "lastsave",
             .arity = 1,
             .flags = kCmdLoading | kCmdStale | kCmdFast,
             .handler = CmdLastsave,
             .group = "server",
             .summary = "Get the UNIX time stamp of the last successful save to disk",
             .since = "1.0.0",
             .complexity = "O(1)"});

  constexpr uint32_t kConfigFlags = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale;
  table.Add({.name = "config",
             .arity = -2,
             .group = "server",
             .summary = "A container for server configuration commands",
             .since = "2.0.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand(
      "config", {.name = "get",
                 .arity = -3,
                 .flags = kConfigFlags,
                 .handler = CmdConfigGet,
                 .summary = "Get the values of configuration parameters",
                 .since = "2.0.0",
                 .complexity = "O(N) when N is the number of configuration parameters provided"});
  table.AddSubcommand(
      "config", {.name = "set",
                 .arity = -4,
                 .flags = kConfigFlags,
                 .handler = CmdConfigSet,
                 .summary = "Set configuration parameters to the given values",
                 .since = "2.0.0",
                 .complexity = "O(N) when N is the number of configuration parameters provided"});
  table.AddSubcommand("config", {.name = "resetstat",
                                 .arity = 2,
                                 .flags = kConfigFlags,
                                 .handler = CmdConfigResetstat,
                                 .summary = "Reset the stats returned by INFO",
                                 .since = "2.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("config",
                      {.name = "rewrite",
                       .arity = 2,
                       .flags = kConfigFlags,
                       .handler = CmdConfigRewrite,
                       .summary = "Rewrite the configuration file with the in memory configuration",
                       .since = "2.8.0",
                       .complexity = "O(1)"});
  table.AddSubcommand("config", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdConfigHelp,
                                 .summary = "Show helpful text about the different subcommands",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});

  constexpr uint32_t kCommandFlags = kCmdLoading | kCmdStale;
  table.Add({.name = "command",
             .arity = -1,
             .flags = kCommandFlags,
             .handler = CmdCommand,
             .group = "server",
             .summary = "Get array of Redis command details",
             .since = "2.8.13",
             .complexity = "O(N) where N is the total number of Redis commands"});
  table.AddSubcommand("command", {.name = "count",
                                  .arity = 2,
                                  .flags = kCommandFlags,
                                  .handler = CmdCommandCount,
                                  .summary = "Get total number of Redis commands",
                                  .since = "2.8.13",
                                  .complexity = "O(1)"});
  table.AddSubcommand(
      "command",
      {.name = "info",
       .arity = -2,
       .flags = kCommandFlags,
       .handler = CmdCommandInfo,
       .summary = "Get array of specific Redis command details, or all when no argument is "
                  "given.",
       .since = "2.8.13",
       .complexity = "O(N) where N is the number of commands to look up"});
  table.AddSubcommand("command",
                      {.name = "docs",
                       .arity = -2,
                       .flags = kCommandFlags,
                       .handler = CmdCommandDocs,
                       .summary = "Get array of specific Redis command documentation",
                       .since = "7.0.0",
                       .complexity = "O(N) where N is the number of commands to look up"});
  table.AddSubcommand("command",
                      {.name = "getkeys",
                       .arity = -4,
                       .flags = kCommandFlags,
                       .handler = CmdCommandGetkeys,
                       .summary = "Extract keys given a full Redis command",
                       .since = "2.8.13",
                       .complexity = "O(N) where N is the number of arguments to the command"});
  table.AddSubcommand("command",
                      {.name = "list",
                       .arity = -2,
                       .flags = kCommandFlags,
                       .handler = CmdCommandList,
                       .summary = "Get an array of Redis command names",
                       .since = "7.0.0",
                       .complexity = "O(N) where N is the total number of Redis commands"});
  table.AddSubcommand("command", {.name = "help",
                                  .arity = 2,
                                  .flags = kCommandFlags,
                                  .handler = CmdCommandHelp,
                                  .summary = "Show helpful text about the different subcommands",
                                  .since = "5.0.0",
                                  .complexity = "O(1)"});

  constexpr uint32_t kSlowlogFlags = kCmdAdmin | kCmdLoading | kCmdStale;
  table.Add({.name = "slowlog",
             .arity = -2,
             .group = "server",
             .summary = "A container for slow log commands",
             .since = "2.2.12",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("slowlog", {.name = "get",
                                  .arity = -2,
                                  .flags = kSlowlogFlags,
                                  .handler = CmdSlowlogGet,
                                  .summary = "Get the slow log's entries",
                                  .since = "2.2.12",
                                  .complexity = "O(N) where N is the number of entries returned"});
  table.AddSubcommand("slowlog", {.name = "len",
                                  .arity = 2,
                                  .flags = kSlowlogFlags,
                                  .handler = CmdSlowlogLen,
                                  .summary = "Get the slow log's length",
                                  .since = "2.2.12",
                                  .complexity = "O(1)"});
  table.AddSubcommand("slowlog",
                      {.name = "reset",
                       .arity = 2,
                       .flags = kSlowlogFlags,
                       .handler = CmdSlowlogReset,
                       .summary = "Clear all entries from the slow log",
                       .since = "2.2.12",
                       .complexity = "O(N) where N is the number of entries in the slowlog"});
  table.AddSubcommand("slowlog", {.name = "help",
                                  .arity = 2,
                                  .flags = kCmdLoading | kCmdStale,
                                  .handler = CmdSlowlogHelp,
                                  .summary = "Show helpful text about the different subcommands",
                                  .since = "6.2.0",
                                  .complexity = "O(1)"});
}

}  // namespace drayman
