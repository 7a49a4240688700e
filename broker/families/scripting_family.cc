// Scripting family: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP.
// The Lua side (cache, sandbox, conversions, busy scripts) is broker/script/script_engine.h.
#include <string>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/help_reply.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/script/script_engine.h"

namespace drayman {

namespace {

// SCRIPT HELP, as Redis 7.0 words it;
// ReplyHelp adds the first line and HELP.
constexpr std::string_view kScriptHelp[] = {
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
};

// The key count of EVAL-like arguments (args[2]); replies and returns false when it is invalid.
bool ParseNumKeys(CommandContext& ctx, int64_t* numkeys) {
  if (!ParseInt64(ctx.args[2], numkeys)) {
    ctx.reply.Error(errors::kNotInteger);
    return false;
  }
  if (*numkeys > static_cast<int64_t>(ctx.args.size()) - 3) {
    ctx.reply.Error(errors::kTooManyKeys);
    return false;
  }
  if (*numkeys < 0) {
    ctx.reply.Error(errors::kNegativeKeys);
    return false;
  }
  return true;
}

void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  ScriptEngine& scripts = ctx.engine.scripts();
  // Redis's order: an EVALSHA argument that cannot be a SHA-1 is NOSCRIPT at once; then the key
  // count; then the script lookup (or compilation for EVAL).
  if (by_sha && ctx.args[1].size() != 40) {
    ctx.reply.Error(errors::kNoScript);
    return;
  }
  int64_t numkeys = 0;
  if (!ParseNumKeys(ctx, &numkeys)) return;
  const ScriptEngine::Script* script = nullptr;
  std::string sha;
  if (by_sha) {
    script = scripts.Find(ctx.args[1]);
    if (script == nullptr) {
      ctx.reply.Error(errors::kNoScript);
      return;
    }
    sha = ToLower(ctx.args[1]);
  } else {
    std::string error;
    script = scripts.Load(ctx.args[1], &sha, &error);
    if (script == nullptr) {
      ctx.reply.Error(error);
      return;
    }
  }
  const auto first_key = ctx.args.begin() + 3;
  std::vector<std::string> keys(first_key, first_key + numkeys);
  std::vector<std::string> args(first_key + numkeys, ctx.args.end());
  scripts.Run(ctx.client, ctx.reply, sha, *script, keys, args, read_only);
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
void CmdEval(CommandContext& ctx) { EvalGeneric(ctx, /*by_sha=*/false, /*read_only=*/false); }

// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
void CmdEvalSha(CommandContext& ctx) { EvalGeneric(ctx, /*by_sha=*/true, /*read_only=*/false); }

// EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]
void CmdEvalRo(CommandContext& ctx) { EvalGeneric(ctx, /*by_sha=*/false, /*read_only=*/true); }

// EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]
void CmdEvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, /*by_sha=*/true, /*read_only=*/true); }

// SCRIPT LOAD script
void CmdScriptLoad(CommandContext& ctx) {
  std::string sha;
  std::string error;
  if (ctx.engine.scripts().Load(ctx.args[2], &sha, &error) == nullptr) {
    ctx.reply.Error(error);
    return;
  }
  ctx.reply.Bulk(sha);
}

// SCRIPT EXISTS sha1 [sha1 ...]
void CmdScriptExists(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Integer(ctx.engine.scripts().Find(ctx.args[i]) != nullptr ? 1 : 0);
  }
}

// SCRIPT FLUSH [ASYNC|SYNC]
void CmdScriptFlush(CommandContext& ctx) {
  // ASYNC is accepted and done synchronously: closing the Lua state is quick.
  if (ctx.args.size() > 3 || (ctx.args.size() == 3 && !EqualsIgnoreCase(ctx.args[2], "sync") &&
                              !EqualsIgnoreCase(ctx.args[2], "async"))) {
    ctx.reply.Error(errors::kScriptFlushOption);
    return;
  }
  ctx.engine.scripts().Flush();
  ctx.reply.Ok();
}

// SCRIPT KILL
void CmdScriptKill(CommandContext& ctx) { ReplyScriptKill(ctx, /*is_eval=*/true); }

// SCRIPT DEBUG YES|SYNC|NO
void CmdScriptDebug(CommandContext& ctx) {
  // Redis refuses it behind unsent replies (a pipeline, or inside EXEC).
  if (!ctx.client.output().empty()) {
    ctx.reply.Error(errors::kScriptDebugPipeline);
    return;
  }
  const std::string& mode = ctx.args[2];
  if (EqualsIgnoreCase(mode, "no")) {
    ctx.reply.Ok();  // the debugger is never on
  } else if (EqualsIgnoreCase(mode, "yes") || EqualsIgnoreCase(mode, "sync")) {
    ctx.reply.Error(errors::kScriptDebugUnsupported);
  } else {
    ctx.reply.Error(errors::kScriptDebugMode);
  }
}

// SCRIPT HELP
void CmdScriptHelp(CommandContext& ctx) { ReplyHelp(ctx.reply, "SCRIPT", kScriptHelp); }

// SCRIPT <subcommand>: only reached without a subcommand, which arity already refuses.
void CmdScript(CommandContext& ctx) { ctx.reply.Error(errors::WrongArity("script")); }

}  // namespace

std::vector<int> EvalKeys(const std::vector<std::string>& args) {
  int64_t numkeys = 0;
  if (args.size() < 3 || !ParseInt64(args[2], &numkeys) || numkeys < 0 ||
      numkeys > static_cast<int64_t>(args.size()) - 3) {
    return {};
  }
  std::vector<int> indexes;
  for (int i = 0; i < numkeys; ++i) indexes.push_back(3 + i);
  return indexes;
}

void ReplyScriptKill(CommandContext& ctx, bool is_eval) {
  switch (ctx.engine.scripts().Kill(is_eval)) {
    case ScriptEngine::KillResult::kNotBusy:
      ctx.reply.Error(errors::kNotBusy);
      return;
    case ScriptEngine::KillResult::kUnkillable:
      ctx.reply.Error(errors::kUnkillable);
      return;
    case ScriptEngine::KillResult::kWrongKind:
      // The other kind runs: SCRIPT KILL cannot stop a function, nor FUNCTION KILL a script.
      ctx.reply.Error(is_eval ? errors::kBusyFunction : errors::kBusyScript);
      return;
    case ScriptEngine::KillResult::kKilled:
      ctx.reply.Ok();
      return;
  }
}

void RegisterScriptingFamily(CommandTable& table) {
  constexpr uint32_t kEvalFlags =
      kCmdNoscript | kCmdStale | kCmdSkipMonitor | kCmdNoMandatoryKeys | kCmdMovableKeys;
  // EVAL and EVALSHA may replicate (a WRITE pause holds them unless the script declares
  // no-writes); the _RO forms do not, as in Redis 7.0.
  constexpr std::string_view kEvalComplexity = "Depends on the script that is executed.";
  table.Add({.name = "eval",
             .arity = -3,
             .flags = kEvalFlags | kCmdMayReplicate,
             .handler = CmdEval,
             .get_keys = EvalKeys,
             .group = "scripting",
             .summary = "Execute a Lua script server side",
             .since = "2.6.0",
             .complexity = std::string(kEvalComplexity)});
  table.Add({.name = "evalsha",
             .arity = -3,
             .flags = kEvalFlags | kCmdMayReplicate,
             .handler = CmdEvalSha,
             .get_keys = EvalKeys,
             .group = "scripting",
             .summary = "Execute a Lua script server side",
             .since = "2.6.0",
             .complexity = std::string(kEvalComplexity)});
  table.Add({.name = "eval_ro",
             .arity = -3,
             .flags = kEvalFlags | kCmdReadonly,
             .handler = CmdEvalRo,
             .get_keys = EvalKeys,
             .group = "scripting",
             .summary = "Execute a read-only Lua script server side",
             .since = "7.0.0",
             .complexity = std::string(kEvalComplexity)});
  table.Add({.name = "evalsha_ro",
             .arity = -3,
             .flags = kEvalFlags | kCmdReadonly,
             .handler = CmdEvalShaRo,
             .get_keys = EvalKeys,
             .group = "scripting",
             .summary = "Execute a read-only Lua script server side",
             .since = "7.0.0",
             .complexity = std::string(kEvalComplexity)});

  table.Add({.name = "script",
             .arity = -2,
             .handler = CmdScript,
             .group = "scripting",
             .summary = "A container for Lua scripts management commands",
             .since = "2.6.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("script", {.name = "debug",
                                 .arity = 3,
                                 .flags = kCmdNoscript,
                                 .handler = CmdScriptDebug,
                                 .group = "scripting",
                                 .summary = "Set the debug mode for executed scripts.",
                                 .since = "3.2.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("script",
                      {.name = "load",
                       .arity = 3,
                       .flags = kCmdNoscript | kCmdStale,
                       .handler = CmdScriptLoad,
                       .group = "scripting",
                       .summary = "Load the specified Lua script into the script cache.",
                       .since = "2.6.0",
                       .complexity = "O(N) with N being the length in bytes of the script body."});
  table.AddSubcommand(
      "script", {.name = "exists",
                 .arity = -3,
                 .flags = kCmdNoscript,
                 .handler = CmdScriptExists,
                 .group = "scripting",
                 .summary = "Check existence of scripts in the script cache.",
                 .since = "2.6.0",
                 .complexity = "O(N) with N being the number of scripts to check (so checking a "
                               "single script is an O(1) operation)."});
  table.AddSubcommand("script", {.name = "flush",
                                 .arity = -2,
                                 .flags = kCmdNoscript,
                                 .handler = CmdScriptFlush,
                                 .group = "scripting",
                                 .summary = "Remove all the scripts from the script cache.",
                                 .since = "2.6.0",
                                 .complexity = "O(N) with N being the number of scripts in cache"});
  table.AddSubcommand("script", {.name = "kill",
                                 .arity = 2,
                                 .flags = kCmdNoscript | kCmdAllowBusy,
                                 .handler = CmdScriptKill,
                                 .group = "scripting",
                                 .summary = "Kill the script currently in execution.",
                                 .since = "2.6.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("script", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdScriptHelp,
                                 .group = "scripting",
                                 .summary = "Show helpful text about the different subcommands",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
}

}  // namespace drayman
