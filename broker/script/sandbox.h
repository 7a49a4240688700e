// Sandbox: the Lua environment scripts run in, matching Redis 7.0's.
//
// Contract: OpenLibraries loads exactly what Redis 7.0 offers (the base library without print,
// dofile, loadfile, getfenv, setfenv and newproxy; table, string, math, coroutine; cjson and bit
// from Debian's lua-cjson and lua-bitop) and never io, os, package or debug. loadstring and load
// refuse bytecode: a chunk starting with the bytecode signature is parsed as text, so it fails
// with the syntax error Redis's patched Lua gives ("unexpected symbol near 'char(27)'"); this
// closes the sandbox escapes of CVE-2022-0543's family. LoadChunk compiles scripts the same way.
//
// Protect (called once everything is registered) makes the globals and every table reachable
// from them read-only, as Redis 7.0 does with its patched Lua: with stock Lua 5.1 each such table
// is replaced by an empty proxy whose metatable reads through to the real table and refuses
// writes ("Attempt to modify a readonly table"); reading a missing global raises "Script
// attempted to access nonexistent global variable 'x'". rawget, rawset, next, pairs, ipairs,
// getmetatable, setmetatable and table.insert see through proxies (reads) or refuse them
// (writes), so scripts cannot bypass the protection or poison what later scripts see. SetGlobal
// writes a global past the protection (KEYS and ARGV before each run).
#pragma once

#include <string_view>

struct lua_State;

namespace drayman::script {

void OpenLibraries(lua_State* lua);
void Protect(lua_State* lua);
void SetGlobal(lua_State* lua, const char* name);  // pops the value

// luaL_loadbuffer that refuses bytecode the way Redis does. Returns Lua's status code.
int LoadChunk(lua_State* lua, std::string_view code, const char* chunk_name);

}  // namespace drayman::script
