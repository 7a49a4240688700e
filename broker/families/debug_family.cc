// DEBUG: the subcommands Redis 7.0's test suites and tools lean on, with Redis's replies.
//
// DIGEST and DIGEST-VALUE report Redis's own digests (broker/keyspace/digest.h), so a dataset
// compares with redis-server's in one command. SET-ACTIVE-EXPIRE 0|1 turns Cron's expiry sweep
// off and on (Engine::active_expire_enabled), as tests of lazy expiry need. SLEEP stops the loop
// through Engine::sleep_us (latency tests; unit tests advance their clock instead). RELOAD
// [MERGE|NOFLUSH|NOSAVE] saves the RDB file,
// empties the keyspace and loads the file back, as Redis's debugCommand does. Like Redis 7.0,
// DEBUG is refused unless enable-debug-command is yes, or local and the client is on loopback or
// the unix socket (ProtectedCommandRefusal, checked by dispatch before AUTH). Departure: a RELOAD
// whose file clashes with a key kept by NOFLUSH (without MERGE) answers an error with the
// keyspace emptied, where redis-server stops the whole process.
#include <array>
#include <cstdlib>
#include <string>
#include <string_view>

#include "broker/command/context.h"
#include "broker/command/help_reply.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/keyspace/digest.h"
#include "broker/persistence/rdb_file.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"

namespace drayman {
namespace {

constexpr std::array<std::string_view, 23> kHelp = {
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
};

// Redis's islocalClient: the unix socket, or a TCP peer of exactly 127.0.0.1 or ::1.
bool IsLocalClient(const Client& client) {
  const std::string_view addr = client.addr;
  if (!addr.empty() && addr.front() == '/') return true;
  const size_t colon = addr.rfind(':');
  const std::string_view ip = colon == std::string_view::npos ? addr : addr.substr(0, colon);
  return ip == "127.0.0.1" || ip == "::1";
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]
void DebugReload(CommandContext& ctx) {
  bool merge = false, flush = true, save = true;
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "merge")) {
      merge = true;
    } else if (EqualsIgnoreCase(ctx.args[j], "noflush")) {
      flush = false;
    } else if (EqualsIgnoreCase(ctx.args[j], "nosave")) {
      save = false;
    } else {
      ctx.reply.Error(errors::kReloadOptions);
      return;
    }
  }
  Engine& engine = ctx.engine;
  // One writer of dump.rdb at a time, and a flushed dataset never lands on disk later (as
  // FLUSHALL cancels a BGSAVE).
  if (save || flush) engine.CancelBackgroundSave();
  if (save) {
    const rdb::RdbSaveResult saved = rdb::SaveRdbFile(engine);
    if (!saved.ok) {
      engine.stats().rdb_last_bgsave_ok = false;
      engine.Log(LogLevel::kWarning, "Failed saving the DB: " + saved.error);
      ctx.reply.Error(errors::kBareErr);
      return;
    }
  }
  if (flush) {
    // Redis's emptyData: the functions go with the keys.
    ctx.keyspace.FlushAll();
    engine.scripts().functions().Flush();
  }
  const rdb::RdbLoadResult loaded =
      rdb::LoadRdbFile(engine, {.replace_existing_keys = merge, .missing_file_is_error = true});
  if (!loaded.ok) {
    engine.Log(LogLevel::kWarning, "DEBUG RELOAD failed loading the RDB: " + loaded.error);
    ctx.reply.Error(errors::kReloadFailed);
    return;
  }
  engine.Log(LogLevel::kWarning, "DB reloaded by DEBUG RELOAD");
  ctx.reply.Ok();
}

// DEBUG <subcommand> [<arg> ...]
void CmdDebug(CommandContext& ctx) {
  const std::string& sub = ctx.args[1];
  const size_t argc = ctx.args.size();
  if (argc == 2 && EqualsIgnoreCase(sub, "help")) {
    ReplyHelp(ctx.reply, "DEBUG", kHelp);
  } else if (argc == 2 && EqualsIgnoreCase(sub, "digest")) {
    ctx.reply.SimpleString(DigestHex(DatasetDigest(ctx.keyspace)));
  } else if (EqualsIgnoreCase(sub, "digest-value")) {
    ctx.reply.ArrayHeader(argc - 2);
    for (size_t j = 2; j < argc; ++j) {
      // No lookup: a debug command sees logically expired keys too, as in Redis.
      const Entry* entry = ctx.db.Peek(ctx.args[j]);
      ctx.reply.SimpleString(DigestHex(entry ? ValueDigest(*entry) : Digest{}));
    }
  } else if (EqualsIgnoreCase(sub, "reload")) {
    DebugReload(ctx);
  } else if (argc == 3 && EqualsIgnoreCase(sub, "sleep")) {
    // Redis reads the seconds with strtod (garbage reads as 0) and truncates to microseconds.
    const double seconds = std::strtod(ctx.args[2].c_str(), nullptr);
    const double scaled = seconds * 1000000;
    // Out of int64's range is undefined in C; a negative or NaN time sleeps not at all.
    const int64_t micros = scaled > 0 && scaled < 9e18 ? static_cast<int64_t>(scaled) : 0;
    if (micros > 0 && ctx.engine.sleep_us) ctx.engine.sleep_us(micros);
    ctx.reply.Ok();
  } else if (argc == 3 && EqualsIgnoreCase(sub, "set-active-expire")) {
    // Redis parses the flag with atoi: any non-zero number turns the sweep on.
    ctx.engine.active_expire_enabled = std::atoi(ctx.args[2].c_str()) != 0;
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(errors::SubcommandSyntaxError(sub, "debug"));
  }
}

}  // namespace

std::string ProtectedCommandRefusal(const Settings& settings, const Client& client,
                                    std::string_view full_name) {
  // DEBUG answers to enable-debug-command, MODULE LOAD/LOADEX/UNLOAD to enable-module-command.
  const bool module = full_name.starts_with("module|");
  std::string mode = settings.enable_debug_command;
  if (module) {
    auto found = settings.compat_values.find("enable-module-command");
    mode = found == settings.compat_values.end() ? "no" : found->second;
  }
  if (mode == "yes" || (mode == "local" && IsLocalClient(client))) return {};
  const std::string_view name = module ? "MODULE" : "DEBUG";
  const std::string_view option = module ? "enable-module-command" : "enable-debug-command";
  return errors::ProtectedCommandNotAllowed(name, option);
}

void RegisterDebugFamily(CommandTable& table) {
  table.Add({.name = "debug",
             .arity = -2,
             .flags = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale | kCmdProtected,
             .handler = CmdDebug,
             .group = "server",
             .summary = "A container for debugging commands",
             .since = "1.0.0",
             .complexity = "Depends on subcommand."});
}

}  // namespace drayman
