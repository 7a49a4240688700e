#include "broker/script/convert.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "broker/base/errors.h"
#include "lua.hpp"

namespace drayman::script {

namespace {

// Reads one reply from bytes the engine produced; pushes its Lua value unless `push` is false
// (attribute maps are parsed and dropped).
class ReplyReader {
 public:
  ReplyReader(lua_State* lua, std::string_view in) : lua_(lua), in_(in) {}

  bool Read(bool push) {
    if (pos_ >= in_.size()) return false;
    const char type = in_[pos_++];
    std::string_view line;
    if (!Line(&line)) return false;
    if (push && !lua_checkstack(lua_, 4)) return false;
    switch (type) {
      case '+':
        if (push) {
          lua_newtable(lua_);
          lua_pushlstring(lua_, line.data(), line.size());
          lua_setfield(lua_, -2, "ok");
        }
        return true;
      case '-':
        if (push) {
          std::string error = "-";
          error.append(line);
          PushErrorTable(lua_, error);
          lua_pushboolean(lua_, 1);
          lua_setfield(lua_, -2, "ignore_error_stats_update");
        }
        return true;
      case ':': {
        int64_t value = 0;
        if (!ParseInteger(line, &value)) return false;
        if (push) lua_pushnumber(lua_, static_cast<lua_Number>(value));
        return true;
      }
      case '$':
      case '=': {
        int64_t length = 0;
        if (!ParseInteger(line, &length)) return false;
        if (length < 0) {
          if (push) lua_pushboolean(lua_, 0);
          return true;
        }
        if (pos_ + static_cast<size_t>(length) + 2 > in_.size()) return false;
        std::string_view body = in_.substr(pos_, static_cast<size_t>(length));
        pos_ += static_cast<size_t>(length) + 2;
        if (!push) return true;
        if (type == '$') {
          lua_pushlstring(lua_, body.data(), body.size());
        } else {
          if (body.size() < 4) return false;
          lua_newtable(lua_);
          lua_newtable(lua_);
          lua_pushlstring(lua_, body.data() + 4, body.size() - 4);
          lua_setfield(lua_, -2, "string");
          lua_pushlstring(lua_, body.data(), 3);
          lua_setfield(lua_, -2, "format");
          lua_setfield(lua_, -2, "verbatim_string");
        }
        return true;
      }
      case '*':
      case '>': {
        int64_t count = 0;
        if (!ParseInteger(line, &count)) return false;
        if (count < 0) {
          if (push) lua_pushboolean(lua_, 0);
          return true;
        }
        if (push) lua_createtable(lua_, static_cast<int>(count), 0);
        for (int64_t i = 1; i <= count; ++i) {
          if (push) lua_pushnumber(lua_, static_cast<lua_Number>(i));
          if (!Read(push)) return false;
          if (push) lua_settable(lua_, -3);  // a nil value (RESP3 null) leaves a hole
        }
        return true;
      }
      case '%':
      case '~': {
        int64_t count = 0;
        if (!ParseInteger(line, &count) || count < 0) return false;
        if (push) {
          lua_newtable(lua_);
          lua_newtable(lua_);
        }
        for (int64_t i = 0; i < count; ++i) {
          if (!Read(push)) return false;
          if (type == '%') {
            if (!Read(push)) return false;
          } else if (push) {
            lua_pushboolean(lua_, 1);
          }
          if (push) lua_settable(lua_, -3);
        }
        if (push) lua_setfield(lua_, -2, type == '%' ? "map" : "set");
        return true;
      }
      case '|': {
        int64_t count = 0;
        if (!ParseInteger(line, &count) || count < 0) return false;
        for (int64_t i = 0; i < 2 * count; ++i) {
          if (!Read(false)) return false;
        }
        return Read(push);
      }
      case '_':
        if (push) lua_pushnil(lua_);
        return true;
      case '#':
        if (line != "t" && line != "f") return false;
        if (push) lua_pushboolean(lua_, line == "t");
        return true;
      case ',': {
        std::string text(line);
        char* end = nullptr;
        double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str()) return false;
        if (push) {
          lua_newtable(lua_);
          lua_pushnumber(lua_, value);
          lua_setfield(lua_, -2, "double");
        }
        return true;
      }
      case '(':
        if (push) {
          lua_newtable(lua_);
          lua_pushlstring(lua_, line.data(), line.size());
          lua_setfield(lua_, -2, "big_number");
        }
        return true;
      default:
        return false;
    }
  }

  size_t consumed() const { return pos_; }

 private:
  bool Line(std::string_view* line) {
    size_t end = in_.find("\r\n", pos_);
    if (end == std::string_view::npos) return false;
    *line = in_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }

  static bool ParseInteger(std::string_view text, int64_t* value) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
    return ec == std::errc() && end == text.data() + text.size();
  }

  lua_State* lua_;
  std::string_view in_;
  size_t pos_ = 0;
};

// True when the table at `index` has field `name` of Lua type `type`; leaves the field on the
// stack in that case, nothing otherwise.
bool RawField(lua_State* lua, int index, const char* name, int type) {
  lua_pushstring(lua, name);
  lua_rawget(lua, index < 0 ? index - 1 : index);
  if (lua_type(lua, -1) == type) return true;
  lua_pop(lua, 1);
  return false;
}

void AppendBigNumber(ReplyBuilder& reply, std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  if (!reply.resp3()) {
    reply.Bulk(text);
    return;
  }
  std::string line = "(";
  line.append(text);
  line.append("\r\n");
  reply.Raw(line);
}

}  // namespace

size_t PushReply(lua_State* lua, std::string_view resp) {
  const int top = lua_gettop(lua);
  ReplyReader reader(lua, resp);
  if (!reader.Read(true)) {
    lua_settop(lua, top);
    return 0;
  }
  return reader.consumed();
}

void PushErrorTable(lua_State* lua, std::string_view error) {
  std::string_view code = "ERR";
  std::string_view message = error;
  if (!error.empty() && error[0] == '-') {
    size_t space = error.find(' ');
    if (space == std::string_view::npos) {
      message = error.substr(1);
    } else {
      code = error.substr(1, space - 1);
      message = error.substr(space + 1);
    }
  }
  while (!message.empty() && (message.front() == '\r' || message.front() == '\n')) {
    message.remove_prefix(1);
  }
  while (!message.empty() && (message.back() == '\r' || message.back() == '\n')) {
    message.remove_suffix(1);
  }
  std::string text(code);
  text.push_back(' ');
  text.append(message);
  lua_newtable(lua);
  lua_pushlstring(lua, text.data(), text.size());
  lua_setfield(lua, -2, "err");
}

int64_t LuaNumberToInteger(double number) {
  // Converting a double outside int64's range is undefined in C; Redis's builds run on x86-64,
  // where it yields INT64_MIN, and that is what Redis replies for 1e20, inf or nan.
  if (!(number >= -9223372036854775808.0 && number < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(number);
}

void WriteError(ReplyBuilder& reply, std::string_view text, bool count_in_stats) {
  if (count_in_stats) {
    reply.Error(text);
    return;
  }
  std::string line = "-";
  line.append(text);
  for (char& c : line) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  line.append("\r\n");
  reply.Raw(line);
}

void WriteReply(lua_State* lua, ReplyBuilder& reply, Protocol script_protocol) {
  if (!lua_checkstack(lua, 4)) {
    reply.Error(errors::kLuaStackLimit);
    lua_pop(lua, 1);
    return;
  }
  switch (lua_type(lua, -1)) {
    case LUA_TSTRING: {
      size_t length = 0;
      const char* text = lua_tolstring(lua, -1, &length);
      reply.Bulk(std::string_view(text, length));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_protocol == Protocol::kResp2) {
        if (lua_toboolean(lua, -1)) {
          reply.Integer(1);
        } else {
          reply.Null();
        }
      } else {
        reply.Bool(lua_toboolean(lua, -1));
      }
      break;
    case LUA_TNUMBER:
      reply.Integer(LuaNumberToInteger(lua_tonumber(lua, -1)));
      break;
    case LUA_TTABLE: {
      if (RawField(lua, -1, "err", LUA_TSTRING)) {
        std::string error(lua_tostring(lua, -1));  // C string: stops at a NUL, as in Redis
        lua_pop(lua, 1);
        bool ignore_stats = false;
        if (RawField(lua, -1, "ignore_error_stats_update", LUA_TBOOLEAN)) {
          ignore_stats = lua_toboolean(lua, -1);
          lua_pop(lua, 1);
        }
        WriteError(reply, error, !ignore_stats);
        break;
      }
      if (RawField(lua, -1, "ok", LUA_TSTRING)) {
        std::string status(lua_tostring(lua, -1));  // C string: stops at a NUL, as in Redis
        for (char& c : status) {
          if (c == '\r' || c == '\n') c = ' ';
        }
        reply.SimpleString(status);
        lua_pop(lua, 1);
        break;
      }
      if (RawField(lua, -1, "double", LUA_TNUMBER)) {
        reply.Double(lua_tonumber(lua, -1));
        lua_pop(lua, 1);
        break;
      }
      if (RawField(lua, -1, "big_number", LUA_TSTRING)) {
        size_t length = 0;
        const char* text = lua_tolstring(lua, -1, &length);
        AppendBigNumber(reply, std::string(text, length));
        lua_pop(lua, 1);
        break;
      }
      if (RawField(lua, -1, "verbatim_string", LUA_TTABLE)) {
        bool written = false;
        if (RawField(lua, -1, "format", LUA_TSTRING)) {
          if (RawField(lua, -2, "string", LUA_TSTRING)) {
            size_t length = 0;
            const char* text = lua_tolstring(lua, -1, &length);
            reply.Verbatim(lua_tostring(lua, -2), std::string_view(text, length));
            written = true;
            lua_pop(lua, 1);
          }
          lua_pop(lua, 1);
        }
        lua_pop(lua, 1);
        if (written) break;
      }
      if (RawField(lua, -1, "map", LUA_TTABLE)) {
        size_t pairs = 0;
        lua_pushnil(lua);
        while (lua_next(lua, -2)) {
          ++pairs;
          lua_pop(lua, 1);
        }
        reply.MapHeader(pairs);
        lua_pushnil(lua);
        while (lua_next(lua, -2)) {
          lua_pushvalue(lua, -2);
          WriteReply(lua, reply, script_protocol);  // the key
          WriteReply(lua, reply, script_protocol);  // the value
        }
        lua_pop(lua, 1);
        break;
      }
      if (RawField(lua, -1, "set", LUA_TTABLE)) {
        size_t members = 0;
        lua_pushnil(lua);
        while (lua_next(lua, -2)) {
          ++members;
          lua_pop(lua, 1);
        }
        reply.SetHeader(members);
        lua_pushnil(lua);
        while (lua_next(lua, -2)) {
          lua_pop(lua, 1);
          lua_pushvalue(lua, -1);
          WriteReply(lua, reply, script_protocol);
        }
        lua_pop(lua, 1);
        break;
      }
      size_t count = 0;
      while (true) {
        lua_rawgeti(lua, -1, static_cast<int>(count + 1));
        const bool end = lua_isnil(lua, -1);
        lua_pop(lua, 1);
        if (end) break;
        ++count;
      }
      reply.ArrayHeader(count);
      for (size_t i = 1; i <= count; ++i) {
        lua_rawgeti(lua, -1, static_cast<int>(i));
        WriteReply(lua, reply, script_protocol);
      }
      break;
    }
    default:
      reply.Null();
  }
  lua_pop(lua, 1);
}

}  // namespace drayman::script
