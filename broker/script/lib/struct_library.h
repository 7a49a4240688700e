// The `struct` library of Redis scripts: the API and results of the lua-struct 0.2 Redis 7.0
// bundles (struct.pack, struct.unpack, struct.size), in Drayman's own code.
//
// Contract: OpenStructLibrary registers the global table `struct` (as luaL_register does, so
// also package.loaded.struct) and leaves it on the stack. Formats: `<` `>` endianness (default
// the machine's, little), `!n` maximum alignment (default 8, a power of two), `x` a zero byte,
// `b/B h/H l/L T` 1/2/8/8-byte integers (lower case signed), `i/In` integers of n bytes (default
// 4, at most 32), `f` `d` float and double, `cn` n characters (pack: n = 0 takes the whole
// string; unpack: n = 0 takes the previous number as the length), `s` a zero-terminated string,
// spaces ignored. Integers go through a C long as in Redis (sizes past 8 bytes keep only the low
// 64 bits), and errors carry Redis's texts ("invalid format option 'z'", "data string too
// short", "integral size overflow", "alignment 3 is not a power of 2", ...). Every read is
// bounds-checked against the data string, and no format makes the library write past its buffer
// or run into undefined behaviour in C++ (shifts and float-to-integer conversions are spelled
// out as x86-64 executes Redis's C).
#pragma once

struct lua_State;

namespace drayman::script {

int OpenStructLibrary(lua_State* lua);

}  // namespace drayman::script
