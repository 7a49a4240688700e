#include "broker/script/script_engine.h"

#include <sys/time.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "broker/acl/acl_dispatch.h"
#include "broker/base/errors.h"
#include "broker/command/command_table.h"
#include "broker/command/unimplemented.h"
#include "broker/engine.h"
#include "broker/resp/request_parser.h"
#include "broker/script/convert.h"
#include "broker/script/function_library.h"
#include "broker/script/sandbox.h"
#include "broker/script/sha1.h"
#include "lua.hpp"

namespace drayman {

namespace {

constexpr int kHookInstructions = 100000;
constexpr uint64_t kGcPeriod = 50;  // runs between incremental GC steps, as Redis

// Log levels as redis.log numbers them.
constexpr int kLogDebug = 0;
constexpr int kLogVerbose = 1;
constexpr int kLogNotice = 2;
constexpr int kLogWarning = 3;

char kEngineKey;  // registry key of the ScriptEngine*, for the count hook

int RaiseError(lua_State* lua, std::string_view message) {
  script::PushErrorTable(lua, message);
  return lua_error(lua);
}

// "7.0.15" -> 0x00070f, Redis's REDIS_VERSION_NUM.
int VersionNumber(std::string_view version) {
  int parts[3] = {0, 0, 0};
  int index = 0;
  for (char c : version) {
    if (c == '.') {
      if (++index == 3) break;
    } else if (c >= '0' && c <= '9') {
      parts[index] = parts[index] * 10 + (c - '0');
    }
  }
  return (parts[0] << 16) | (parts[1] << 8) | parts[2];
}

// Parses a "#!lua [flags=a,b]" first line. *shebang_length is the line's length without its
// newline (0 when there is no shebang).
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_length,
                  std::string* error) {
  *flags = 0;
  *shebang_length = 0;
  if (body.substr(0, 2) != "#!") return true;
  const size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    *error = errors::kInvalidShebang;
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(body.substr(0, end), &parts)) {
    *error = errors::kInvalidShebangEngine;
    return false;
  }
  if (parts.empty() || parts[0] != "#!lua") {
    *error = errors::UnexpectedShebangEngine(parts.empty() ? "" : parts[0]);
    return false;
  }
  static constexpr std::pair<std::string_view, uint32_t> kFlags[] = {
      {"no-writes", ScriptEngine::kNoWrites},
      {"allow-oom", ScriptEngine::kAllowOom},
      {"allow-stale", ScriptEngine::kAllowStale},
      {"no-cluster", ScriptEngine::kNoCluster},
      {"allow-cross-slot-keys", ScriptEngine::kAllowCrossSlotKeys},
  };
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (part.substr(0, 6) != "flags=") {
      *error = errors::UnknownShebangOption(parts[i]);
      return false;
    }
    std::string_view list = part.substr(6);
    while (!list.empty()) {
      const size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      uint32_t bit = 0;
      for (const auto& [flag_name, flag_bit] : kFlags) {
        if (name == flag_name) bit = flag_bit;
      }
      if (bit == 0) {
        *error = errors::UnexpectedShebangFlag(name);
        return false;
      }
      *flags |= bit;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
      if (list.empty()) {  // a trailing comma names an empty flag
        *error = errors::UnexpectedShebangFlag("");
        return false;
      }
    }
  }
  *shebang_length = end;
  return true;
}

int Verbosity(std::string_view loglevel) {
  if (loglevel == "debug") return kLogDebug;
  if (loglevel == "verbose") return kLogVerbose;
  if (loglevel == "notice") return kLogNotice;
  if (loglevel == "warning") return kLogWarning;
  return kLogWarning + 1;  // "nothing"
}

void Panic(lua_State* lua) {
  std::fprintf(stderr, "PANIC: unprotected error in call to Lua API (%s)\n",
               lua_isstring(lua, -1) ? lua_tostring(lua, -1) : "?");
  std::abort();
}

int PanicFunction(lua_State* lua) {
  Panic(lua);
  return 0;
}

// The error handler of every script run (Redis's __redis__err__handler): turns the error into
// {err=..., source=..., line=...} naming where it happened, skipping a C function (error,
// redis.call) to the Lua line that called it.
int ErrorHandler(lua_State* lua) {
  lua_settop(lua, 1);
  lua_Debug where{};
  bool found = lua_getstack(lua, 1, &where) && lua_getinfo(lua, "nSl", &where);
  if (found && std::strcmp(where.what, "C") == 0) {
    found = lua_getstack(lua, 2, &where) && lua_getinfo(lua, "nSl", &where);
  }
  if (!lua_istable(lua, 1)) {
    lua_pushvalue(lua, lua_upvalueindex(1));  // tostring
    lua_pushvalue(lua, 1);
    lua_call(lua, 1, 1);
    lua_pushlstring(lua, errors::kErrPrefix.data(), errors::kErrPrefix.size());
    lua_insert(lua, -2);
    lua_concat(lua, 2);
    lua_newtable(lua);
    lua_insert(lua, -2);
    lua_setfield(lua, -2, "err");
    lua_replace(lua, 1);
  }
  if (found) {
    lua_pushstring(lua, where.source);
    lua_setfield(lua, 1, "source");
    lua_pushinteger(lua, where.currentline);
    lua_setfield(lua, 1, "line");
  }
  return 1;
}

// Redis's pcall: an error table raised by redis.call comes back as its message string, as in
// Redis 6 (whose errors were strings).
int RedisPcall(lua_State* lua) {
  const int argc = lua_gettop(lua);
  if (argc == 0) {
    // Redis's version then calls its own `true` placeholder.
    lua_pushboolean(lua, 0);
    lua_pushstring(lua, "attempt to call a boolean value");
    return 2;
  }
  lua_pushboolean(lua, 1);
  lua_insert(lua, 1);
  if (lua_pcall(lua, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(lua, 1);
    if (lua_istable(lua, -1)) {
      lua_getfield(lua, -1, "err");
      if (lua_isstring(lua, -1)) lua_replace(lua, -2);
    }
    lua_pushboolean(lua, 0);
    lua_insert(lua, 1);
  }
  return lua_gettop(lua);
}

int LuaSha1Hex(lua_State* lua) {
  if (lua_gettop(lua) != 1) return RaiseError(lua, errors::kWrongNumberOfArgs);
  size_t length = 0;
  const char* text = lua_tolstring(lua, 1, &length);
  std::string digest = Sha1Hex(text ? std::string_view(text, length) : std::string_view());
  lua_pushlstring(lua, digest.data(), digest.size());
  return 1;
}

int LuaErrorReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    script::PushErrorTable(lua, errors::kScriptWrongArgsOrType);
    return 1;
  }
  size_t length = 0;
  const char* text = lua_tolstring(lua, -1, &length);
  std::string error;
  if (length == 0 || text[0] != '-') error.push_back('-');
  error.append(text, length);
  script::PushErrorTable(lua, error);
  return 1;
}

int LuaStatusReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
    script::PushErrorTable(lua, errors::kScriptWrongArgsOrType);
    return 1;
  }
  lua_newtable(lua);
  lua_pushvalue(lua, -2);
  lua_setfield(lua, -2, "ok");
  return 1;
}

int LuaReplicateCommands(lua_State* lua) {
  lua_pushboolean(lua, 1);
  return 1;
}

int LuaBreakpoint(lua_State* lua) {
  lua_pushboolean(lua, 0);  // no debugging session (SCRIPT DEBUG is not offered)
  return 1;
}

int LuaDebug(lua_State*) { return 0; }

void SetField(lua_State* lua, const char* name, lua_Number value) {
  lua_pushnumber(lua, value);
  lua_setfield(lua, -2, name);
}

void PushArray(lua_State* lua, const std::vector<std::string>& values) {
  lua_createtable(lua, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(lua, values[i].data(), values[i].size());
    lua_rawseti(lua, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

struct ScriptEngine::RunState {
  Client* caller;
  std::string sha;  // the script's SHA-1, or the function's name
  bool read_only;
  int64_t start_us;
  int64_t now_ms;
  bool allow_oom;  // shebang flag allow-oom: denyoom calls run even over maxmemory
  bool timed_out = false;
  bool wrote = false;
  bool killed = false;
  bool kill_logged = false;
  bool is_function = false;
};

ScriptEngine::ScriptEngine(Engine& engine)
    : engine_(engine), script_client_(std::make_unique<Client>(0, nullptr)) {
  script_client_->is_script_client = true;
  script_client_->name = "lua";
  CreateState();
  function_lua_ = NewState(/*for_functions=*/true, &function_error_handler_ref_);
  functions_ = std::make_unique<FunctionLibrary>(*this);
}

ScriptEngine::~ScriptEngine() {
  functions_.reset();
  if (lua_ != nullptr) CloseState();
  lua_gc(function_lua_, LUA_GCCOLLECT, 0);
  lua_close(function_lua_);
}

// CVE-2024-46981: closing a Lua state while a collection cycle is half done runs the remaining
// finalizers against a collector in an inconsistent state (Redis's use-after-free through
// SCRIPT FLUSH). Finishing a full cycle first leaves lua_close nothing but a clean state to free.
void ScriptEngine::CloseState() {
  lua_gc(lua_, LUA_GCCOLLECT, 0);
  lua_close(lua_);
  lua_ = nullptr;
}

void ScriptEngine::CreateState() { lua_ = NewState(/*for_functions=*/false, &error_handler_ref_); }

lua_State* ScriptEngine::NewState(bool for_functions, int* error_handler_ref) {
  lua_State* lua = luaL_newstate();
  if (lua == nullptr) {
    std::fprintf(stderr, "Unable to create the Lua state\n");
    std::abort();
  }
  lua_atpanic(lua, PanicFunction);
  lua_pushlightuserdata(lua, &kEngineKey);
  lua_pushlightuserdata(lua, this);
  lua_rawset(lua, LUA_REGISTRYINDEX);
  script::OpenLibraries(lua);
  RegisterRedisApi(lua, for_functions);
  lua_getfield(lua, LUA_GLOBALSINDEX, "tostring");
  lua_pushcclosure(lua, ErrorHandler, 1);
  if (!for_functions) {
    // EVAL's state has it as a global, as Redis 7.0's does; the functions' only in the registry.
    lua_pushvalue(lua, -1);
    lua_setfield(lua, LUA_GLOBALSINDEX, "__redis__err__handler");
  }
  *error_handler_ref = luaL_ref(lua, LUA_REGISTRYINDEX);
  if (for_functions) FunctionLibrary::AddLoadApi(lua);
  script::Protect(lua);
  if (for_functions) FunctionLibrary::TakeLoadApi(lua);
  return lua;
}

void ScriptEngine::RegisterRedisApi(lua_State* lua, bool for_functions) {
  (void)for_functions;
  auto set_closure = [&](const char* name, lua_CFunction function) {
    lua_pushlightuserdata(lua, this);
    lua_pushcclosure(lua, function, 1);
    lua_setfield(lua, -2, name);
  };
  auto set_function = [&](const char* name, lua_CFunction function) {
    lua_pushcfunction(lua, function);
    lua_setfield(lua, -2, name);
  };

  lua_newtable(lua);
  set_closure("call", LuaCall);
  set_closure("pcall", LuaPcallCommand);
  set_closure("log", LuaLog);
  SetField(lua, "LOG_DEBUG", kLogDebug);
  SetField(lua, "LOG_VERBOSE", kLogVerbose);
  SetField(lua, "LOG_NOTICE", kLogNotice);
  SetField(lua, "LOG_WARNING", kLogWarning);
  lua_pushlstring(lua, kRedisCompatVersion.data(), kRedisCompatVersion.size());
  lua_setfield(lua, -2, "REDIS_VERSION");
  SetField(lua, "REDIS_VERSION_NUM", VersionNumber(kRedisCompatVersion));
  set_closure("setresp", LuaSetResp);
  set_function("sha1hex", LuaSha1Hex);
  set_function("error_reply", LuaErrorReply);
  set_function("status_reply", LuaStatusReply);
  set_closure("set_repl", LuaSetRepl);
  // Replication targets: accepted and ignored (Drayman has no replicas; effects go to no AOF yet).
  SetField(lua, "REPL_NONE", 0);
  SetField(lua, "REPL_AOF", 1);
  SetField(lua, "REPL_SLAVE", 2);
  SetField(lua, "REPL_REPLICA", 2);
  SetField(lua, "REPL_ALL", 3);
  set_function("replicate_commands", LuaReplicateCommands);
  set_function("breakpoint", LuaBreakpoint);
  set_function("debug", LuaDebug);
  set_closure("acl_check_cmd", LuaAclCheckCmd);
  lua_setfield(lua, LUA_GLOBALSINDEX, "redis");

  lua_pushcfunction(lua, RedisPcall);
  lua_setfield(lua, LUA_GLOBALSINDEX, "pcall");

  lua_getfield(lua, LUA_GLOBALSINDEX, LUA_MATHLIBNAME);
  set_closure("random", LuaRandom);
  set_closure("randomseed", LuaRandomSeed);
  lua_pop(lua, 1);
}

const ScriptEngine::Script* ScriptEngine::Load(std::string_view body, std::string* sha,
                                               std::string* error) {
  *sha = Sha1Hex(body);
  if (auto it = scripts_.find(*sha); it != scripts_.end()) return &it->second;
  uint32_t flags = 0;
  size_t shebang_length = 0;
  if (!ParseShebang(body, &flags, &shebang_length, error)) return nullptr;
  // The shebang line stays as an empty line, so Lua's line numbers match the script's.
  if (script::LoadChunk(lua_, body.substr(shebang_length), "@user_script") != 0) {
    *error = errors::CompilingScript(lua_isstring(lua_, -1) ? lua_tostring(lua_, -1) : "?");
    lua_pop(lua_, 1);
    return nullptr;
  }
  Script& script = scripts_[*sha];
  script.body.assign(body);
  script.flags = flags;
  script.has_shebang = shebang_length > 0;
  script.function_ref = luaL_ref(lua_, LUA_REGISTRYINDEX);
  scripts_bytes_ += static_cast<int64_t>(body.size());
  return &script;
}

bool ScriptEngine::DeclaresDenyOom(std::string_view body_or_sha, bool is_sha) const {
  uint32_t flags = 0;
  return DeclaredFlags(body_or_sha, is_sha, &flags) && (flags & (kNoWrites | kAllowOom)) == 0;
}

bool ScriptEngine::DeclaredFlags(std::string_view body_or_sha, bool is_sha,
                                 uint32_t* flags) const {
  *flags = 0;
  if (is_sha) {
    const Script* script = Find(body_or_sha);
    if (script == nullptr || !script->has_shebang) return false;
    *flags = script->flags;
    return true;
  }
  size_t shebang_length = 0;
  std::string error;
  return ParseShebang(body_or_sha, flags, &shebang_length, &error) && shebang_length != 0;
}

const ScriptEngine::Script* ScriptEngine::Find(std::string_view sha) const {
  if (sha.size() != 40) return nullptr;
  auto it = scripts_.find(ToLower(sha));
  return it == scripts_.end() ? nullptr : &it->second;
}

void ScriptEngine::Flush() {
  // SCRIPT FLUSH is refused while a script runs (noscript, and not allowed while busy).
  if (running()) return;
  scripts_.clear();
  scripts_bytes_ = 0;
  CloseState();
  CreateState();
}

bool ScriptEngine::busy() const { return run_ != nullptr && run_->timed_out; }

bool ScriptEngine::running_function() const { return run_ != nullptr && run_->is_function; }

std::string_view ScriptEngine::running_name() const {
  return run_ != nullptr && run_->is_function ? std::string_view(run_->sha) : std::string_view();
}

int64_t ScriptEngine::running_ms() const {
  return run_ != nullptr ? (engine_.clock().NowUs() - run_->start_us) / 1000 : 0;
}

const std::vector<std::string>& ScriptEngine::caller_args() const {
  static const std::vector<std::string> kNone;
  return function_command_ != nullptr ? *function_command_ : kNone;
}

std::string_view ScriptEngine::busy_error() const {
  return running_function() ? errors::kBusyFunction : errors::kBusyScript;
}

const Client* ScriptEngine::caller() const { return run_ ? run_->caller : nullptr; }

int64_t ScriptEngine::now_ms() const { return run_ ? run_->now_ms : engine_.keyspace().now_ms(); }

int64_t ScriptEngine::lua_memory_bytes() const {
  return static_cast<int64_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024 + lua_gc(lua_, LUA_GCCOUNTB, 0);
}

int64_t ScriptEngine::function_lua_memory_bytes() const {
  return static_cast<int64_t>(lua_gc(function_lua_, LUA_GCCOUNT, 0)) * 1024 +
         lua_gc(function_lua_, LUA_GCCOUNTB, 0);
}

ScriptEngine::KillResult ScriptEngine::Kill(bool is_eval) {
  if (run_ == nullptr) return KillResult::kNotBusy;
  if (run_->wrote) return KillResult::kUnkillable;
  if (is_eval == run_->is_function) return KillResult::kWrongKind;
  run_->killed = true;
  return KillResult::kKilled;
}

void ScriptEngine::Abort() {
  if (run_ != nullptr) run_->killed = true;
}

void ScriptEngine::Run(Client& caller, ReplyBuilder& reply, std::string_view sha,
                       const Script& script, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args, bool read_only) {
  RunIn(lua_, error_handler_ref_, script.function_ref, caller, reply, sha,
        read_only || (script.flags & kNoWrites) != 0,
        script.has_shebang && (script.flags & kAllowOom) != 0, /*is_function=*/false, keys, args);
}

void ScriptEngine::RunFunction(Client& caller, ReplyBuilder& reply,
                               const std::vector<std::string>& command, std::string_view name,
                               int function_ref, uint32_t flags,
                               const std::vector<std::string>& keys,
                               const std::vector<std::string>& args, bool read_only) {
  function_command_ = &command;
  RunIn(function_lua_, function_error_handler_ref_, function_ref, caller, reply, name,
        read_only || (flags & kNoWrites) != 0, (flags & kAllowOom) != 0, /*is_function=*/true,
        keys, args);
  function_command_ = nullptr;
}

void ScriptEngine::RunIn(lua_State* lua, int error_handler_ref, int function_ref, Client& caller,
                         ReplyBuilder& reply, std::string_view sha, bool read_only,
                         bool allow_oom, bool is_function, const std::vector<std::string>& keys,
                         const std::vector<std::string>& args) {
  RunState run{&caller,         std::string(sha),           read_only,
               engine_.clock().NowUs(), engine_.keyspace().now_ms(), allow_oom};
  run.is_function = is_function;
  run_ = &run;
  struct ClearRun {
    ScriptEngine* self;
    ~ClearRun() { self->run_ = nullptr; }
  } clear_run{this};

  script_client_->db = caller.db;
  script_client_->reply().set_protocol(Protocol::kResp2);
  script_client_->output().clear();
  if (engine_.settings().busy_reply_threshold_ms > 0) {
    lua_sethook(lua, CountHook, LUA_MASKCOUNT, kHookInstructions);
  }
  lua_rawgeti(lua, LUA_REGISTRYINDEX, error_handler_ref);
  lua_rawgeti(lua, LUA_REGISTRYINDEX, function_ref);
  int nargs = 0;
  if (is_function) {
    // A function gets its keys and arguments as parameters; there are no KEYS/ARGV globals.
    PushArray(lua, keys);
    PushArray(lua, args);
    nargs = 2;
  } else {
    PushArray(lua, keys);
    script::SetGlobal(lua, "KEYS");
    PushArray(lua, args);
    script::SetGlobal(lua, "ARGV");
  }
  const int status = lua_pcall(lua, nargs, 1, -2 - nargs);
  lua_sethook(lua, nullptr, 0, 0);
  if (status != 0) {
    ReplyError(lua, reply, sha);
  } else {
    script::WriteReply(lua, reply, script_client_->protocol());
  }
  lua_pop(lua, 1);  // the error handler
  if (++runs_since_gc_ == kGcPeriod) {
    lua_gc(lua, LUA_GCSTEP, static_cast<int>(kGcPeriod));
    runs_since_gc_ = 0;
  }
}

void ScriptEngine::ReplyError(lua_State* lua, ReplyBuilder& reply, std::string_view sha) {
  if (!lua_istable(lua, -1)) {
    // The handler did not run (out of memory, error in the handler itself).
    std::string message = lua_isstring(lua, -1) ? lua_tostring(lua, -1) : "execution failure";
    reply.Error(errors::RunningScript(sha, message));
    lua_pop(lua, 1);
    return;
  }
  // Raw reads: a metamethod raising here would be outside any protected call.
  auto raw_string = [&](const char* name, std::string* out) {
    lua_pushstring(lua, name);
    lua_rawget(lua, -2);
    const bool present = lua_isstring(lua, -1);
    if (present) *out = lua_tostring(lua, -1);
    lua_pop(lua, 1);
    return present;
  };
  std::string message;
  std::string source;
  std::string line;
  // Redis 7.0 crashes on an error table without a message (error({})); later versions reply.
  if (!raw_string("err", &message)) message = errors::kScriptUnknownError;
  const bool has_source = raw_string("source", &source);
  const bool has_line = raw_string("line", &line);
  lua_pushstring(lua, "ignore_error_stats_update");
  lua_rawget(lua, -2);
  const bool ignore_stats = lua_isboolean(lua, -1) && lua_toboolean(lua, -1);
  lua_pop(lua, 2);
  if (has_source && has_line) {
    message += " script: ";
    message.append(sha);
    message += ", on " + source + ":" + line + ".";
  }
  script::WriteError(reply, message, !ignore_stats);
}

bool ScriptEngine::CallCommand(std::vector<std::string>& args, std::string* error) {
  const CommandTable& table = engine_.commands();
  const CommandSpec* spec = table.Find(args[0]);
  if (spec != nullptr && spec->is_container() && args.size() >= 2) {
    spec = table.FindSubcommand(*spec, args[1]);
  }
  auto refuse = [&](std::string_view text, const char* code = "ERR") {
    *error = text;
    // Counted here, where Redis counts it; the script's own error reply then is not.
    EngineStats& stats = engine_.stats();
    ++stats.total_error_replies;
    ++stats.error_counts[code];
    if (spec != nullptr) ++spec->stats.rejected_calls;
    return false;
  };
  if (spec == nullptr) {
    // Redis refuses its noscript commands Drayman lacks (replication, modules) by their flag.
    const UnimplementedCommand* row = FindUnimplemented(args);
    if (row == nullptr || !(row->flags & kCmdNoscript)) {
      return refuse(errors::kScriptUnknownCommand);
    }
    if (!ArityFits(*row, static_cast<int>(args.size()))) return refuse(errors::kScriptWrongArity);
    return refuse(errors::kScriptNoscriptCommand);
  }
  const int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
    return refuse(errors::kScriptWrongArity);
  }
  if (spec->flags & kCmdNoscript) return refuse(errors::kScriptNoscriptCommand);
  // ACL (broker/acl/): the caller's user, checked as Redis's scriptVerifyACL does.
  if (std::string refusal = ScriptRefusal(engine_, *run_->caller, *spec, args); !refusal.empty()) {
    return refuse(refusal);
  }
  if ((spec->flags & kCmdWrite) && run_->read_only) return refuse(errors::kScriptWriteFromReadOnly);
  // Redis's scriptVerifyOOM: over maxmemory when the script started, its denyoom calls are
  // refused until it has written (it cannot be stopped half-way after a write).
  if ((spec->flags & kCmdDenyOom) && !run_->allow_oom && !run_->wrote &&
      engine_.pre_command_oom()) {
    return refuse("-" + std::string(errors::kOom), "OOM");
  }
  if (spec->flags & kCmdWrite) {
    run_->wrote = true;  // from now on SCRIPT KILL answers UNKILLABLE
  }
  engine_.Execute(*script_client_, args);
  return true;
}

ScriptEngine& ScriptEngine::FromUpvalue(lua_State* lua) {
  return *static_cast<ScriptEngine*>(lua_touserdata(lua, lua_upvalueindex(1)));
}

int ScriptEngine::LuaCommand(lua_State* lua, bool raise) {
  ScriptEngine& self = FromUpvalue(lua);
  if (self.run_ == nullptr) return RaiseError(lua, errors::kScriptOutsideScript);
  const int argc = lua_gettop(lua);
  if (argc == 0) {
    script::PushErrorTable(lua, errors::kScriptNoArguments);
    return raise ? lua_error(lua) : 1;
  }
  // A re-entered call (refused below) must not overwrite the running call's arguments.
  std::vector<std::string> reentered_args;
  std::vector<std::string>& args = self.in_command_ ? reentered_args : self.call_args_;
  args.resize(static_cast<size_t>(argc));
  bool all_valid = true;
  for (int j = 1; j <= argc; ++j) {
    if (lua_type(lua, j) == LUA_TNUMBER) {
      // Not lua_tolstring: Lua's "%.14g" would lose precision.
      char buffer[64];
      int length = std::snprintf(buffer, sizeof(buffer), "%.17g", lua_tonumber(lua, j));
      args[j - 1].assign(buffer, static_cast<size_t>(length));
      continue;
    }
    size_t length = 0;
    const char* text = lua_tolstring(lua, j, &length);
    if (text == nullptr) {
      all_valid = false;
      break;
    }
    args[j - 1].assign(text, length);
  }
  lua_pop(lua, argc);
  if (!all_valid) {
    script::PushErrorTable(lua, errors::kScriptBadArgumentType);
    return raise ? lua_error(lua) : 1;
  }
  if (self.in_command_) {
    self.Log(kLogWarning, errors::kScriptRecursiveCall);
    script::PushErrorTable(lua, errors::kScriptRecursiveCall);
    return 1;
  }
  std::string error;
  self.in_command_ = true;
  const bool executed = self.CallCommand(args, &error);
  self.in_command_ = false;
  // Large arguments are not kept for the life of the script engine.
  for (std::string& arg : args) {
    if (arg.capacity() > 4096) std::string().swap(arg);
  }
  if (!executed) {
    script::PushErrorTable(lua, error);
    lua_pushboolean(lua, 1);
    lua_setfield(lua, -2, "ignore_error_stats_update");
    return raise ? lua_error(lua) : 1;
  }
  std::string& output = self.script_client_->output();
  const bool is_error = !output.empty() && output[0] == '-';
  if (script::PushReply(lua, output) == 0) {
    output.clear();
    return RaiseError(lua, errors::kScriptReplyUnreadable);
  }
  output.clear();
  if (raise && is_error) return lua_error(lua);
  return 1;
}

int ScriptEngine::LuaCall(lua_State* lua) { return LuaCommand(lua, true); }

int ScriptEngine::LuaPcallCommand(lua_State* lua) { return LuaCommand(lua, false); }

int ScriptEngine::LuaLog(lua_State* lua) {
  ScriptEngine& self = FromUpvalue(lua);
  const int argc = lua_gettop(lua);
  if (argc < 2) return RaiseError(lua, errors::kLogNeedsTwoArgs);
  if (!lua_isnumber(lua, -argc))
    return RaiseError(lua, errors::kLogLevelNotNumber);
  const int level = static_cast<int>(lua_tonumber(lua, -argc));
  if (level < kLogDebug || level > kLogWarning) return RaiseError(lua, errors::kLogLevelInvalid);
  const Settings& settings = self.engine_.settings();
  if (level < Verbosity(settings.loglevel)) return 0;
  std::string message;
  for (int j = 1; j < argc; ++j) {
    size_t length = 0;
    const char* text = lua_tolstring(lua, -argc + j, &length);
    if (text == nullptr) continue;
    if (j != 1) message.push_back(' ');
    message.append(text, length);
  }
  self.Log(level, message);
  return 0;
}

int ScriptEngine::LuaSetResp(lua_State* lua) {
  ScriptEngine& self = FromUpvalue(lua);
  if (self.run_ == nullptr) {
    return RaiseError(lua, errors::kSetrespOutsideScript);
  }
  const int argc = lua_gettop(lua);
  if (argc != 1) return RaiseError(lua, errors::kSetrespOneArgument);
  const int resp = static_cast<int>(lua_tonumber(lua, -argc));
  if (resp != 2 && resp != 3) return RaiseError(lua, errors::kSetrespVersion);
  self.script_client_->reply().set_protocol(resp == 3 ? Protocol::kResp3 : Protocol::kResp2);
  return 0;
}

int ScriptEngine::LuaSetRepl(lua_State* lua) {
  ScriptEngine& self = FromUpvalue(lua);
  if (self.run_ == nullptr) {
    return RaiseError(lua, errors::kSetReplOutsideScript);
  }
  if (lua_gettop(lua) != 1) return RaiseError(lua, errors::kSetReplOneArgument);
  const int flags = static_cast<int>(lua_tonumber(lua, -1));
  if ((flags & ~3) != 0) {
    return RaiseError(lua, errors::kSetReplFlags);
  }
  return 0;
}

int ScriptEngine::LuaAclCheckCmd(lua_State* lua) {
  ScriptEngine& self = FromUpvalue(lua);
  if (self.run_ == nullptr) {
    return RaiseError(lua, errors::kAclCheckCmdOutsideScript);
  }
  const int argc = lua_gettop(lua);
  if (argc == 0) return RaiseError(lua, errors::kScriptNoArguments);
  std::vector<std::string> args;
  for (int j = 1; j <= argc; ++j) {
    size_t length = 0;
    const char* text = lua_type(lua, j) == LUA_TNUMBER || lua_type(lua, j) == LUA_TSTRING
                           ? lua_tolstring(lua, j, &length)
                           : nullptr;
    if (text == nullptr) return RaiseError(lua, errors::kScriptBadArgumentType);
    args.emplace_back(text, length);
  }
  const CommandTable& table = self.engine_.commands();
  const CommandSpec* spec = table.Find(args[0]);
  if (spec != nullptr && spec->is_container() && args.size() >= 2) {
    spec = table.FindSubcommand(*spec, args[1]);
  }
  if (spec == nullptr) return RaiseError(lua, errors::kAclCheckCmdInvalid);
  lua_pushboolean(lua, 1);  // one user with every permission
  return 1;
}

int ScriptEngine::LuaRandom(lua_State* lua) {
  ScriptEngine& self = FromUpvalue(lua);
  // Lua 5.1's math.random with Redis's generator in place of rand().
  const lua_Number r = static_cast<lua_Number>(self.rand_.Next() % Rand48::kMax) /
                       static_cast<lua_Number>(Rand48::kMax);
  switch (lua_gettop(lua)) {
    case 0:
      lua_pushnumber(lua, r);
      break;
    case 1: {
      const int upper = luaL_checkint(lua, 1);
      luaL_argcheck(lua, 1 <= upper, 1, "interval is empty");
      lua_pushnumber(lua, std::floor(r * upper) + 1);
      break;
    }
    case 2: {
      const int lower = luaL_checkint(lua, 1);
      const int upper = luaL_checkint(lua, 2);
      luaL_argcheck(lua, lower <= upper, 2, "interval is empty");
      // upper - lower + 1 wraps around in Redis's C for the widest intervals (-2^31..2^31-1
      // gives 0); the same 32-bit wrap-around, without the signed overflow.
      const auto width =
          static_cast<int32_t>(static_cast<uint32_t>(upper) - static_cast<uint32_t>(lower) + 1u);
      lua_pushnumber(lua, std::floor(r * width) + lower);
      break;
    }
    default:
      return luaL_error(lua, "%s", errors::kWrongNumberOfArgs.data());
  }
  return 1;
}

int ScriptEngine::LuaRandomSeed(lua_State* lua) {
  FromUpvalue(lua).rand_.Seed(luaL_checkint(lua, 1));
  return 0;
}

void ScriptEngine::CountHook(lua_State* lua, lua_Debug*) {
  lua_pushlightuserdata(lua, &kEngineKey);
  lua_rawget(lua, LUA_REGISTRYINDEX);
  auto* self = static_cast<ScriptEngine*>(lua_touserdata(lua, -1));
  lua_pop(lua, 1);
  RunState* run = self->run_;
  if (run == nullptr) return;
  if (!run->timed_out) {
    const int64_t threshold_ms = self->engine_.settings().busy_reply_threshold_ms;
    const int64_t elapsed_ms = (self->engine_.clock().NowUs() - run->start_us) / 1000;
    if (threshold_ms <= 0 || elapsed_ms < threshold_ms) return;
    run->timed_out = true;
    self->Log(kLogWarning, "Slow script detected: still in execution after " +
                               std::to_string(elapsed_ms) +
                               " milliseconds. You can try killing the script using the SCRIPT "
                               "KILL command. Script name is: " +
                               run->sha + ".");
  }
  if (!run->killed && self->engine_.serve_while_busy) self->engine_.serve_while_busy();
  if (!run->killed) return;
  if (!run->kill_logged) {
    run->kill_logged = true;
    self->Log(kLogWarning, "Lua script killed by user with SCRIPT KILL.");
  }
  // From now on every line raises again, so a pcall in the script cannot keep it running.
  lua_sethook(lua, CountHook, LUA_MASKLINE, 0);
  RaiseError(lua, errors::kScriptKilled);
}

// Through the engine's log sink, like every other line: the host applies loglevel, logfile and
// syslog (redis.log's levels are LogLevel's, 0 to 3).
void ScriptEngine::Log(int level, std::string_view message) {
  engine_.Log(static_cast<LogLevel>(level), message);
}

}  // namespace drayman
