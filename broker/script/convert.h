// Conversions between Redis replies and Lua values, with Redis 7.0's rules.
//
// Contract: PushReply parses one reply as the engine encoded it for the script client and pushes
// the Lua value redis.call returns: integer -> number, bulk -> string, null bulk and null array ->
// false, array -> table (a RESP3 null inside leaves a hole), status -> {ok=text}, error ->
// {err="CODE text", ignore_error_stats_update=true}; after redis.setresp(3) also null -> nil,
// boolean -> boolean, double -> {double=n}, map -> {map={k=v}}, set -> {set={member=true}},
// big number -> {big_number=text}, verbatim -> {verbatim_string={format=..., string=...}};
// attributes are skipped. It returns the bytes consumed (0 on malformed input, nothing pushed).
//
// WriteReply converts the value on top of the Lua stack (and pops it) into one reply for the
// caller: string -> bulk, number -> integer (truncated; out of int64 range -> INT64_MIN as on
// Redis's x86-64 builds), true -> :1 and false/nil -> null (with redis.setresp(3): RESP3 booleans),
// a table with a string `err` -> error, with a string `ok` -> status, with `double`, `big_number`,
// `verbatim_string`, `map` or `set` -> that RESP3 type (degraded for RESP2 callers by the reply
// builder), any other table -> array of t[1], t[2], ... up to the first nil; other types -> null.
// Tables are read raw (no metamethods run), so a returned table cannot raise an error here.
#pragma once

#include <string_view>

#include "broker/resp/reply_builder.h"

struct lua_State;

namespace drayman::script {

size_t PushReply(lua_State* lua, std::string_view resp);

// Pushes the table redis.pcall returns for an error: "-CODE text" keeps its code, plain "text"
// gets "ERR "; CR and LF at either end are trimmed (Redis's luaPushErrorBuff).
void PushErrorTable(lua_State* lua, std::string_view error);

// `script_protocol` is the script client's protocol (redis.setresp), which decides how Lua
// booleans convert.
void WriteReply(lua_State* lua, ReplyBuilder& reply, Protocol script_protocol);

// Writes an error reply. Errors that already counted in INFO errorstats where they happened
// (a command's error passed on by redis.call) are written without counting them again.
void WriteError(ReplyBuilder& reply, std::string_view text, bool count_in_stats);

// A Lua number as Redis converts it to an integer reply.
int64_t LuaNumberToInteger(double number);

}  // namespace drayman::script
