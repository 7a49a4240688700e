#include "broker/script/sandbox.h"

#include <limits>
#include <string>

#include "broker/base/errors.h"
#include "broker/script/lib/bit_library.h"
#include "broker/script/lib/cmsgpack_library.h"
#include "broker/script/lib/struct_library.h"
#include "lua.hpp"

extern "C" {
int luaopen_cjson(lua_State* lua);  // third_party/lua-cjson-2.1.0
}

namespace drayman::script {

namespace {

// Registry keys (addresses used as light userdata, so they cannot collide).
char kProxiesKey;   // proxy -> the real table it guards
char kPublicMtKey;  // proxy -> what getmetatable returns for it (absent: nil)

constexpr const char* kRemovedGlobals[] = {"dofile",  "loadfile", "print",
                                           "getfenv", "setfenv",  "newproxy"};

void PushRegistryTable(lua_State* lua, char* key) {
  lua_pushlightuserdata(lua, key);
  lua_rawget(lua, LUA_REGISTRYINDEX);
}

// Pushes the real table behind the value at `index` if it is a proxy and returns true; pushes
// nothing and returns false otherwise. Plain tables have no metatable: the common case is cheap.
bool PushReal(lua_State* lua, int index) {
  if (lua_type(lua, index) != LUA_TTABLE || !lua_getmetatable(lua, index)) return false;
  lua_pop(lua, 1);
  if (index < 0 && index > LUA_REGISTRYINDEX) index = lua_gettop(lua) + index + 1;
  PushRegistryTable(lua, &kProxiesKey);
  lua_pushvalue(lua, index);
  lua_rawget(lua, -2);
  lua_remove(lua, -2);
  if (lua_isnil(lua, -1)) {
    lua_pop(lua, 1);
    return false;
  }
  return true;
}

bool IsProxy(lua_State* lua, int index) {
  if (!PushReal(lua, index)) return false;
  lua_pop(lua, 1);
  return true;
}

// From C functions such as rawset: no position prefix, as Redis's Lua reports it.
int RaiseReadonly(lua_State* lua) {
  lua_pushlstring(lua, errors::kReadonlyTable.data(), errors::kReadonlyTable.size());
  return lua_error(lua);
}

// __newindex of every proxy: an assignment in Lua code, so the error names the script line.
int ReadonlyNewIndex(lua_State* lua) {
  return luaL_error(lua, "%s", errors::kReadonlyTable.data());
}

// __index of the real globals table: reading a global nobody defined.
int NonexistentGlobal(lua_State* lua) {
  if (lua_gettop(lua) != 2)
    return luaL_error(lua, "%s", errors::kProtectedTableArgs.data());
  if (!lua_isstring(lua, -1) && !lua_isnumber(lua, -1)) {
    return luaL_error(lua, "%s", errors::kProtectedTableName.data());
  }
  return luaL_error(lua, "%s", errors::NonexistentGlobal(lua_tostring(lua, -1)).c_str());
}

int SafeRawget(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checkany(lua, 2);
  lua_settop(lua, 2);
  if (PushReal(lua, 1)) lua_replace(lua, 1);
  lua_rawget(lua, 1);
  return 1;
}

int SafeRawset(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_checkany(lua, 2);
  luaL_checkany(lua, 3);
  lua_settop(lua, 3);
  if (IsProxy(lua, 1)) return RaiseReadonly(lua);
  lua_rawset(lua, 1);
  return 1;
}

int SafeGetmetatable(lua_State* lua) {
  luaL_checkany(lua, 1);
  if (IsProxy(lua, 1)) {
    PushRegistryTable(lua, &kPublicMtKey);
    lua_pushvalue(lua, 1);
    lua_rawget(lua, -2);
    return 1;
  }
  if (!lua_getmetatable(lua, 1)) {
    lua_pushnil(lua);
    return 1;
  }
  luaL_getmetafield(lua, 1, "__metatable");  // the string metatable answers with a read-only view
  return 1;
}

int SafeSetmetatable(lua_State* lua) {
  const int type = lua_type(lua, 2);
  luaL_checktype(lua, 1, LUA_TTABLE);
  luaL_argcheck(lua, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table expected");
  if (IsProxy(lua, 1)) return RaiseReadonly(lua);
  if (luaL_getmetafield(lua, 1, "__metatable"))
    luaL_error(lua, "cannot change a protected metatable");
  lua_settop(lua, 2);
  lua_setmetatable(lua, 1);
  return 1;
}

int SafeNext(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_settop(lua, 2);
  if (PushReal(lua, 1)) lua_replace(lua, 1);
  if (lua_next(lua, 1)) return 2;
  lua_pushnil(lua);
  return 1;
}

int SafePairs(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_pushvalue(lua, lua_upvalueindex(1));  // SafeNext
  lua_pushvalue(lua, 1);
  lua_pushnil(lua);
  return 3;
}

int SafeIpairsStep(lua_State* lua) {
  int i = luaL_checkint(lua, 2);
  luaL_checktype(lua, 1, LUA_TTABLE);
  if (PushReal(lua, 1)) lua_replace(lua, 1);
  // Lua's i + 1 overflowed past 2^31-1 (to a missing index, ending the loop): end it directly.
  if (i == std::numeric_limits<int>::max()) return 0;
  ++i;
  lua_pushinteger(lua, i);
  lua_rawgeti(lua, 1, i);
  return lua_isnil(lua, -1) ? 0 : 2;
}

int SafeIpairs(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  lua_pushvalue(lua, lua_upvalueindex(1));  // SafeIpairsStep
  lua_pushvalue(lua, 1);
  lua_pushinteger(lua, 0);
  return 3;
}

// table.insert (Lua 5.1's tinsert), refusing proxies.
int SafeTableInsert(lua_State* lua) {
  luaL_checktype(lua, 1, LUA_TTABLE);
  if (IsProxy(lua, 1)) return RaiseReadonly(lua);
  int end = static_cast<int>(lua_objlen(lua, 1)) + 1;
  int position = 0;
  switch (lua_gettop(lua)) {
    case 2:
      position = end;
      break;
    case 3: {
      position = luaL_checkint(lua, 2);
      if (position > end) end = position;
      for (int i = end; i > position; --i) {
        lua_rawgeti(lua, 1, i - 1);
        lua_rawseti(lua, 1, i);
      }
      break;
    }
    default:
      return luaL_error(lua, "wrong number of arguments to 'insert'");
  }
  lua_rawseti(lua, 1, position);
  return 0;
}

int LoadResult(lua_State* lua, int status) {
  if (status == 0) return 1;
  lua_pushnil(lua);
  lua_insert(lua, -2);
  return 2;
}

int SafeLoadstring(lua_State* lua) {
  size_t length = 0;
  const char* code = luaL_checklstring(lua, 1, &length);
  const char* chunk_name = luaL_optstring(lua, 2, code);
  return LoadResult(lua, LoadChunk(lua, std::string_view(code, length), chunk_name));
}

// Reader for load(function): Lua 5.1's generic reader, except that a stream starting with the
// bytecode signature gets a leading blank so the parser reads it as (invalid) text.
struct LoadReaderState {
  bool first = true;
  bool piece_pending = false;
};

const char* LoadReader(lua_State* lua, void* data, size_t* size) {
  auto* state = static_cast<LoadReaderState*>(data);
  if (state->piece_pending) {
    state->piece_pending = false;
    return lua_tolstring(lua, 3, size);
  }
  luaL_checkstack(lua, 2, "too many nested functions");
  lua_pushvalue(lua, 1);
  lua_call(lua, 0, 1);
  if (lua_isnil(lua, -1)) {
    *size = 0;
    return nullptr;
  }
  if (!lua_isstring(lua, -1)) luaL_error(lua, "reader function must return a string");
  lua_replace(lua, 3);  // keep the piece alive in the reserved slot
  const char* piece = lua_tolstring(lua, 3, size);
  if (state->first && *size > 0 && piece[0] == LUA_SIGNATURE[0]) {
    state->first = false;
    state->piece_pending = true;
    *size = 1;
    return " ";
  }
  state->first = false;
  return piece;
}

int SafeLoad(lua_State* lua) {
  const char* chunk_name = luaL_optstring(lua, 2, "=(load)");
  luaL_checktype(lua, 1, LUA_TFUNCTION);
  lua_settop(lua, 3);
  LoadReaderState state;
  return LoadResult(lua, lua_load(lua, LoadReader, &state, chunk_name));
}

void OpenLibrary(lua_State* lua, const char* name, lua_CFunction open) {
  lua_pushcfunction(lua, open);
  lua_pushstring(lua, name);
  lua_call(lua, 1, 1);
  // lua-cjson returns its module without defining a global (Redis builds it with
  // ENABLE_CJSON_GLOBAL); bit registers one itself. Either way the global is the module.
  if (name[0] != '\0' && lua_istable(lua, -1)) {
    lua_setfield(lua, LUA_GLOBALSINDEX, name);
  } else {
    lua_pop(lua, 1);
  }
}

void SetFunction(lua_State* lua, int table, const char* name, lua_CFunction function) {
  if (table < 0 && table > LUA_REGISTRYINDEX) table = lua_gettop(lua) + table + 1;
  lua_pushcfunction(lua, function);
  lua_setfield(lua, table, name);
}

// A proxy for the real table at the top of the stack (popped), pushed in its place. `reals`
// (at absolute index `reals`) maps tables already guarded to their proxies, so shared and
// cyclic references get one proxy each.
void PushProxyFor(lua_State* lua, int reals);

void GuardTableFields(lua_State* lua, int table, int reals) {
  // Collect the keys first: replacing values while iterating with lua_next is fine in Lua 5.1
  // (existing fields only), but recursion keeps the stack shallow this way too.
  lua_newtable(lua);
  const int keys = lua_gettop(lua);
  int count = 0;
  lua_pushnil(lua);
  while (lua_next(lua, table)) {
    lua_pop(lua, 1);
    lua_pushvalue(lua, -1);
    lua_rawseti(lua, keys, ++count);
  }
  for (int i = 1; i <= count; ++i) {
    lua_rawgeti(lua, keys, i);
    lua_pushvalue(lua, -1);
    lua_rawget(lua, table);
    if (lua_istable(lua, -1)) {
      PushProxyFor(lua, reals);
      lua_rawset(lua, table);
    } else {
      lua_pop(lua, 2);
    }
  }
  lua_pop(lua, 1);
}

void PushProxyFor(lua_State* lua, int reals) {
  luaL_checkstack(lua, 8, "table nesting too deep to protect");
  const int real = lua_gettop(lua);
  lua_pushvalue(lua, real);
  lua_rawget(lua, reals);
  if (!lua_isnil(lua, -1)) {
    lua_replace(lua, real);
    return;
  }
  lua_pop(lua, 1);
  lua_newtable(lua);
  const int proxy = lua_gettop(lua);
  lua_pushvalue(lua, real);
  lua_pushvalue(lua, proxy);
  lua_rawset(lua, reals);
  lua_pushvalue(lua, proxy);  // a proxy is never wrapped again
  lua_pushvalue(lua, proxy);
  lua_rawset(lua, reals);
  GuardTableFields(lua, real, reals);
  lua_newtable(lua);
  lua_pushvalue(lua, real);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyNewIndex);
  lua_setfield(lua, -2, "__newindex");
  lua_setmetatable(lua, proxy);
  PushRegistryTable(lua, &kProxiesKey);
  lua_pushvalue(lua, proxy);
  lua_pushvalue(lua, real);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
  lua_replace(lua, real);  // the proxy takes the real table's slot
}

}  // namespace

int LoadChunk(lua_State* lua, std::string_view code, const char* chunk_name) {
  if (!code.empty() && code[0] == LUA_SIGNATURE[0]) {
    std::string text = " ";
    text.append(code);
    return luaL_loadbuffer(lua, text.data(), text.size(), chunk_name);
  }
  return luaL_loadbuffer(lua, code.data(), code.size(), chunk_name);
}

void OpenLibraries(lua_State* lua) {
  OpenLibrary(lua, "", luaopen_base);
  OpenLibrary(lua, LUA_TABLIBNAME, luaopen_table);
  OpenLibrary(lua, LUA_STRLIBNAME, luaopen_string);
  OpenLibrary(lua, LUA_MATHLIBNAME, luaopen_math);
  OpenLibrary(lua, "cjson", luaopen_cjson);
  OpenLibrary(lua, "bit", OpenBitLibrary);
  OpenLibrary(lua, "struct", OpenStructLibrary);
  OpenLibrary(lua, "cmsgpack", OpenCmsgpackLibrary);
  for (const char* name : kRemovedGlobals) {
    lua_pushnil(lua);
    lua_setfield(lua, LUA_GLOBALSINDEX, name);
  }
  SetFunction(lua, LUA_GLOBALSINDEX, "loadstring", SafeLoadstring);
  SetFunction(lua, LUA_GLOBALSINDEX, "load", SafeLoad);
}

void Protect(lua_State* lua) {
  const int base = lua_gettop(lua);
  lua_pushlightuserdata(lua, &kProxiesKey);
  lua_newtable(lua);
  lua_rawset(lua, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(lua, &kPublicMtKey);
  lua_newtable(lua);
  lua_rawset(lua, LUA_REGISTRYINDEX);

  // The functions that could write a guarded table or see past a proxy.
  SetFunction(lua, LUA_GLOBALSINDEX, "rawget", SafeRawget);
  SetFunction(lua, LUA_GLOBALSINDEX, "rawset", SafeRawset);
  SetFunction(lua, LUA_GLOBALSINDEX, "getmetatable", SafeGetmetatable);
  SetFunction(lua, LUA_GLOBALSINDEX, "setmetatable", SafeSetmetatable);
  lua_pushcfunction(lua, SafeNext);
  lua_pushvalue(lua, -1);
  lua_setfield(lua, LUA_GLOBALSINDEX, "next");
  lua_pushcclosure(lua, SafePairs, 1);
  lua_setfield(lua, LUA_GLOBALSINDEX, "pairs");
  lua_pushcfunction(lua, SafeIpairsStep);
  lua_pushcclosure(lua, SafeIpairs, 1);
  lua_setfield(lua, LUA_GLOBALSINDEX, "ipairs");
  lua_getfield(lua, LUA_GLOBALSINDEX, LUA_TABLIBNAME);
  SetFunction(lua, -1, "insert", SafeTableInsert);
  lua_pop(lua, 1);

  // The globals' proxy, and through it a proxy for every table reachable from the globals
  // (library tables, redis). PushProxyFor registers a proxy before guarding the fields, so
  // _G._G (and anything else pointing at the globals) gets the proxy too.
  lua_newtable(lua);
  const int reals = lua_gettop(lua);
  lua_pushvalue(lua, LUA_GLOBALSINDEX);
  const int globals = lua_gettop(lua);
  lua_pushvalue(lua, globals);
  PushProxyFor(lua, reals);
  const int globals_proxy = lua_gettop(lua);

  // Reading a global nobody defined is an error.
  lua_newtable(lua);
  lua_pushcfunction(lua, NonexistentGlobal);
  lua_setfield(lua, -2, "__index");
  lua_setmetatable(lua, globals);

  // getmetatable(_G) answers, like Redis, with a read-only table holding the guard functions.
  PushRegistryTable(lua, &kPublicMtKey);
  lua_pushvalue(lua, globals_proxy);
  lua_newtable(lua);
  lua_pushcfunction(lua, NonexistentGlobal);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyNewIndex);
  lua_setfield(lua, -2, "__newindex");
  PushProxyFor(lua, reals);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);

  // The string metatable routes ("x"):upper() to the string library: point it at the library's
  // proxy, and let getmetatable("") return a read-only view of it.
  lua_pushstring(lua, "");
  lua_getmetatable(lua, -1);
  const int string_mt = lua_gettop(lua);
  lua_getfield(lua, globals, LUA_STRLIBNAME);
  lua_setfield(lua, string_mt, "__index");
  lua_pushvalue(lua, string_mt);
  PushProxyFor(lua, reals);
  lua_setfield(lua, string_mt, "__metatable");

  lua_pushvalue(lua, globals_proxy);
  lua_replace(lua, LUA_GLOBALSINDEX);
  lua_settop(lua, base);
}

void SetGlobal(lua_State* lua, const char* name) {
  PushReal(lua, LUA_GLOBALSINDEX);
  lua_pushstring(lua, name);
  lua_pushvalue(lua, -3);
  lua_rawset(lua, -3);
  lua_pop(lua, 2);
}

}  // namespace drayman::script
