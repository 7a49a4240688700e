// Server family: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, CONFIG, COMMAND and
// SLOWLOG.
//
// Replies and error texts follow Debian's redis-server 7.0.15. INFO lives in info_family.cc.
// COMMAND INFO and COMMAND DOCS are generated from the command table, with Redis 7.0's key specs
// and tips from broker/acl/redis_command_acl.cc; COMMAND DOCS carries no argument docs (the
// table has none), which redis-cli 7.0 accepts.

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/acl/acl.h"
#include "broker/acl/redis_command_acl.h"
#include "broker/base/glob.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/persistence/rdb_blobs.h"
#include "broker/persistence/rdb_file.h"

namespace drayman {

namespace {

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
  ctx.ForcePropagation();  // Redis propagates FLUSHDB even of an empty database
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
    ctx.reply.Error(errors::kInvalidFirstDb);
    return;
  }
  if (!ParseInt64(ctx.args[2], &second)) {
    ctx.reply.Error(errors::kInvalidSecondDb);
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
  stats.evicted_keys = 0;
  stats.evicted_clients = 0;
  stats.total_reads_processed = 0;
  stats.total_writes_processed = 0;
  stats.reply_buffer_shrinks = 0;
  stats.reply_buffer_expands = 0;
  stats.unexpected_error_replies = 0;
  stats.expired_stale_perc = 0;
  stats.expired_time_cap_reached_count = 0;
  stats.expire_cycle_time_used_us = 0;
  rdb::ResetDumpPayloadSanitizations();
  engine.evictor().ResetStats();
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

// Key spec flag names as COMMAND INFO and COMMAND GETKEYSANDFLAGS give them, in Redis's order.
void ReplyKeySpecFlags(ReplyBuilder& reply, uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {acl::kKeyRO, "RO"},
      {acl::kKeyRW, "RW"},
      {acl::kKeyOW, "OW"},
      {acl::kKeyRM, "RM"},
      {acl::kKeyAccess, "access"},
      {acl::kKeyUpdate, "update"},
      {acl::kKeyInsert, "insert"},
      {acl::kKeyDelete, "delete"},
      {acl::kKeyNotKey, "not_key"},
      {acl::kKeyIncomplete, "incomplete"},
      {acl::kKeyVariableFlags, "variable_flags"}};
  size_t count = 0;
  for (const auto& [bit, name] : kNames) count += (flags & bit) ? 1 : 0;
  reply.SetHeader(count);
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) reply.SimpleString(name);
  }
}

// COMMAND INFO's key specs (Redis's addReplyCommandKeySpecs): notes, flags, begin_search,
// find_keys.
void ReplyKeySpecs(ReplyBuilder& reply, const std::vector<acl::KeySpec>& specs) {
  reply.SetHeader(specs.size());
  for (const acl::KeySpec& spec : specs) {
    reply.MapHeader(spec.notes != nullptr ? 4 : 3);
    if (spec.notes != nullptr) {
      reply.Bulk("notes");
      reply.Bulk(spec.notes);
    }
    reply.Bulk("flags");
    ReplyKeySpecFlags(reply, spec.flags);
    reply.Bulk("begin_search");
    reply.MapHeader(2);
    reply.Bulk("type");
    switch (spec.begin) {
      case acl::KeySpec::kIndex:
        reply.Bulk("index");
        reply.Bulk("spec");
        reply.MapHeader(1);
        reply.Bulk("index");
        reply.Integer(spec.begin_value);
        break;
      case acl::KeySpec::kKeyword:
        reply.Bulk("keyword");
        reply.Bulk("spec");
        reply.MapHeader(2);
        reply.Bulk("keyword");
        reply.Bulk(spec.keyword);
        reply.Bulk("startfrom");
        reply.Integer(spec.begin_value);
        break;
      case acl::KeySpec::kUnknownBegin:
        reply.Bulk("unknown");
        reply.Bulk("spec");
        reply.MapHeader(0);
        break;
    }
    reply.Bulk("find_keys");
    reply.MapHeader(2);
    reply.Bulk("type");
    switch (spec.find) {
      case acl::KeySpec::kRange:
        reply.Bulk("range");
        reply.Bulk("spec");
        reply.MapHeader(3);
        reply.Bulk("lastkey");
        reply.Integer(spec.find_a);
        reply.Bulk("keystep");
        reply.Integer(spec.find_b);
        reply.Bulk("limit");
        reply.Integer(spec.find_c);
        break;
      case acl::KeySpec::kKeynum:
        reply.Bulk("keynum");
        reply.Bulk("spec");
        reply.MapHeader(3);
        reply.Bulk("keynumidx");
        reply.Integer(spec.find_a);
        reply.Bulk("firstkey");
        reply.Integer(spec.find_b);
        reply.Bulk("keystep");
        reply.Integer(spec.find_c);
        break;
      case acl::KeySpec::kUnknownFind:
        reply.Bulk("unknown");
        reply.Bulk("spec");
        reply.MapHeader(0);
        break;
    }
  }
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
  const acl::RedisCommandAcl* facts = acl::FindRedisCommandAcl(spec.full_name);
  if (facts == nullptr) {
    reply.SetHeader(0);  // tips
    reply.SetHeader(0);  // key specs
  } else {
    reply.SetHeader(facts->tips.size());
    for (const char* tip : facts->tips) reply.Bulk(tip);
    ReplyKeySpecs(reply, facts->key_specs);
  }
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

// Redis's getKeysSubcommandImpl, shared by GETKEYS and GETKEYSANDFLAGS: the command (or
// subcommand) must exist and name keys, the arity must fit, then the keys come from the key specs
// where they can say (GEORADIUS ... STORE x STOREDIST y names both, XREAD's STREAMS takes half of
// the rest), else from the command's key function: the ACL's lookup, for both subcommands.
void GetKeysSubcommand(CommandContext& ctx, bool with_flags) {
  std::vector<std::string> command(ctx.args.begin() + 2, ctx.args.end());
  const CommandSpec* spec = ctx.engine.commands().Find(command[0]);
  if (spec != nullptr && spec->is_container() && command.size() >= 2) {
    spec = ctx.engine.commands().FindSubcommand(*spec, command[1]);
  }
  if (spec == nullptr) {
    ctx.reply.Error(errors::kInvalidCommand);
    return;
  }
  if (!ctx.engine.acl().HasKeyArguments(*spec)) {
    ctx.reply.Error(errors::kNoKeyArguments);
    return;
  }
  const int argc = static_cast<int>(command.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error(errors::kInvalidArgCount);
    return;
  }
  const std::vector<acl::KeyReference> keys = ctx.engine.acl().KeysWithFlags(*spec, command);
  if (keys.empty() && !(spec->flags & kCmdNoMandatoryKeys)) {
    ctx.reply.Error(errors::kInvalidArguments);
    return;
  }
  ctx.reply.ArrayHeader(keys.size());
  for (const acl::KeyReference& key : keys) {
    if (with_flags) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(command[static_cast<size_t>(key.index)]);
    if (with_flags) ReplyKeySpecFlags(ctx.reply, key.flags);
  }
}

// COMMAND GETKEYS command [arg [arg ...]]
void CmdCommandGetkeys(CommandContext& ctx) { GetKeysSubcommand(ctx, /*with_flags=*/false); }

// COMMAND GETKEYSANDFLAGS command [arg [arg ...]]
void CmdCommandGetkeysandflags(CommandContext& ctx) {
  GetKeysSubcommand(ctx, /*with_flags=*/true);
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
                                "GETKEYSANDFLAGS <full-command>",
                                "    Return the keys and the access flags from a full Redis command.",
                            });
}

// ----------------------------------------------------------------------------------------------
// SLOWLOG

// SLOWLOG GET [count]
void CmdSlowlogGet(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntaxError(ctx.args[1], "slowlog"));
    return;
  }
  const auto& entries = ctx.engine.slowlog().entries();
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    if (!ParseInt64(ctx.args[2], &count) || count < -1) {
      ctx.reply.Error(errors::kSlowlogCount);
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
// With SAVE, or with save points and no NOSAVE, the dataset is saved first (synchronously; a
// running BGSAVE is dropped); a failed save refuses the shutdown unless FORCE. ABORT never finds
// a shutdown in progress (there is no wait for replicas). The caller gets no reply: its
// connection closes with every other one.
void CmdShutdown(CommandContext& ctx) {
  bool save = false;
  bool nosave = false;
  bool abort = false;
  bool now_or_force = false;
  bool force = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string& option = ctx.args[i];
    if (EqualsIgnoreCase(option, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(option, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(option, "now") || EqualsIgnoreCase(option, "force")) {
      now_or_force = true;
      force = force || EqualsIgnoreCase(option, "force");
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
    ctx.reply.Error(errors::kNoShutdownInProgress);
    return;
  }
  if (!ctx.engine.shutdown_requested) {
    ctx.reply.Error(errors::kShutdownFailed);
    return;
  }
  ctx.engine.Log(LogLevel::kWarning, "User requested shutdown...");
  // Save points only apply to hosts that keep files (as with BGSAVE's save points in Cron).
  if (save || (!nosave && !ctx.engine.settings().save_points.empty() &&
               ctx.engine.rdb_files != nullptr)) {
    ctx.engine.CancelBackgroundSave();
    ++ctx.engine.stats().rdb_saves;
    ctx.engine.Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
    rdb::RdbSaveResult result = rdb::SaveRdbFile(ctx.engine);
    if (result.ok) {
      ctx.engine.Log(LogLevel::kNotice, "DB saved on disk");
    } else if (!force) {
      ctx.engine.Log(LogLevel::kWarning, "Error trying to save the DB, can't exit.");
      ctx.engine.Log(LogLevel::kWarning,
                     "Errors trying to shut down the server. Check the logs for more information.");
      ctx.reply.Error(errors::kShutdownFailed);
      return;
    } else {
      ctx.engine.Log(LogLevel::kWarning, "Error trying to save the DB. Exit anyway.");
    }
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
  table.AddSubcommand(
      "command",
      {.name = "getkeysandflags",
       .arity = -4,
       .flags = kCommandFlags,
       .handler = CmdCommandGetkeysandflags,
       .summary = "Extract keys and access flags given a full Redis command",
       .since = "7.0.0",
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
