#include "broker/script/lib/bit_library.h"

#include <cstdint>
#include <cstring>

#include "lua.hpp"

namespace drayman::script {

namespace {

// LuaBitOp's conversion: adding 2^52 + 2^51 puts the integer part of any |x| < 2^51 in the low
// bits of the mantissa (rounded to even); larger values keep whatever bits the sum has there,
// which is what scripts observed with Redis, so the same arithmetic is kept for every input.
uint32_t ToBits(lua_State* lua, int index) {
  const double sum = lua_tonumber(lua, index) + 6755399441055744.0;
  uint64_t raw = 0;
  std::memcpy(&raw, &sum, sizeof(raw));
  const auto bits = static_cast<uint32_t>(raw);
  // lua_tonumber gives 0 for non-numbers, whose bits are then 0 too.
  if (bits == 0 && !lua_isnumber(lua, index)) luaL_typerror(lua, index, "number");
  return bits;
}

int PushBits(lua_State* lua, uint32_t bits) {
  lua_pushnumber(lua, static_cast<lua_Number>(static_cast<int32_t>(bits)));
  return 1;
}

// The shift count: its low 5 bits, as LuaBitOp (and x86) use it.
unsigned ShiftCount(lua_State* lua) { return ToBits(lua, 2) & 31u; }

int ToBit(lua_State* lua) { return PushBits(lua, ToBits(lua, 1)); }

int Bnot(lua_State* lua) { return PushBits(lua, ~ToBits(lua, 1)); }

// band/bor/bxor fold the arguments from the last down to the second into the first, in that
// order, so a bad argument is reported with the same position as LuaBitOp reports it.
template <typename Op>
int Fold(lua_State* lua, Op op) {
  uint32_t bits = ToBits(lua, 1);
  for (int i = lua_gettop(lua); i > 1; --i) bits = op(bits, ToBits(lua, i));
  return PushBits(lua, bits);
}

int Band(lua_State* lua) {
  return Fold(lua, [](uint32_t a, uint32_t b) { return a & b; });
}
int Bor(lua_State* lua) {
  return Fold(lua, [](uint32_t a, uint32_t b) { return a | b; });
}
int Bxor(lua_State* lua) {
  return Fold(lua, [](uint32_t a, uint32_t b) { return a ^ b; });
}

int Lshift(lua_State* lua) {
  const uint32_t bits = ToBits(lua, 1);
  return PushBits(lua, bits << ShiftCount(lua));
}

int Rshift(lua_State* lua) {
  const uint32_t bits = ToBits(lua, 1);
  return PushBits(lua, bits >> ShiftCount(lua));
}

int Arshift(lua_State* lua) {
  const uint32_t bits = ToBits(lua, 1);
  const unsigned count = ShiftCount(lua);
  // Arithmetic shift spelled out: copies of the sign bit fill the vacated high bits.
  const uint32_t fill = (bits & 0x80000000u) != 0 && count != 0 ? ~(~0u >> count) : 0u;
  return PushBits(lua, (bits >> count) | fill);
}

uint32_t RotateLeft(uint32_t bits, unsigned count) {
  return count == 0 ? bits : (bits << count) | (bits >> (32 - count));
}

int Rol(lua_State* lua) {
  const uint32_t bits = ToBits(lua, 1);
  return PushBits(lua, RotateLeft(bits, ShiftCount(lua)));
}

int Ror(lua_State* lua) {
  const uint32_t bits = ToBits(lua, 1);
  return PushBits(lua, RotateLeft(bits, (32 - ShiftCount(lua)) & 31u));
}

int Bswap(lua_State* lua) {
  const uint32_t bits = ToBits(lua, 1);
  return PushBits(lua,
                  (bits >> 24) | ((bits >> 8) & 0xff00u) | ((bits & 0xff00u) << 8) | (bits << 24));
}

// tohex(x [, n]): the low |n| hex digits of x (n defaults to 8), capital letters when n < 0, at
// most 8 digits. The width is clamped before any digit is written: -2^31 has no positive
// counterpart in 32 bits, which is how Debian's lua-bitop writes past its 8-byte buffer.
int ToHex(lua_State* lua) {
  uint32_t bits = ToBits(lua, 1);
  const int32_t width = lua_isnone(lua, 2) ? 8 : static_cast<int32_t>(ToBits(lua, 2));
  const char* digits = width < 0 ? "0123456789ABCDEF" : "0123456789abcdef";
  const int64_t magnitude = width < 0 ? -static_cast<int64_t>(width) : width;
  const int count = magnitude > 8 ? 8 : static_cast<int>(magnitude);
  char text[8];
  for (int i = count - 1; i >= 0; --i) {
    text[i] = digits[bits & 15u];
    bits >>= 4;
  }
  lua_pushlstring(lua, text, static_cast<size_t>(count));
  return 1;
}

constexpr luaL_Reg kFunctions[] = {
    {"tobit", ToBit},   {"bnot", Bnot},     {"band", Band},       {"bor", Bor}, {"bxor", Bxor},
    {"lshift", Lshift}, {"rshift", Rshift}, {"arshift", Arshift}, {"rol", Rol}, {"ror", Ror},
    {"bswap", Bswap},   {"tohex", ToHex},   {nullptr, nullptr},
};

}  // namespace

int OpenBitLibrary(lua_State* lua) {
  luaL_register(lua, "bit", kFunctions);
  return 1;
}

}  // namespace drayman::script
