#include "broker/script/lib/struct_library.h"

#include <cctype>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "broker/script/lib/c_conversions.h"
#include "lua.hpp"

namespace drayman::script {

namespace {

constexpr int kMaxIntegerBytes = 32;  // lua-struct's MAXINTSIZE
constexpr int kMaxAlign = 8;          // the alignment of a double on x86-64
enum Endian { kBig = 0, kLittle = 1 };

struct Header {
  int endian = kLittle;  // the machine's
  size_t align = 1;
};

int ReadNumber(lua_State* lua, const char** format, int fallback) {
  if (!std::isdigit(static_cast<unsigned char>(**format))) return fallback;
  int value = 0;
  do {
    const int digit = **format - '0';
    if (value > INT_MAX / 10 || value * 10 > INT_MAX - digit) {
      luaL_error(lua, "integral size overflow");
    }
    value = value * 10 + digit;
    ++*format;
  } while (std::isdigit(static_cast<unsigned char>(**format)));
  return value;
}

// The size of an option's item, reading its count from the format; 0 for options without one.
size_t OptionSize(lua_State* lua, char option, const char** format) {
  switch (option) {
    case 'B':
    case 'b':
    case 'x':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
    case 'd':
      return 8;
    case 'f':
      return 4;
    case 'c':
      return static_cast<size_t>(ReadNumber(lua, format, 1));
    case 'i':
    case 'I': {
      const int size = ReadNumber(lua, format, 4);
      if (size > kMaxIntegerBytes) {
        luaL_error(lua, "integral size %d is larger than limit of %d", size, kMaxIntegerBytes);
      }
      return static_cast<size_t>(size);
    }
    default:
      return 0;
  }
}

// Padding before an item of `size` at offset `length` (lua-struct's arithmetic, also for sizes
// that are not powers of two).
size_t Padding(size_t length, const Header& header, char option, size_t size) {
  if (size == 0 || option == 'c') return 0;
  if (size > header.align) size = header.align;
  return (size - (length & (size - 1))) & (size - 1);
}

void ControlOption(lua_State* lua, char option, const char** format, Header* header) {
  switch (option) {
    case ' ':
      return;
    case '>':
      header->endian = kBig;
      return;
    case '<':
      header->endian = kLittle;
      return;
    case '!': {
      const int align = ReadNumber(lua, format, kMaxAlign);
      if (align <= 0 || (align & (align - 1)) != 0) {
        luaL_error(lua, "alignment %d is not a power of 2", align);
      }
      header->align = static_cast<size_t>(align);
      return;
    }
    default: {
      const std::string message = std::string("invalid format option '") + option + "'";
      luaL_argerror(lua, 1, message.c_str());
    }
  }
}

// Bytes in memory order (the machine's, little-endian) become the requested order.
void Reorder(char* bytes, size_t size, int endian) {
  if (endian == kLittle) return;
  for (size_t i = 0, j = size - 1; i < j; ++i, --j) std::swap(bytes[i], bytes[j]);
}

// A float or double in the requested byte order.
template <typename Floating>
void AddFloating(luaL_Buffer* buffer, Floating value, int endian) {
  char bytes[sizeof(Floating)];
  std::memcpy(bytes, &value, sizeof(bytes));
  Reorder(bytes, sizeof(bytes), endian);
  luaL_addlstring(buffer, bytes, sizeof(bytes));
}

template <typename Floating>
Floating ReadFloating(const char* data, int endian) {
  char bytes[sizeof(Floating)];
  std::memcpy(bytes, data, sizeof(bytes));
  Reorder(bytes, sizeof(bytes), endian);
  Floating value = 0;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}

void PutInteger(lua_State* lua, luaL_Buffer* buffer, int arg, int endian, size_t size) {
  const lua_Number number = luaL_checknumber(lua, arg);
  uint64_t value = number < 0 ? DoubleToLongBits(number) : DoubleToUnsignedLongBits(number);
  char bytes[kMaxIntegerBytes];
  for (size_t i = 0; i < size; ++i) {
    bytes[endian == kLittle ? i : size - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  luaL_addlstring(buffer, bytes, size);
}

int Pack(lua_State* lua) {
  const char* format = luaL_checkstring(lua, 1);
  Header header;
  int arg = 2;
  size_t total = 0;
  lua_pushnil(lua);  // keeps the arguments apart from the buffer's stack slots
  luaL_Buffer buffer;
  luaL_buffinit(lua, &buffer);
  while (*format != '\0') {
    const char option = *format++;
    size_t size = OptionSize(lua, option, &format);
    const size_t padding = Padding(total, header, option, size);
    total += padding;
    for (size_t i = 0; i < padding; ++i) luaL_addchar(&buffer, '\0');
    switch (option) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PutInteger(lua, &buffer, arg++, header.endian, size);
        break;
      case 'x':
        luaL_addchar(&buffer, '\0');
        break;
      case 'f':
        AddFloating(&buffer, NarrowToFloat(luaL_checknumber(lua, arg++)), header.endian);
        break;
      case 'd':
        AddFloating(&buffer, luaL_checknumber(lua, arg++), header.endian);
        break;
      case 'c':
      case 's': {
        size_t length = 0;
        const char* text = luaL_checklstring(lua, arg++, &length);
        if (size == 0) size = length;
        // lua-struct names the argument after the string's (arg was advanced already).
        luaL_argcheck(lua, length >= size, arg, "string too short");
        luaL_addlstring(&buffer, text, size);
        if (option == 's') {
          luaL_addchar(&buffer, '\0');
          ++size;
        }
        break;
      }
      default:
        ControlOption(lua, option, &format, &header);
    }
    total += size;
  }
  luaL_pushresult(&buffer);
  return 1;
}

lua_Number GetInteger(const char* bytes, int endian, bool is_signed, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[endian == kBig ? i : size - 1 - i]);
  }
  if (!is_signed) return static_cast<lua_Number>(value);
  // lua-struct shifts ~0 by size*8 - 1, which x86-64 takes modulo 64 (sizes 0 and past 8 too).
  const uint64_t mask = ~uint64_t{0} << ((static_cast<int>(size) * 8 - 1) & 63);
  if (value & mask) value |= mask;
  return static_cast<lua_Number>(static_cast<int64_t>(value));
}

int Unpack(lua_State* lua) {
  const char* format = luaL_checkstring(lua, 1);
  size_t data_length = 0;
  const char* data = luaL_checklstring(lua, 2, &data_length);
  // As lua-struct: the offset goes through size_t, so a negative one is a huge position.
  size_t position = static_cast<size_t>(luaL_optinteger(lua, 3, 1));
  luaL_argcheck(lua, position > 0, 3, "offset must be 1 or greater");
  --position;
  Header header;
  int results = 0;
  while (*format != '\0') {
    const char option = *format++;
    size_t size = OptionSize(lua, option, &format);
    position += Padding(position, header, option, size);
    luaL_argcheck(lua, size <= data_length && position <= data_length - size, 2,
                  "data string too short");
    luaL_checkstack(lua, 2, "too many results");
    switch (option) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(lua, GetInteger(data + position, header.endian,
                                       std::islower(static_cast<unsigned char>(option)), size));
        ++results;
        break;
      case 'x':
        break;
      case 'f':
        lua_pushnumber(lua, ReadFloating<float>(data + position, header.endian));
        ++results;
        break;
      case 'd':
        lua_pushnumber(lua, ReadFloating<double>(data + position, header.endian));
        ++results;
        break;
      case 'c': {
        if (size == 0) {
          if (results == 0 || !lua_isnumber(lua, -1)) {
            luaL_error(lua, "format 'c0' needs a previous size");
          }
          const lua_Number previous = lua_tonumber(lua, -1);
          size = static_cast<size_t>(previous < 0 ? DoubleToLongBits(previous)
                                                  : DoubleToUnsignedLongBits(previous));
          lua_pop(lua, 1);
          --results;
          luaL_argcheck(lua, size <= data_length && position <= data_length - size, 2,
                        "data string too short");
        }
        lua_pushlstring(lua, data + position, size);
        ++results;
        break;
      }
      case 's': {
        const void* end = std::memchr(data + position, '\0', data_length - position);
        if (end == nullptr) luaL_error(lua, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + position)) + 1;
        lua_pushlstring(lua, data + position, size - 1);
        ++results;
        break;
      }
      default:
        ControlOption(lua, option, &format, &header);
    }
    position += size;
  }
  lua_pushinteger(lua, static_cast<lua_Integer>(position + 1));
  return results + 1;
}

int Size(lua_State* lua) {
  const char* format = luaL_checkstring(lua, 1);
  Header header;
  size_t position = 0;
  while (*format != '\0') {
    const char option = *format++;
    const size_t size = OptionSize(lua, option, &format);
    position += Padding(position, header, option, size);
    if (option == 's') {
      luaL_argerror(lua, 1, "option 's' has no fixed size");
    } else if (option == 'c' && size == 0) {
      luaL_argerror(lua, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(static_cast<unsigned char>(option))) {
      ControlOption(lua, option, &format, &header);
    }
    position += size;
  }
  lua_pushinteger(lua, static_cast<lua_Integer>(position));
  return 1;
}

constexpr luaL_Reg kFunctions[] = {
    {"pack", Pack},
    {"unpack", Unpack},
    {"size", Size},
    {nullptr, nullptr},
};

}  // namespace

int OpenStructLibrary(lua_State* lua) {
  luaL_register(lua, "struct", kFunctions);
  return 1;
}

}  // namespace drayman::script
