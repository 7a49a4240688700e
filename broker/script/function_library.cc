#include "broker/script/function_library.h"

#include <chrono>
#include <cstring>

#include "broker/base/errors.h"
#include "broker/persistence/rdb_decode.h"
#include "broker/persistence/rdb_format.h"
#include "broker/resp/request_parser.h"
#include "broker/script/convert.h"
#include "broker/script/sandbox.h"
#include "broker/script/script_engine.h"
#include "lua.hpp"

namespace drayman {

namespace {

constexpr const char* kLoadApiGlobal = "__drayman_function_load_api";
constexpr int kHookInstructions = 100000;

char kLoadApiKey;      // registry: the real table of load-time globals
char kGlobalsKey;      // registry: the real globals table
char kLoadContextKey;  // registry: the LoadContext* of the running FUNCTION LOAD

// Redis's functionsVerifyName: [a-zA-Z0-9_]+.
bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Redis's scripts_flags_def, in its order (FUNCTION LIST lists flags in this order).
constexpr std::pair<std::string_view, uint32_t> kFlagNames[] = {
    {"no-writes", ScriptEngine::kNoWrites},
    {"allow-oom", ScriptEngine::kAllowOom},
    {"allow-stale", ScriptEngine::kAllowStale},
    {"no-cluster", ScriptEngine::kNoCluster},
    {"allow-cross-slot-keys", ScriptEngine::kAllowCrossSlotKeys},
};

void PushRegistry(lua_State* lua, char* key) {
  lua_pushlightuserdata(lua, key);
  lua_rawget(lua, LUA_REGISTRYINDEX);
}

// The shebang's metadata (functionExtractLibMetaData). `body` keeps the shebang's newline, so
// line numbers count the shebang line.
bool ExtractMetadata(std::string_view code, std::string* engine, std::string* name,
                     std::string_view* body, std::string* error) {
  if (code.substr(0, 2) != "#!") {
    *error = errors::kMissingLibraryMetadata;
    return false;
  }
  // Redis reads the payload as a C string.
  const size_t nul = code.find('\0');
  const size_t end = code.substr(0, nul).find('\n');
  if (end == std::string_view::npos) {
    *error = errors::kInvalidLibraryMetadata;
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(code.substr(0, end), &parts) || parts.empty()) {
    *error = errors::kInvalidLibraryMetadata;
    return false;
  }
  *engine = parts[0].substr(2);
  bool has_name = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].size() >= 5 && EqualsNoCase(std::string_view(parts[i]).substr(0, 5), "name=")) {
      if (has_name) {
        *error = errors::kLibraryNameTwice;
        return false;
      }
      has_name = true;
      *name = parts[i].substr(5);
      continue;
    }
    *error = errors::InvalidMetadataValue(parts[i].substr(0, parts[i].find('\0')));
    return false;
  }
  if (!has_name) {
    *error = errors::kLibraryNameNotGiven;
    return false;
  }
  *body = code.substr(end);
  return true;
}

// Redis's luaGetStringSds: strings and numbers (converted in place, as lua_tostring does).
bool GetString(lua_State* lua, int index, std::string* out) {
  if (!lua_isstring(lua, index)) return false;
  size_t length = 0;
  const char* text = lua_tolstring(lua, index, &length);
  out->assign(text, length);
  return true;
}

int RaiseError(lua_State* lua, std::string_view message) {
  script::PushErrorTable(lua, message);
  return lua_error(lua);
}

}  // namespace

struct FunctionLibrary::LoadContext {
  FunctionLibrary::Library* library;
  std::chrono::steady_clock::time_point start;
  int64_t timeout_ms;
};

FunctionLibrary::FunctionLibrary(ScriptEngine& scripts) : scripts_(scripts) {}

FunctionLibrary::~FunctionLibrary() { Flush(); }

void FunctionLibrary::AddLoadApi(lua_State* lua) {
  lua_newtable(lua);  // the load-time globals
  lua_newtable(lua);  // their `redis`
  lua_pushcfunction(lua, LuaRegisterFunction);
  lua_setfield(lua, -2, "register_function");
  lua_getfield(lua, LUA_GLOBALSINDEX, "redis");
  for (const char* field : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                            "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(lua, -1, field);
    lua_setfield(lua, -3, field);
  }
  lua_pop(lua, 1);
  lua_setfield(lua, -2, "redis");
  lua_setfield(lua, LUA_GLOBALSINDEX, kLoadApiGlobal);
}

void FunctionLibrary::TakeLoadApi(lua_State* lua) {
  const int base = lua_gettop(lua);
  lua_getmetatable(lua, LUA_GLOBALSINDEX);  // the globals proxy's metatable
  lua_getfield(lua, -1, "__index");         // the real globals
  const int globals = lua_gettop(lua);
  lua_pushlightuserdata(lua, &kGlobalsKey);
  lua_pushvalue(lua, globals);
  lua_rawset(lua, LUA_REGISTRYINDEX);
  lua_pushstring(lua, kLoadApiGlobal);
  lua_rawget(lua, globals);  // the load globals' proxy
  lua_pushstring(lua, kLoadApiGlobal);
  lua_pushnil(lua);
  lua_rawset(lua, globals);
  // Proxy -> real table; the real load globals and their `redis` get the globals' "nonexistent
  // global variable" metatable, as Redis's luaSetErrorMetatable gives them.
  lua_getmetatable(lua, -1);
  lua_getfield(lua, -1, "__index");
  const int load_globals = lua_gettop(lua);
  lua_getmetatable(lua, globals);
  const int error_mt = lua_gettop(lua);
  lua_pushvalue(lua, error_mt);
  lua_setmetatable(lua, load_globals);
  lua_pushstring(lua, "redis");
  lua_rawget(lua, load_globals);  // the redis proxy
  lua_getmetatable(lua, -1);
  lua_getfield(lua, -1, "__index");  // the real load-time redis table
  lua_pushvalue(lua, error_mt);
  lua_setmetatable(lua, -2);
  lua_pushlightuserdata(lua, &kLoadApiKey);
  lua_pushvalue(lua, load_globals);
  lua_rawset(lua, LUA_REGISTRYINDEX);
  lua_settop(lua, base);
}

// The function index ignores letter case, as Redis's functionDictType does (names inside one
// library do not).
std::string FunctionLibrary::IndexKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

const FunctionLibrary::Function* FunctionLibrary::Find(std::string_view name) const {
  auto it = functions_.find(IndexKey(name));
  return it == functions_.end() ? nullptr : it->second;
}

int64_t FunctionLibrary::code_bytes() const {
  int64_t bytes = 0;
  for (const auto& [name, library] : libraries_)
    bytes += static_cast<int64_t>(library->code.size());
  return bytes;
}

void FunctionLibrary::Free(Library& library) {
  lua_State* lua = scripts_.function_state();
  for (const auto& function : library.functions) luaL_unref(lua, LUA_REGISTRYINDEX, function->ref);
  library.functions.clear();
}

void FunctionLibrary::Link(std::unique_ptr<Library> library) {
  // emplace: a second name equal but for case stays out of the index, as dictAdd leaves it.
  for (const auto& function : library->functions) {
    functions_.emplace(IndexKey(function->name), function.get());
  }
  libraries_[library->name] = std::move(library);
}

std::unique_ptr<FunctionLibrary::Library> FunctionLibrary::Unlink(std::string_view name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return nullptr;
  std::unique_ptr<Library> library = std::move(it->second);
  libraries_.erase(it);
  for (const auto& function : library->functions) functions_.erase(IndexKey(function->name));
  return library;
}

bool FunctionLibrary::Delete(std::string_view name) {
  std::unique_ptr<Library> library = Unlink(name);
  if (library == nullptr) return false;
  Free(*library);
  return true;
}

void FunctionLibrary::Flush() {
  for (auto& [name, library] : libraries_) Free(*library);
  libraries_.clear();
  functions_.clear();
}

std::unique_ptr<FunctionLibrary::Library> FunctionLibrary::Compile(std::string_view code,
                                                                   int64_t timeout_ms,
                                                                   std::string* name,
                                                                   std::string* error) {
  std::string engine;
  std::string_view body;
  if (!ExtractMetadata(code, &engine, name, &body, error)) return nullptr;
  if (!ValidName(*name)) {
    *error = errors::Err(errors::kBadLibraryName);
    return nullptr;
  }
  if (!EqualsNoCase(engine, "lua")) {
    *error = errors::EngineNotFound(engine);
    return nullptr;
  }
  auto library = std::make_unique<Library>();
  library->name = *name;
  library->code.assign(code);

  lua_State* lua = scripts_.function_state();
  const int base = lua_gettop(lua);
  if (script::LoadChunk(lua, body, "@user_function") != 0) {
    *error = errors::CompilingFunction(lua_isstring(lua, -1) ? lua_tostring(lua, -1) : "?");
    lua_settop(lua, base);
    return nullptr;
  }
  // The chunk runs with the load-time globals behind the globals proxy (Redis swaps the
  // globals' __index the same way), then the real ones come back.
  lua_getmetatable(lua, LUA_GLOBALSINDEX);
  PushRegistry(lua, &kLoadApiKey);
  lua_setfield(lua, -2, "__index");
  lua_pop(lua, 1);
  LoadContext context{library.get(), std::chrono::steady_clock::now(), timeout_ms};
  lua_pushlightuserdata(lua, &kLoadContextKey);
  lua_pushlightuserdata(lua, &context);
  lua_rawset(lua, LUA_REGISTRYINDEX);
  lua_sethook(lua, LoadHook, LUA_MASKCOUNT, kHookInstructions);
  const int status = lua_pcall(lua, 0, 0, 0);
  lua_sethook(lua, nullptr, 0, 0);
  lua_pushlightuserdata(lua, &kLoadContextKey);
  lua_pushnil(lua);
  lua_rawset(lua, LUA_REGISTRYINDEX);
  lua_getmetatable(lua, LUA_GLOBALSINDEX);
  PushRegistry(lua, &kGlobalsKey);
  lua_setfield(lua, -2, "__index");
  lua_pop(lua, 1);
  if (status != 0) {
    // Redis's luaExtractErrorInformation: a string gets "ERR ", an error table gives its err.
    std::string message = "(null)";
    if (lua_type(lua, -1) == LUA_TSTRING || lua_type(lua, -1) == LUA_TNUMBER) {
      message = errors::Err(lua_tostring(lua, -1));
    } else if (lua_istable(lua, -1)) {
      lua_pushstring(lua, "err");
      lua_rawget(lua, -2);
      if (lua_isstring(lua, -1)) message = lua_tostring(lua, -1);
      lua_pop(lua, 1);
    }
    *error = errors::RegisteringFunctions(message);
    lua_settop(lua, base);
    Free(*library);
    return nullptr;
  }
  lua_settop(lua, base);
  if (library->functions.empty()) {
    *error = errors::kNoFunctionsRegistered;
    return nullptr;
  }
  return library;
}

bool FunctionLibrary::Load(std::string_view code, bool replace, int64_t timeout_ms,
                           std::string* name, std::string* error) {
  // Redis checks the metadata, the name and the engine before it looks for the old library.
  {
    std::string engine;
    std::string_view body;
    if (!ExtractMetadata(code, &engine, name, &body, error)) return false;
    if (!ValidName(*name)) {
      *error = errors::Err(errors::kBadLibraryName);
      return false;
    }
    if (!EqualsNoCase(engine, "lua")) {
      *error = errors::EngineNotFound(engine);
      return false;
    }
    if (!replace && libraries_.contains(*name)) {
      *error = errors::LibraryExists(*name);
      return false;
    }
  }
  std::unique_ptr<Library> old = Unlink(*name);
  std::unique_ptr<Library> library = Compile(code, timeout_ms, name, error);
  if (library != nullptr) {
    for (const auto& function : library->functions) {
      if (functions_.contains(IndexKey(function->name))) {
        *error = errors::FunctionExists(function->name);
        Free(*library);
        library.reset();
        break;
      }
    }
  }
  if (library == nullptr) {
    if (old != nullptr) Link(std::move(old));
    return false;
  }
  Link(std::move(library));
  if (old != nullptr) Free(*old);
  return true;
}

std::vector<std::string> FunctionLibrary::Codes() const {
  std::vector<std::string> codes;
  codes.reserve(libraries_.size());
  for (const auto& [name, library] : libraries_) codes.push_back(library->code);
  return codes;
}

void FunctionLibrary::LoadFromRdb(const std::string& code, bool replace) {
  std::string name;
  std::string error;
  if (!Load(code, replace, /*timeout_ms=*/0, &name, &error)) {
    if (error.starts_with(errors::kErrPrefix)) error.erase(0, errors::kErrPrefix.size());
    throw rdb::RdbError("Failed loading library, " + error);
  }
}

std::string FunctionLibrary::Dump(bool compress) const {
  std::string out;
  for (const auto& [name, library] : libraries_) {
    out.push_back(static_cast<char>(rdb::kOpFunction2));
    rdb::AppendString(library->code, compress, out);
  }
  return out;
}

bool FunctionLibrary::Restore(std::string_view body, RestorePolicy policy, int64_t timeout_ms,
                              std::string* error) {
  // Staged first: nothing changes unless every library loads and joins.
  std::vector<std::unique_ptr<Library>> staged;
  auto discard = [&] {
    for (auto& library : staged) Free(*library);
    return false;
  };
  rdb::RdbReader reader(body);
  while (reader.offset() < body.size()) {
    std::string code;
    try {
      const uint8_t type = reader.ReadByte();
      if (type != rdb::kOpFunction2 && type != rdb::kOpFunction) {
        *error = errors::kRestoreNotAFunction;
        return discard();
      }
      if (type == rdb::kOpFunction) {
        // 7.0 release candidates' form: name, engine, optional description, code.
        std::string name = reader.ReadString();
        std::string engine = reader.ReadString();
        if (reader.ReadLength() != 0) reader.ReadString();
        code = "#!" + engine + " name=" + name + "\n" + reader.ReadString();
      } else {
        code = reader.ReadString();
      }
    } catch (const std::exception&) {
      *error = errors::kBadLibraryPayload;
      return discard();
    }
    std::string name;
    std::string load_error;
    for (const auto& library : staged) {
      std::string engine;
      std::string_view unused;
      if (ExtractMetadata(code, &engine, &name, &unused, &load_error) && library->name == name) {
        *error = errors::LibraryExists(name);
        return discard();
      }
    }
    std::unique_ptr<Library> library = Compile(code, timeout_ms, &name, &load_error);
    if (library == nullptr) {
      *error = load_error;
      return discard();
    }
    for (const auto& other : staged) {
      for (const auto& function : library->functions) {
        for (const auto& existing : other->functions) {
          if (IndexKey(existing->name) == IndexKey(function->name)) {
            *error = errors::FunctionExists(function->name);
            staged.push_back(std::move(library));
            return discard();
          }
        }
      }
    }
    staged.push_back(std::move(library));
  }
  if (policy == RestorePolicy::kFlush) {
    Flush();
  } else {
    std::vector<std::unique_ptr<Library>> replaced;
    auto rollback = [&] {
      for (auto& old : replaced) Link(std::move(old));
      return discard();
    };
    for (const auto& library : staged) {
      if (!libraries_.contains(library->name)) continue;
      if (policy != RestorePolicy::kReplace) {
        *error = errors::RestoreLibraryExists(library->name);
        return rollback();
      }
      replaced.push_back(Unlink(library->name));
    }
    for (const auto& library : staged) {
      for (const auto& function : library->functions) {
        if (functions_.contains(IndexKey(function->name))) {
          *error = errors::FunctionExists(function->name);
          return rollback();
        }
      }
    }
    for (auto& old : replaced) Free(*old);
  }
  for (auto& library : staged) Link(std::move(library));
  return true;
}

void FunctionLibrary::LoadHook(lua_State* lua, lua_Debug*) {
  PushRegistry(lua, &kLoadContextKey);
  auto* context = static_cast<LoadContext*>(lua_touserdata(lua, -1));
  lua_pop(lua, 1);
  if (context == nullptr || context->timeout_ms <= 0) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - context->start);
  if (elapsed.count() <= context->timeout_ms) return;
  lua_sethook(lua, LoadHook, LUA_MASKLINE, 0);
  RaiseError(lua, errors::kFunctionLoadTimeout);
}

int FunctionLibrary::LuaRegisterFunction(lua_State* lua) {
  PushRegistry(lua, &kLoadContextKey);
  auto* context = static_cast<LoadContext*>(lua_touserdata(lua, -1));
  lua_pop(lua, 1);
  if (context == nullptr) {
    return RaiseError(lua, errors::kRegisterOutsideLoad);
  }
  const int argc = lua_gettop(lua);
  if (argc < 1 || argc > 2) {
    return RaiseError(lua, errors::kRegisterWrongArgs);
  }
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;
  int ref = LUA_NOREF;
  std::string_view failure;
  if (argc == 2) {
    if (!GetString(lua, 1, &name)) {
      failure = errors::kRegisterNameNotString;
    } else if (!lua_isfunction(lua, 2)) {
      failure = errors::kRegisterCallbackNotFunction;
    } else {
      ref = luaL_ref(lua, LUA_REGISTRYINDEX);
    }
  } else if (!lua_istable(lua, 1)) {
    failure = errors::kRegisterSingleArgNotTable;
  } else {
    bool has_name = false;
    lua_pushnil(lua);
    while (failure.empty() && lua_next(lua, -2)) {
      if (!lua_isstring(lua, -2)) {
        failure = errors::kRegisterKeyNotString;
        break;
      }
      const std::string key = lua_tostring(lua, -2);
      if (EqualsNoCase(key, "function_name")) {
        if (!GetString(lua, -1, &name)) {
          failure = errors::kRegisterFunctionNameNotString;
          break;
        }
        has_name = true;
      } else if (EqualsNoCase(key, "description")) {
        std::string text;
        if (!GetString(lua, -1, &text)) {
          failure = errors::kRegisterDescriptionNotString;
          break;
        }
        description = std::move(text);
      } else if (EqualsNoCase(key, "callback")) {
        if (!lua_isfunction(lua, -1)) {
          failure = errors::kRegisterCallbackArgNotFunction;
          break;
        }
        if (ref != LUA_NOREF) luaL_unref(lua, LUA_REGISTRYINDEX, ref);
        ref = luaL_ref(lua, LUA_REGISTRYINDEX);
        continue;  // luaL_ref popped the value
      } else if (EqualsNoCase(key, "flags")) {
        if (!lua_istable(lua, -1)) {
          failure = errors::kRegisterFlagsNotTable;
          break;
        }
        uint32_t read = 0;
        for (int j = 1;; ++j) {
          lua_pushnumber(lua, j);
          lua_gettable(lua, -2);
          if (lua_isnil(lua, -1)) {
            lua_pop(lua, 1);
            break;
          }
          bool found = false;
          if (lua_isstring(lua, -1)) {
            const char* flag = lua_tostring(lua, -1);
            for (const auto& [flag_name, bit] : kFlagNames) {
              if (EqualsNoCase(flag_name, flag)) {
                read |= bit;
                found = true;
                break;
              }
            }
          }
          lua_pop(lua, 1);
          if (!found) {
            failure = errors::kRegisterUnknownFlag;
            break;
          }
        }
        if (!failure.empty()) break;
        flags = read;
      } else {
        failure = errors::kRegisterUnknownArgument;
        break;
      }
      lua_pop(lua, 1);
    }
    if (failure.empty() && !has_name) {
      failure = errors::kRegisterNoName;
    } else if (failure.empty() && ref == LUA_NOREF) {
      failure = errors::kRegisterNoCallback;
    }
  }
  if (failure.empty()) {
    Library& library = *context->library;
    if (!ValidName(name)) {
      failure = errors::kBadLibraryName;
    } else {
      for (const auto& function : library.functions) {
        if (function->name == name) failure = errors::kRegisterFunctionTwice;
      }
    }
  }
  if (!failure.empty()) {
    if (ref != LUA_NOREF) luaL_unref(lua, LUA_REGISTRYINDEX, ref);
    return RaiseError(lua, failure);
  }
  auto function = std::make_unique<Function>();
  function->name = std::move(name);
  function->description = std::move(description);
  function->flags = flags;
  function->ref = ref;
  function->library = context->library;
  context->library->functions.push_back(std::move(function));
  return 0;
}

}  // namespace drayman
