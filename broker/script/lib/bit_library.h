// The `bit` library of Redis scripts: LuaBitOp 1.0.2's API and results, in Drayman's own code.
//
// Contract: OpenBitLibrary registers the global table `bit` (as luaL_register does, so also
// package.loaded.bit) with tobit, tohex, bnot, band, bor, bxor, lshift, rshift, arshift, rol, ror
// and bswap, and leaves it on the stack. Every argument is converted to 32 bits the way LuaBitOp
// does (add 2^52+2^51 to the double, keep the low 32 bits of the result: modular, rounding ties
// to even); a value that is not a number raises LuaBitOp's "bad argument #n to 'f' (number
// expected, got x)". Results are signed 32-bit numbers. Unlike Debian's lua-bitop, no argument can
// make tohex write outside its buffer (CVE-2024-31449: a width of -2^31 answers like -8, as the
// patched LuaBitOp in Redis does) and no shift is undefined behaviour in C++.
#pragma once

struct lua_State;

namespace drayman::script {

int OpenBitLibrary(lua_State* lua);

}  // namespace drayman::script
