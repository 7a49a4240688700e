// The `cmsgpack` library of Redis scripts: the API and results of lua-cmsgpack 0.4.0 as Redis 7.0
// bundles it (pack, unpack, unpack_one, unpack_limit), in Drayman's own code.
//
// Contract: OpenCmsgpackLibrary registers the global table `cmsgpack` (with _NAME, _VERSION,
// _COPYRIGHT and _DESCRIPTION as lua-cmsgpack sets them) and leaves it on the stack.
//   - pack(v...) encodes each argument and concatenates them. Numbers that are whole and fit an
//     int64 become the shortest MessagePack integer, others a float32 when that is exact, else a
//     float64; strings are str8/16/32 (fixstr); a table whose keys are exactly 1..n is an array
//     (elements by the length operator), any other a map in Lua's traversal order; tables nested
//     16 deep, functions and other types become nil.
//   - unpack(s) returns every value in s; unpack_one(s [, offset]) and unpack_limit(s, n
//     [, offset]) return the next offset (-1 at the end) first, then the values. Decoding accepts
//     what lua-cmsgpack accepts (no bin or ext types: "Bad data format in input."), with its
//     quirks (uint64 past 2^63 comes back negative; unpack_limit(s, 0) means all).
// Errors carry lua-cmsgpack's texts. Every read is bounds-checked, and nesting depth is bounded
// by the Lua stack's limit, so no input crashes the server or exhausts the C++ stack.
#pragma once

struct lua_State;

namespace drayman::script {

int OpenCmsgpackLibrary(lua_State* lua);

}  // namespace drayman::script
