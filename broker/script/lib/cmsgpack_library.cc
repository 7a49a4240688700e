#include "broker/script/lib/cmsgpack_library.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "broker/script/lib/c_conversions.h"
#include "lua.hpp"

namespace drayman::script {

namespace {

constexpr int kMaxNesting = 16;  // LUACMSGPACK_MAX_NESTING

// C's (int64_t)x == x and (int)x == x on x86-64, where an out-of-range or NaN conversion gives
// the lowest value of the type (cvttsd2si) instead of undefined behaviour.
bool IsInt64Equivalent(double x) {
  if (std::isinf(x)) return false;
  const int64_t converted = x >= -9223372036854775808.0 && x < 9223372036854775808.0
                                ? static_cast<int64_t>(x)
                                : INT64_MIN;
  return static_cast<double>(converted) == x;
}

bool IsIntEquivalent(double x) {
  if (std::isinf(x)) return false;
  const int converted = x > -2147483649.0 && x < 2147483648.0 ? static_cast<int>(x) : INT_MIN;
  return static_cast<double>(converted) == x;
}

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void EncodeBytes(std::string& out, const char* text, size_t length) {
  if (length < 32) {
    out.push_back(static_cast<char>(0xa0 | length));
  } else if (length <= 0xff) {
    out.push_back(static_cast<char>(0xd9));
    AppendBigEndian(out, length, 1);
  } else if (length <= 0xffff) {
    out.push_back(static_cast<char>(0xda));
    AppendBigEndian(out, length, 2);
  } else {
    out.push_back(static_cast<char>(0xdb));
    AppendBigEndian(out, length, 4);
  }
  out.append(text, length);
}

void EncodeDouble(std::string& out, double value) {
  const float narrow = NarrowToFloat(value);
  if (value == static_cast<double>(narrow)) {
    uint32_t bits = 0;
    std::memcpy(&bits, &narrow, sizeof(bits));
    out.push_back(static_cast<char>(0xca));
    AppendBigEndian(out, bits, 4);
  } else {
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof(bits));
    out.push_back(static_cast<char>(0xcb));
    AppendBigEndian(out, bits, 8);
  }
}

void EncodeInteger(std::string& out, int64_t n) {
  const auto bits = static_cast<uint64_t>(n);
  if (n >= 0) {
    if (n <= 127) {
      out.push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      out.push_back(static_cast<char>(0xcc));
      AppendBigEndian(out, bits, 1);
    } else if (n <= 0xffff) {
      out.push_back(static_cast<char>(0xcd));
      AppendBigEndian(out, bits, 2);
    } else if (n <= 0xffffffffLL) {
      out.push_back(static_cast<char>(0xce));
      AppendBigEndian(out, bits, 4);
    } else {
      out.push_back(static_cast<char>(0xcf));
      AppendBigEndian(out, bits, 8);
    }
  } else if (n >= -32) {
    out.push_back(static_cast<char>(n));  // negative fixnum
  } else if (n >= -128) {
    out.push_back(static_cast<char>(0xd0));
    AppendBigEndian(out, bits, 1);
  } else if (n >= -32768) {
    out.push_back(static_cast<char>(0xd1));
    AppendBigEndian(out, bits, 2);
  } else if (n >= -2147483648LL) {
    out.push_back(static_cast<char>(0xd2));
    AppendBigEndian(out, bits, 4);
  } else {
    out.push_back(static_cast<char>(0xd3));
    AppendBigEndian(out, bits, 8);
  }
}

void EncodeContainerHeader(std::string& out, uint64_t count, uint8_t fix, uint8_t wide16,
                           uint8_t wide32) {
  if (count <= 15) {
    out.push_back(static_cast<char>(fix | count));
  } else if (count <= 65535) {
    out.push_back(static_cast<char>(wide16));
    AppendBigEndian(out, count, 2);
  } else {
    out.push_back(static_cast<char>(wide32));
    AppendBigEndian(out, count, 4);
  }
}

void EncodeTop(lua_State* lua, std::string& out, int level);

// Keys exactly 1..n (numbers that are whole, positive and fit an int), as lua-cmsgpack decides.
bool TableIsAnArray(lua_State* lua) {
  const int top = lua_gettop(lua);
  luaL_checkstack(lua, 2, "in function table_is_an_array");
  int count = 0;
  int max = 0;
  lua_pushnil(lua);
  while (lua_next(lua, -2)) {
    lua_pop(lua, 1);
    double key = 0;
    if (lua_type(lua, -1) != LUA_TNUMBER || (key = lua_tonumber(lua, -1)) <= 0 ||
        !IsIntEquivalent(key)) {
      lua_settop(lua, top);
      return false;
    }
    max = key > max ? static_cast<int>(key) : max;
    ++count;
  }
  lua_settop(lua, top);
  return max == count;
}

void EncodeTable(lua_State* lua, std::string& out, int level) {
  if (TableIsAnArray(lua)) {
    const size_t length = lua_objlen(lua, -1);
    EncodeContainerHeader(out, length, 0x90, 0xdc, 0xdd);
    luaL_checkstack(lua, 1, "in function mp_encode_lua_table_as_array");
    for (size_t i = 1; i <= length; ++i) {
      lua_pushnumber(lua, static_cast<lua_Number>(i));
      lua_gettable(lua, -2);
      EncodeTop(lua, out, level + 1);
    }
    return;
  }
  luaL_checkstack(lua, 3, "in function mp_encode_lua_table_as_map");
  uint64_t count = 0;
  lua_pushnil(lua);
  while (lua_next(lua, -2)) {
    lua_pop(lua, 1);
    ++count;
  }
  EncodeContainerHeader(out, count, 0x80, 0xde, 0xdf);
  lua_pushnil(lua);
  while (lua_next(lua, -2)) {
    lua_pushvalue(lua, -2);
    EncodeTop(lua, out, level + 1);  // the key
    EncodeTop(lua, out, level + 1);  // the value
  }
}

// Encodes the value on top of the stack and pops it.
void EncodeTop(lua_State* lua, std::string& out, int level) {
  int type = lua_type(lua, -1);
  // Tables nested this deep become nil: circular references end there.
  if (type == LUA_TTABLE && level == kMaxNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t length = 0;
      const char* text = lua_tolstring(lua, -1, &length);
      EncodeBytes(out, text, length);
      break;
    }
    case LUA_TBOOLEAN:
      out.push_back(static_cast<char>(lua_toboolean(lua, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER: {
      const lua_Number number = lua_tonumber(lua, -1);
      if (IsInt64Equivalent(number)) {
        EncodeInteger(out, static_cast<int64_t>(number));
      } else {
        EncodeDouble(out, number);
      }
      break;
    }
    case LUA_TTABLE:
      EncodeTable(lua, out, level);
      break;
    default:
      out.push_back(static_cast<char>(0xc0));
  }
  lua_pop(lua, 1);
}

int Pack(lua_State* lua) {
  const int count = lua_gettop(lua);
  if (count == 0) return luaL_argerror(lua, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(lua, count)) {
    return luaL_argerror(lua, 0, "Too many arguments for MessagePack pack.");
  }
  std::string out;
  for (int i = 1; i <= count; ++i) {
    luaL_checkstack(lua, 1, "in function mp_check");
    lua_pushvalue(lua, i);
    EncodeTop(lua, out, 0);
    lua_pushlstring(lua, out.data(), out.size());
    out.clear();
  }
  lua_concat(lua, count);
  return 1;
}

struct Cursor {
  enum Error { kNone, kMissingBytes, kBadFormat };
  const unsigned char* p;
  size_t left;
  Error error = kNone;

  bool Need(size_t bytes) {
    if (left >= bytes) return true;
    error = kMissingBytes;
    return false;
  }
  void Consume(size_t bytes) {
    p += bytes;
    left -= bytes;
  }
  uint64_t BigEndian(size_t offset, int bytes) const {
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | p[offset + i];
    return value;
  }
};

// lua-cmsgpack pushes unsigned values through lua_Integer (ptrdiff_t): past 2^63 they wrap.
void PushUnsigned(lua_State* lua, uint64_t value) {
  lua_pushinteger(lua, static_cast<lua_Integer>(static_cast<int64_t>(value)));
}

void DecodeOne(lua_State* lua, Cursor& cursor);

void DecodeArray(lua_State* lua, Cursor& cursor, size_t length) {
  lua_newtable(lua);
  luaL_checkstack(lua, 1, "in function mp_decode_to_lua_array");
  for (size_t index = 1; index <= length; ++index) {
    lua_pushnumber(lua, static_cast<lua_Number>(index));
    DecodeOne(lua, cursor);
    if (cursor.error != Cursor::kNone) return;
    lua_settable(lua, -3);
  }
}

void DecodeMap(lua_State* lua, Cursor& cursor, size_t length) {
  lua_newtable(lua);
  while (length-- > 0) {
    DecodeOne(lua, cursor);  // the key
    if (cursor.error != Cursor::kNone) return;
    DecodeOne(lua, cursor);  // the value
    if (cursor.error != Cursor::kNone) return;
    lua_settable(lua, -3);
  }
}

void DecodeString(lua_State* lua, Cursor& cursor, size_t header) {
  if (!cursor.Need(header)) return;
  const size_t length = header == 1 ? (cursor.p[0] & 0x1f) : cursor.BigEndian(1, header - 1);
  cursor.Consume(header);
  if (!cursor.Need(length)) return;
  lua_pushlstring(lua, reinterpret_cast<const char*>(cursor.p), length);
  cursor.Consume(length);
}

// Decodes one value onto the stack (lua-cmsgpack's mp_decode_to_lua_type).
void DecodeOne(lua_State* lua, Cursor& cursor) {
  if (!cursor.Need(1)) return;
  luaL_checkstack(lua, 1,
                  "too many return values at once; use unpack_one or unpack_limit instead.");
  const unsigned char tag = cursor.p[0];
  auto fixed = [&](size_t bytes) {  // a scalar of `bytes` after the tag
    if (!cursor.Need(1 + bytes)) return false;
    return true;
  };
  switch (tag) {
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
      const int bytes = 1 << (tag - 0xcc);
      if (!fixed(bytes)) return;
      PushUnsigned(lua, cursor.BigEndian(1, bytes));
      cursor.Consume(1 + bytes);
      return;
    }
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      const int bytes = 1 << (tag - 0xd0);
      if (!fixed(bytes)) return;
      const uint64_t raw = cursor.BigEndian(1, bytes);
      const int shift = 64 - 8 * bytes;
      const int64_t value = static_cast<int64_t>(raw << shift) >> shift;  // sign-extended
      if (tag == 0xd3) {
        lua_pushnumber(lua, static_cast<lua_Number>(value));
      } else {
        lua_pushinteger(lua, static_cast<lua_Integer>(value));
      }
      cursor.Consume(1 + bytes);
      return;
    }
    case 0xc0:
      lua_pushnil(lua);
      cursor.Consume(1);
      return;
    case 0xc3:
    case 0xc2:
      lua_pushboolean(lua, tag == 0xc3);
      cursor.Consume(1);
      return;
    case 0xca: {
      if (!fixed(4)) return;
      const auto bits = static_cast<uint32_t>(cursor.BigEndian(1, 4));
      float value = 0;
      std::memcpy(&value, &bits, sizeof(value));
      lua_pushnumber(lua, value);
      cursor.Consume(5);
      return;
    }
    case 0xcb: {
      if (!fixed(8)) return;
      const uint64_t bits = cursor.BigEndian(1, 8);
      double value = 0;
      std::memcpy(&value, &bits, sizeof(value));
      lua_pushnumber(lua, value);
      cursor.Consume(9);
      return;
    }
    case 0xd9:
      DecodeString(lua, cursor, 2);
      return;
    case 0xda:
      DecodeString(lua, cursor, 3);
      return;
    case 0xdb:
      DecodeString(lua, cursor, 5);
      return;
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      const size_t header = (tag == 0xdc || tag == 0xde) ? 3 : 5;
      if (!cursor.Need(header)) return;
      const size_t length = cursor.BigEndian(1, static_cast<int>(header) - 1);
      cursor.Consume(header);
      if (tag <= 0xdd) {
        DecodeArray(lua, cursor, length);
      } else {
        DecodeMap(lua, cursor, length);
      }
      return;
    }
    default:
      break;
  }
  if ((tag & 0x80) == 0) {  // positive fixnum
    PushUnsigned(lua, tag);
    cursor.Consume(1);
  } else if ((tag & 0xe0) == 0xe0) {  // negative fixnum
    lua_pushinteger(lua, static_cast<signed char>(tag));
    cursor.Consume(1);
  } else if ((tag & 0xe0) == 0xa0) {  // fixstr
    DecodeString(lua, cursor, 1);
  } else if ((tag & 0xf0) == 0x90) {  // fixarray
    cursor.Consume(1);
    DecodeArray(lua, cursor, tag & 0xf);
  } else if ((tag & 0xf0) == 0x80) {  // fixmap
    cursor.Consume(1);
    DecodeMap(lua, cursor, tag & 0xf);
  } else {
    cursor.error = Cursor::kBadFormat;
  }
}

// limit 0 and offset 0 together mean "every value, no offset returned", as in lua-cmsgpack.
int UnpackFull(lua_State* lua, lua_Integer limit, lua_Integer offset) {
  size_t length = 0;
  const char* text = luaL_checklstring(lua, 1, &length);
  const bool everything = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // lua-cmsgpack prints the input's length where it announces the limit.
    return luaL_error(lua, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(length));
  }
  if (static_cast<size_t>(offset) > length) {
    return luaL_error(lua, "Start offset %d greater than input length %d.",
                      static_cast<int>(offset), static_cast<int>(length));
  }
  if (everything) limit = INT_MAX;
  Cursor cursor{reinterpret_cast<const unsigned char*>(text) + offset,
                length - static_cast<size_t>(offset)};
  int count = 0;
  for (; cursor.left > 0 && count < limit; ++count) {
    DecodeOne(lua, cursor);
    if (cursor.error == Cursor::kMissingBytes) return luaL_error(lua, "Missing bytes in input.");
    if (cursor.error == Cursor::kBadFormat) return luaL_error(lua, "Bad data format in input.");
  }
  if (everything) return count;
  luaL_checkstack(lua, 1, "in function mp_unpack_full");
  lua_pushinteger(lua, cursor.left == 0 ? -1 : static_cast<lua_Integer>(length - cursor.left));
  lua_insert(lua, 2);  // the offset comes first, right after the input string
  return count + 1;
}

int Unpack(lua_State* lua) { return UnpackFull(lua, 0, 0); }

int UnpackOne(lua_State* lua) {
  const lua_Integer offset = luaL_optinteger(lua, 2, 0);
  lua_settop(lua, 1);
  return UnpackFull(lua, 1, offset);
}

int UnpackLimit(lua_State* lua) {
  const lua_Integer limit = luaL_checkinteger(lua, 2);
  const lua_Integer offset = luaL_optinteger(lua, 3, 0);
  lua_settop(lua, 1);
  return UnpackFull(lua, limit, offset);
}

}  // namespace

int OpenCmsgpackLibrary(lua_State* lua) {
  lua_newtable(lua);
  const luaL_Reg functions[] = {
      {"pack", Pack},
      {"unpack", Unpack},
      {"unpack_one", UnpackOne},
      {"unpack_limit", UnpackLimit},
  };
  for (const luaL_Reg& function : functions) {
    lua_pushcfunction(lua, function.func);
    lua_setfield(lua, -2, function.name);
  }
  const char* const metadata[][2] = {
      {"_NAME", "cmsgpack"},
      {"_VERSION", "lua-cmsgpack 0.4.0"},
      {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
      {"_DESCRIPTION", "MessagePack C implementation for Lua"},
  };
  for (const auto& [field, text] : metadata) {
    lua_pushstring(lua, text);
    lua_setfield(lua, -2, field);
  }
  lua_pushvalue(lua, -1);
  lua_setglobal(lua, "cmsgpack");
  return 1;
}

}  // namespace drayman::script
