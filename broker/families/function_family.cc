// Function family: FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP, FCALL and
// FCALL_RO (Redis 7.0). Libraries are broker/script/function_library.h; functions run through
// ScriptEngine::RunFunction, so redis.call behaves as in EVAL.
#include <string>
#include <vector>

#include "broker/base/glob.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/help_reply.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/persistence/rdb_decode.h"
#include "broker/persistence/rdb_format.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"

namespace drayman {

namespace {

constexpr int64_t kLoadTimeoutMs = 500;  // Redis's LOAD_TIMEOUT_MS
constexpr uint16_t kRdbVersion = 10;

// How long a library's load code may run: unbounded for the AOF replayer, as Redis's
// mustObeyClient loads, so a log that loaded once always loads again.
int64_t LoadTimeoutMs(const CommandContext& ctx) {
  const bool must_obey = ctx.client.user == nullptr && !ctx.client.is_script_client;
  return must_obey ? 0 : kLoadTimeoutMs;
}

// FUNCTION HELP, as Redis 7.0 words it (ReplyHelp adds the first line and HELP).
constexpr std::string_view kFunctionHelp[] = {
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using "
    "FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore "
    "policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
    "replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance "
    "of failure",
    "      in case of functions name collision with another library).",
};

std::string SubcommandSyntaxError(const CommandContext& ctx) {
  return errors::SubcommandSyntaxError(ctx.args[1], "function");
}

// FUNCTION LOAD [REPLACE] code
void CmdFunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t pos = 2;
  while (pos < ctx.args.size() - 1) {
    const std::string& option = ctx.args[pos++];
    if (EqualsIgnoreCase(option, "replace")) {
      replace = true;
      continue;
    }
    ctx.reply.Error(errors::UnknownFunctionOption(option.substr(0, option.find('\0'))));
    return;
  }
  if (pos >= ctx.args.size()) {
    ctx.reply.Error(errors::kFunctionCodeMissing);
    return;
  }
  std::string name;
  std::string error;
  if (!ctx.engine.scripts().functions().Load(ctx.args[pos], replace, LoadTimeoutMs(ctx), &name,
                                             &error)) {
    ctx.reply.Error(error);
    return;
  }
  ctx.AddDirty();
  ctx.reply.Bulk(name);
}

// FUNCTION DELETE library
void CmdFunctionDelete(CommandContext& ctx) {
  if (!ctx.engine.scripts().functions().Delete(ctx.args[2])) {
    ctx.reply.Error(errors::kLibraryNotFound);
    return;
  }
  ctx.AddDirty();
  ctx.reply.Ok();
}

// FUNCTION FLUSH [ASYNC|SYNC]
void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError(ctx));
    return;
  }
  if (ctx.args.size() == 3 && !EqualsIgnoreCase(ctx.args[2], "sync") &&
      !EqualsIgnoreCase(ctx.args[2], "async")) {
    ctx.reply.Error(errors::kFunctionFlushOption);
    return;
  }
  ctx.engine.scripts().functions().Flush();
  ctx.AddDirty();
  ctx.reply.Ok();
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false;
  const std::string* pattern = nullptr;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (!with_code && EqualsIgnoreCase(ctx.args[i], "withcode")) {
      with_code = true;
      continue;
    }
    if (pattern == nullptr && EqualsIgnoreCase(ctx.args[i], "libraryname")) {
      if (i >= ctx.args.size() - 1) {
        ctx.reply.Error(errors::kLibraryNameMissing);
        return;
      }
      pattern = &ctx.args[++i];
      continue;
    }
    ctx.reply.Error(errors::UnknownArgument(ctx.args[i]));
    return;
  }
  const auto& libraries = ctx.engine.scripts().functions().libraries();
  std::vector<const FunctionLibrary::Library*> listed;
  for (const auto& [name, library] : libraries) {
    if (pattern != nullptr && !GlobMatch(*pattern, name, /*nocase=*/true)) continue;
    listed.push_back(library.get());
  }
  ctx.reply.ArrayHeader(listed.size());
  for (const FunctionLibrary::Library* library : listed) {
    ctx.reply.MapHeader(with_code ? 4 : 3);
    ctx.reply.Bulk("library_name");
    ctx.reply.Bulk(library->name);
    ctx.reply.Bulk("engine");
    ctx.reply.Bulk("LUA");
    ctx.reply.Bulk("functions");
    ctx.reply.ArrayHeader(library->functions.size());
    for (const auto& function : library->functions) {
      ctx.reply.MapHeader(3);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(function->name);
      ctx.reply.Bulk("description");
      if (function->description) {
        ctx.reply.Bulk(*function->description);
      } else {
        ctx.reply.Null();
      }
      ctx.reply.Bulk("flags");
      static constexpr std::pair<std::string_view, uint32_t> kFlags[] = {
          {"no-writes", ScriptEngine::kNoWrites},
          {"allow-oom", ScriptEngine::kAllowOom},
          {"allow-stale", ScriptEngine::kAllowStale},
          {"no-cluster", ScriptEngine::kNoCluster},
          {"allow-cross-slot-keys", ScriptEngine::kAllowCrossSlotKeys},
      };
      size_t count = 0;
      for (const auto& [flag, bit] : kFlags) count += (function->flags & bit) ? 1 : 0;
      ctx.reply.SetHeader(count);
      for (const auto& [flag, bit] : kFlags) {
        if (function->flags & bit) ctx.reply.SimpleString(flag);
      }
    }
    if (with_code) {
      ctx.reply.Bulk("library_code");
      ctx.reply.Bulk(library->code);
    }
  }
}

// FUNCTION DUMP: the RDB form of the libraries, then the RDB version and CRC-64, like DUMP.
void CmdFunctionDump(CommandContext& ctx) {
  std::string payload = ctx.engine.scripts().functions().Dump(ctx.engine.settings().rdbcompression);
  payload.push_back(static_cast<char>(kRdbVersion & 0xff));
  payload.push_back(static_cast<char>(kRdbVersion >> 8));
  rdb::AppendU64(rdb::Crc64(0, payload.data(), payload.size()), payload);
  ctx.reply.Bulk(payload);
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
void CmdFunctionRestore(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    ctx.reply.Error(SubcommandSyntaxError(ctx));
    return;
  }
  auto policy = FunctionLibrary::RestorePolicy::kAppend;
  if (ctx.args.size() == 4) {
    const std::string& name = ctx.args[3];
    if (EqualsIgnoreCase(name, "append")) {
      policy = FunctionLibrary::RestorePolicy::kAppend;
    } else if (EqualsIgnoreCase(name, "replace")) {
      policy = FunctionLibrary::RestorePolicy::kReplace;
    } else if (EqualsIgnoreCase(name, "flush")) {
      policy = FunctionLibrary::RestorePolicy::kFlush;
    } else {
      ctx.reply.Error(errors::kRestorePolicy);
      return;
    }
  }
  const std::string& payload = ctx.args[2];
  if (!rdb::RdbVerifyDumpPayload(payload)) {
    ctx.reply.Error(errors::kBadDumpPayload);
    return;
  }
  std::string error;
  // Redis 7.0 restores without a limit, so one payload whose library loops at load time hangs
  // the server for good; Drayman bounds it as FUNCTION LOAD does.
  if (!ctx.engine.scripts().functions().Restore(
          std::string_view(payload).substr(0, payload.size() - 10), policy, LoadTimeoutMs(ctx),
          &error)) {
    ctx.reply.Error(error);
    return;
  }
  ctx.AddDirty();
  ctx.reply.Ok();
}

// FUNCTION STATS
void CmdFunctionStats(CommandContext& ctx) {
  ScriptEngine& scripts = ctx.engine.scripts();
  if (scripts.running() && !scripts.running_function()) {
    ctx.reply.Error(errors::kBusyScript);
    return;
  }
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("running_script");
  if (!scripts.running()) {
    ctx.reply.Null();
  } else {
    ctx.reply.MapHeader(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(scripts.running_name());
    ctx.reply.Bulk("command");
    const std::vector<std::string>& command = scripts.caller_args();
    ctx.reply.ArrayHeader(command.size());
    for (const std::string& arg : command) ctx.reply.Bulk(arg);
    ctx.reply.Bulk("duration_ms");
    ctx.reply.Integer(scripts.running_ms());
  }
  ctx.reply.Bulk("engines");
  ctx.reply.MapHeader(1);
  ctx.reply.Bulk("LUA");
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("libraries_count");
  ctx.reply.Integer(static_cast<int64_t>(scripts.functions().libraries().size()));
  ctx.reply.Bulk("functions_count");
  ctx.reply.Integer(static_cast<int64_t>(scripts.functions().function_count()));
}

// FUNCTION KILL
void CmdFunctionKill(CommandContext& ctx) { ReplyScriptKill(ctx, /*is_eval=*/false); }

// FUNCTION HELP
void CmdFunctionHelp(CommandContext& ctx) { ReplyHelp(ctx.reply, "FUNCTION", kFunctionHelp); }

void CmdFunction(CommandContext& ctx) { ctx.reply.Error(errors::WrongArity("function")); }

// FCALL / FCALL_RO function numkeys [key ...] [arg ...]
void FcallGeneric(CommandContext& ctx, bool read_only) {
  ScriptEngine& scripts = ctx.engine.scripts();
  const FunctionLibrary::Function* function = scripts.functions().Find(ctx.args[1]);
  if (function == nullptr) {
    ctx.reply.Error(errors::kFunctionNotFound);
    return;
  }
  int64_t numkeys = 0;
  if (!ParseInt64(ctx.args[2], &numkeys)) {
    ctx.reply.Error(errors::kBadNumberOfKeys);
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.args.size()) - 3) {
    ctx.reply.Error(errors::kTooManyKeys);
    return;
  }
  if (numkeys < 0) {
    ctx.reply.Error(errors::kNegativeKeys);
    return;
  }
  // Redis's scriptPrepareForRun for a script with declared flags.
  if (!(function->flags & ScriptEngine::kNoWrites)) {
    if (read_only) {
      ctx.reply.Error(errors::kWriteFunctionInRo);
      return;
    }
  }
  if (!(function->flags & (ScriptEngine::kAllowOom | ScriptEngine::kNoWrites)) &&
      ctx.engine.settings().maxmemory > 0 && ctx.engine.pre_command_oom()) {
    ctx.reply.Error(errors::kFunctionOom);
    return;
  }
  const auto first_key = ctx.args.begin() + 3;
  std::vector<std::string> keys(first_key, first_key + numkeys);
  std::vector<std::string> args(first_key + numkeys, ctx.args.end());
  scripts.RunFunction(ctx.client, ctx.reply, ctx.args, function->name, function->ref,
                      function->flags, keys, args, read_only);
}

void CmdFcall(CommandContext& ctx) { FcallGeneric(ctx, /*read_only=*/false); }
void CmdFcallRo(CommandContext& ctx) { FcallGeneric(ctx, /*read_only=*/true); }

}  // namespace

void RegisterFunctionFamily(CommandTable& table) {
  constexpr uint32_t kFcallFlags = kCmdNoscript | kCmdStale | kCmdSkipMonitor |
                                   kCmdNoMandatoryKeys | kCmdMovableKeys | kCmdMayReplicate;
  table.Add({.name = "fcall",
             .arity = -3,
             .flags = kFcallFlags,
             .handler = CmdFcall,
             .get_keys = EvalKeys,
             .group = "scripting",
             .summary = "Invoke a function",
             .since = "7.0.0",
             .complexity = "Depends on the function that is executed."});
  table.Add({.name = "fcall_ro",
             .arity = -3,
             .flags = (kFcallFlags & ~kCmdMayReplicate) | kCmdReadonly,
             .handler = CmdFcallRo,
             .get_keys = EvalKeys,
             .group = "scripting",
             .summary = "Invoke a read-only function",
             .since = "7.0.0",
             .complexity = "Depends on the function that is executed."});
  table.Add({.name = "function",
             .arity = -2,
             .handler = CmdFunction,
             .group = "scripting",
             .summary = "A container for function commands",
             .since = "7.0.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("function", {.name = "load",
                                   .arity = -3,
                                   .flags = kCmdNoscript | kCmdWrite | kCmdDenyOom,
                                   .handler = CmdFunctionLoad,
                                   .group = "scripting",
                                   .summary = "Create a function with the given arguments (name, "
                                              "code, description)",
                                   .since = "7.0.0",
                                   .complexity = "O(1) (considering compilation time is "
                                                 "redundant)"});
  table.AddSubcommand("function", {.name = "delete",
                                   .arity = 3,
                                   .flags = kCmdNoscript | kCmdWrite,
                                   .handler = CmdFunctionDelete,
                                   .group = "scripting",
                                   .summary = "Delete a function by name",
                                   .since = "7.0.0",
                                   .complexity = "O(1)"});
  table.AddSubcommand("function", {.name = "flush",
                                   .arity = -2,
                                   .flags = kCmdNoscript | kCmdWrite,
                                   .handler = CmdFunctionFlush,
                                   .group = "scripting",
                                   .summary = "Deleting all functions",
                                   .since = "7.0.0",
                                   .complexity = "O(N) where N is the number of functions "
                                                 "deleted"});
  table.AddSubcommand("function", {.name = "list",
                                   .arity = -2,
                                   .flags = kCmdNoscript,
                                   .handler = CmdFunctionList,
                                   .group = "scripting",
                                   .summary = "List information about all the functions",
                                   .since = "7.0.0",
                                   .complexity = "O(N) where N is the number of functions"});
  table.AddSubcommand("function", {.name = "dump",
                                   .arity = 2,
                                   .flags = kCmdNoscript,
                                   .handler = CmdFunctionDump,
                                   .group = "scripting",
                                   .summary = "Dump all functions into a serialized binary payload",
                                   .since = "7.0.0",
                                   .complexity = "O(N) where N is the number of functions"});
  table.AddSubcommand("function", {.name = "restore",
                                   .arity = -3,
                                   .flags = kCmdNoscript | kCmdWrite | kCmdDenyOom,
                                   .handler = CmdFunctionRestore,
                                   .group = "scripting",
                                   .summary = "Restore all the functions on the given payload",
                                   .since = "7.0.0",
                                   .complexity = "O(N) where N is the number of functions on the "
                                                 "payload"});
  table.AddSubcommand("function", {.name = "stats",
                                   .arity = 2,
                                   .flags = kCmdNoscript | kCmdAllowBusy,
                                   .handler = CmdFunctionStats,
                                   .group = "scripting",
                                   .summary = "Return information about the function currently "
                                              "running (name, description, duration)",
                                   .since = "7.0.0",
                                   .complexity = "O(1)"});
  table.AddSubcommand("function", {.name = "kill",
                                   .arity = 2,
                                   .flags = kCmdNoscript | kCmdAllowBusy,
                                   .handler = CmdFunctionKill,
                                   .group = "scripting",
                                   .summary = "Kill the function currently in execution.",
                                   .since = "7.0.0",
                                   .complexity = "O(1)"});
  table.AddSubcommand("function", {.name = "help",
                                   .arity = 2,
                                   .flags = kCmdLoading | kCmdStale,
                                   .handler = CmdFunctionHelp,
                                   .group = "scripting",
                                   .summary = "Show helpful text about the different subcommands",
                                   .since = "7.0.0",
                                   .complexity = "O(1)"});
}

}  // namespace drayman
