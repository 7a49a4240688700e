// FunctionLibrary: Redis 7.0's function libraries (FUNCTION LOAD/DELETE/FLUSH/DUMP/RESTORE, and
// the lookup behind FCALL), on the Lua engine's second state (ScriptEngine::function_state()).
//
// Contract: a library is its whole code, starting with the "#!lua name=<lib>" shebang. Load()
// checks the shebang as Redis's functionExtractLibMetaData does, compiles the rest as
// "@user_function" and runs it once with a global environment that offers only
// `redis.register_function`, `redis.log`, the `redis.LOG_*` levels and `redis.REDIS_VERSION*`
// (any other global is "Script attempted to access nonexistent global variable"); the run is
// stopped after `timeout_ms` (0: never). The functions it registered (positional
// `(name, callback)` or the table form with function_name, callback, flags, description) join the
// library only if the whole load succeeds and no name collides with another library's function;
// a failed REPLACE leaves the old library in place. Error texts are Redis 7.0.15's, whole
// ("ERR ..."). Registered callbacks live in the state's registry until their library goes.
//
// Libraries are kept ordered by name and functions in registration order (Redis iterates hash
// tables, so its FUNCTION LIST and DUMP order is not defined either).
//
// Dump() is the RDB form of every library (opcode 245 + the code as an RDB string), what both an
// RDB file and FUNCTION DUMP's payload carry; Restore() reads that form back.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct lua_State;
struct lua_Debug;

namespace drayman {

class ScriptEngine;

class FunctionLibrary {
 public:
  struct Library;
  struct Function {
    std::string name;
    std::optional<std::string> description;
    uint32_t flags = 0;  // ScriptEngine::ScriptFlag bits
    int ref = 0;         // the callback, in the function state's registry
    const Library* library = nullptr;
  };
  struct Library {
    std::string name;
    std::string code;  // with its shebang, as loaded
    std::vector<std::unique_ptr<Function>> functions;
  };
  enum class RestorePolicy { kAppend, kReplace, kFlush };

  explicit FunctionLibrary(ScriptEngine& scripts);
  ~FunctionLibrary();
  FunctionLibrary(const FunctionLibrary&) = delete;
  FunctionLibrary& operator=(const FunctionLibrary&) = delete;

  // Called by ScriptEngine while it builds the function state: before Protect, AddLoadApi puts
  // the load-time `redis` table where the protection reaches it; after, TakeLoadApi moves it out
  // of the globals into the registry.
  static void AddLoadApi(lua_State* lua);
  static void TakeLoadApi(lua_State* lua);

  // FUNCTION LOAD [REPLACE]. On success *name is the library's name.
  bool Load(std::string_view code, bool replace, int64_t timeout_ms, std::string* name,
            std::string* error);
  // FUNCTION DELETE: false when there is no such library.
  bool Delete(std::string_view name);
  void Flush();
  const Function* Find(std::string_view name) const;

  const std::map<std::string, std::unique_ptr<Library>, std::less<>>& libraries() const {
    return libraries_;
  }
  size_t function_count() const { return functions_.size(); }
  // The libraries' code, bytes (Redis's used_memory_functions counts its structures instead).
  int64_t code_bytes() const;

  // Every library's code, in libraries() order (RDB files, AOF rewrites).
  std::vector<std::string> Codes() const;
  // Loads one library read from an RDB file (no time limit; `replace` for DEBUG RELOAD MERGE);
  // throws rdb::RdbError("Failed loading library, <why>") as Redis fails the load.
  void LoadFromRdb(const std::string& code, bool replace);

  // Every library as RDB opcodes (FUNCTION2 + code), in libraries() order.
  std::string Dump(bool compress) const;
  // Loads libraries from `body` (Dump's form) with a policy; all or nothing. Error texts are
  // FUNCTION RESTORE's ("ERR ..."). `timeout_ms` (0: none) bounds each library's load code, as
  // for Load: a payload's library can loop at load time.
  bool Restore(std::string_view body, RestorePolicy policy, int64_t timeout_ms, std::string* error);

 private:
  struct LoadContext;
  // Loads into `into` (a map of libraries plus its function index), no checks against others.
  std::unique_ptr<Library> Compile(std::string_view code, int64_t timeout_ms, std::string* name,
                                   std::string* error);
  void Link(std::unique_ptr<Library> library);
  std::unique_ptr<Library> Unlink(std::string_view name);
  void Free(Library& library);

  static std::string IndexKey(std::string_view name);
  static int LuaRegisterFunction(lua_State* lua);
  static void LoadHook(lua_State* lua, lua_Debug* debug);

  ScriptEngine& scripts_;
  std::map<std::string, std::unique_ptr<Library>, std::less<>> libraries_;
  std::unordered_map<std::string, const Function*> functions_;
};

}  // namespace drayman
