// ScriptEngine: Lua 5.1 scripting behind EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT, with
// Redis 7.0's semantics.
//
// Contract: one lua_State per Engine, created with the engine and recreated by Flush(). Scripts
// are compiled once and cached by the lowercase hex SHA-1 of their body (a "#!lua flags=..."
// first line is parsed and kept out of the code Lua sees, line numbers unchanged). Run() executes
// a cached script for a caller and appends exactly one reply: the script's return value
// converted with Redis's rules (broker/script/convert.h) or the script's error, formatted as
// Redis 7.0 formats it ("ERR user_script:1: ... script: <sha>, on @user_script:1.").
//
// redis.call/redis.pcall check the command as Redis does (unknown, arity, noscript, writes from
// a read-only script) and then run it through Engine::Execute on a dedicated script client
// (is_script_client) whose database starts as the caller's and whose protocol is RESP2 unless
// the script calls redis.setresp(3); the reply bytes are converted back to Lua. Commands run by
// a script see the script's start time as "now". Scripts may touch keys they did not declare.
// The sandbox (broker/script/sandbox.h) makes globals read-only and leaves out os, io, package,
// debug and bytecode loading; math.random is Redis's deterministic generator.
//
// Busy scripts: when busy-reply-threshold (ms, 0 = never) is set, a count hook checks the elapsed
// time every 100000 Lua instructions. Past the threshold the script is "busy": the hook calls
// Engine::serve_while_busy so the transport can serve other clients, who get errors::kBusyScript
// except for allow-busy commands such as SCRIPT KILL. Kill() makes the hook raise "Script killed by
// user with SCRIPT KILL..." (on every line, so pcall cannot swallow it) unless the script already
// ran a write command; Abort() does so regardless (shutdown).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/base/errors.h"
#include "broker/client.h"
#include "broker/script/rand48.h"

struct lua_State;
struct lua_Debug;

namespace drayman {

class Engine;

class FunctionLibrary;

class ScriptEngine {
 public:
  // Flags of a "#!lua flags=..." shebang.
  enum ScriptFlag : uint32_t {
    kNoWrites = 1u << 0,
    kAllowOom = 1u << 1,
    kAllowStale = 1u << 2,
    kNoCluster = 1u << 3,
    kAllowCrossSlotKeys = 1u << 4,
  };

  struct Script {
    std::string body;
    uint32_t flags = 0;
    bool has_shebang = false;  // flags declared: Redis's non-compat (shebang) mode
    int function_ref = 0;      // the compiled chunk, in the Lua registry
  };

  // kWrongKind: SCRIPT KILL of a function or FUNCTION KILL of an EVAL (Redis's BUSY texts).
  enum class KillResult { kNotBusy, kUnkillable, kKilled, kWrongKind };

  explicit ScriptEngine(Engine& engine);
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  // Compiles and caches `body` unless it is cached already; *sha receives its SHA-1. On failure
  // returns nullptr with the whole error text in *error ("ERR Error compiling script ...").
  const Script* Load(std::string_view body, std::string* sha, std::string* error);
  // Whether EVAL/EVALSHA of this body (or cached SHA) counts as denyoom: a script with a
  // shebang that declares neither no-writes nor allow-oom (scripts without one run in
  // compatibility mode, where only their denyoom calls are checked).
  bool DeclaresDenyOom(std::string_view body_or_sha, bool is_sha) const;
  // The ScriptFlag bits EVAL/EVALSHA of this body (or cached SHA) declares in its shebang; false
  // when it has none (compatibility mode), is not cached (EVALSHA) or its shebang is invalid.
  bool DeclaredFlags(std::string_view body_or_sha, bool is_sha, uint32_t* flags) const;
  // The cached script for a SHA in any letter case, or nullptr.
  const Script* Find(std::string_view sha) const;
  // SCRIPT FLUSH: forgets every script and starts a fresh Lua state (math.random's sequence
  // continues, as in Redis).
  void Flush();

  // Runs `script` (cached under `sha`) for `caller` and appends its reply to `reply`. `read_only`
  // is EVAL_RO/EVALSHA_RO; a script flagged no-writes is read-only too.
  void Run(Client& caller, ReplyBuilder& reply, std::string_view sha, const Script& script,
           const std::vector<std::string>& keys, const std::vector<std::string>& args,
           bool read_only);

  // Runs a library function (FCALL/FCALL_RO) in the functions' own Lua state: `function_ref` is
  // the callback in that state's registry; keys and args are its two parameters. The caller has
  // checked the function's flags against the command (broker/families/function_family.cc).
  void RunFunction(Client& caller, ReplyBuilder& reply, const std::vector<std::string>& command,
                   std::string_view name, int function_ref,
                   uint32_t flags, const std::vector<std::string>& keys,
                   const std::vector<std::string>& args, bool read_only);
  // The Lua state libraries are loaded into (Redis keeps functions apart from EVAL's state, so
  // SCRIPT FLUSH leaves them alone).
  lua_State* function_state() const { return function_lua_; }
  FunctionLibrary& functions() { return *functions_; }
  const FunctionLibrary& functions() const { return *functions_; }

  bool running() const { return run_ != nullptr; }
  // A function (not an EVAL script) is running.
  bool running_function() const;
  // The running function's name ("" for EVAL scripts) and how long it has run.
  std::string_view running_name() const;
  int64_t running_ms() const;
  // The running function's FCALL command (FUNCTION STATS).
  const std::vector<std::string>& caller_args() const;
  // What other clients get while the script is busy: the EVAL or the FUNCTION text.
  std::string_view busy_error() const;
  // Past busy-reply-threshold: other clients get errors::kBusyScript.
  bool busy() const;
  // The client whose script is running, or nullptr.
  const Client* caller() const;
  // The time commands run by the script see.
  int64_t now_ms() const;

  // SCRIPT KILL (is_eval) or FUNCTION KILL.
  KillResult Kill(bool is_eval = true);
  // Stops the running script even if it wrote (the server is shutting down).
  void Abort();

  size_t cached_scripts() const { return scripts_.size(); }
  int64_t scripts_memory_bytes() const { return scripts_bytes_; }
  int64_t lua_memory_bytes() const;
  int64_t function_lua_memory_bytes() const;

 private:
  struct RunState;

  // A sandboxed state with the redis API; `*error_handler_ref` gets the error handler.
  lua_State* NewState(bool for_functions, int* error_handler_ref);
  void CreateState();
  void CloseState();  // a full collection, then lua_close
  void RegisterRedisApi(lua_State* lua, bool for_functions);
  void RunIn(lua_State* lua, int error_handler_ref, int function_ref, Client& caller,
             ReplyBuilder& reply, std::string_view name, bool read_only, bool allow_oom,
             bool is_function, const std::vector<std::string>& keys,
             const std::vector<std::string>& args);
  // The checks Redis makes before a script's command, then Engine::Execute. Returns false with
  // the error text (counted in INFO errorstats) when the command is refused.
  bool CallCommand(std::vector<std::string>& args, std::string* error);
  void ReplyError(lua_State* lua, ReplyBuilder& reply, std::string_view sha);
  void Log(int level, std::string_view message);

  static ScriptEngine& FromUpvalue(lua_State* lua);
  static int LuaCommand(lua_State* lua, bool raise);
  static int LuaCall(lua_State* lua);
  static int LuaPcallCommand(lua_State* lua);
  static int LuaLog(lua_State* lua);
  static int LuaSetResp(lua_State* lua);
  static int LuaSetRepl(lua_State* lua);
  static int LuaAclCheckCmd(lua_State* lua);
  static int LuaRandom(lua_State* lua);
  static int LuaRandomSeed(lua_State* lua);
  static void CountHook(lua_State* lua, lua_Debug* debug);

  Engine& engine_;
  lua_State* lua_ = nullptr;
  int error_handler_ref_ = 0;
  std::unordered_map<std::string, Script> scripts_;
  int64_t scripts_bytes_ = 0;
  std::unique_ptr<Client> script_client_;
  RunState* run_ = nullptr;
  bool in_command_ = false;  // redis.call is running a command (guards against re-entry)
  // redis.call's arguments, reused from call to call (their strings keep their buffers).
  std::vector<std::string> call_args_;
  Rand48 rand_;
  uint64_t runs_since_gc_ = 0;
  lua_State* function_lua_ = nullptr;
  int function_error_handler_ref_ = 0;
  std::unique_ptr<FunctionLibrary> functions_;
  const std::vector<std::string>* function_command_ = nullptr;
};

}  // namespace drayman
