#include "broker/script/convert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lua.hpp"

namespace drayman::script {
namespace {

// Describes the Lua value at `index`: numbers as %.17g, strings quoted, tables as {k=v,...}
// with keys sorted, so a whole converted value compares as one string.
std::string Describe(lua_State* lua, int index) {
  if (index < 0) index = lua_gettop(lua) + index + 1;
  switch (lua_type(lua, index)) {
    case LUA_TNIL:
      return "nil";
    case LUA_TBOOLEAN:
      return lua_toboolean(lua, index) ? "true" : "false";
    case LUA_TNUMBER: {
      char buffer[64];
      std::snprintf(buffer, sizeof(buffer), "%.17g", lua_tonumber(lua, index));
      return buffer;
    }
    case LUA_TSTRING: {
      size_t length = 0;
      const char* text = lua_tolstring(lua, index, &length);
      std::string quoted = "'";
      quoted.append(text, length);
      quoted.push_back('\'');
      return quoted;
    }
    case LUA_TTABLE: {
      std::vector<std::string> fields;
      lua_pushnil(lua);
      while (lua_next(lua, index)) {
        lua_pushvalue(lua, -2);
        std::string key =
            lua_type(lua, -1) == LUA_TSTRING ? lua_tostring(lua, -1) : Describe(lua, -1);
        lua_pop(lua, 1);
        fields.push_back(key + "=" + Describe(lua, -1));
        lua_pop(lua, 1);
      }
      std::sort(fields.begin(), fields.end());
      std::string out = "{";
      for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
      return out + "}";
    }
    default:
      return lua_typename(lua, lua_type(lua, index));
  }
}

class ConvertTest : public ::testing::Test {
 protected:
  ConvertTest() : lua_(luaL_newstate()) { luaL_openlibs(lua_); }
  ~ConvertTest() override { lua_close(lua_); }

  // Converts `resp` as redis.call would and describes the result.
  std::string FromReply(std::string_view resp) {
    const int top = lua_gettop(lua_);
    size_t used = PushReply(lua_, resp);
    if (used == 0) return "<malformed>";
    EXPECT_EQ(used, resp.size()) << resp;
    EXPECT_EQ(lua_gettop(lua_), top + 1);
    std::string description = Describe(lua_, -1);
    lua_settop(lua_, top);
    return description;
  }

  // Evaluates the Lua expression and converts it as a script's return value.
  std::string ToReply(const std::string& expression, Protocol script_protocol = Protocol::kResp2,
                      Protocol caller_protocol = Protocol::kResp2) {
    std::string code = "return " + expression;
    EXPECT_EQ(luaL_loadstring(lua_, code.c_str()), 0) << expression;
    EXPECT_EQ(lua_pcall(lua_, 0, 1, 0), 0) << expression;
    std::string out;
    ReplyBuilder reply(&out, caller_protocol);
    const int top = lua_gettop(lua_);
    WriteReply(lua_, reply, script_protocol);
    EXPECT_EQ(lua_gettop(lua_), top - 1);
    last_error_count_ = reply.error_count();
    return out;
  }

  lua_State* lua_;
  uint64_t last_error_count_ = 0;
};

struct FromReplyCase {
  std::string resp;
  std::string lua;
};

TEST_F(ConvertTest, RedisRepliesBecomeLuaValues) {
  const FromReplyCase cases[] = {
      {":3\r\n", "3"},
      {":-9007199254740993\r\n", "-9007199254740992"},  // a Lua number is a double
      {"$3\r\nabc\r\n", "'abc'"},
      {"$0\r\n\r\n", "''"},
      {std::string("$3\r\na\0b\r\n", 9), std::string("'a\0b'", 5)},
      {"$-1\r\n", "false"},
      {"*-1\r\n", "false"},
      {"*0\r\n", "{}"},
      {"*2\r\n:1\r\n$1\r\nx\r\n", "{1=1,2='x'}"},
      {"*2\r\n*1\r\n:1\r\n$-1\r\n", "{1={1=1},2=false}"},
      // ZRANGE ... WITHSCORES: a flat table of strings.
      {"*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n", "{1='a',2='1.5',3='b',4='2'}"},
      {"+OK\r\n", "{ok='OK'}"},
      {"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
       "{err='WRONGTYPE Operation against a key holding the wrong kind of value',"
       "ignore_error_stats_update=true}"},
      {"-NOSPACE\r\n", "{err='ERR NOSPACE',ignore_error_stats_update=true}"},
      // RESP3 types, which a script sees after redis.setresp(3).
      {"_\r\n", "nil"},
      {"#t\r\n", "true"},
      {"#f\r\n", "false"},
      {",1.5\r\n", "{double=1.5}"},
      {",inf\r\n", "{double=inf}"},
      {"%1\r\n$1\r\nf\r\n$1\r\nv\r\n", "{map={f='v'}}"},
      {"~2\r\n$1\r\na\r\n:2\r\n", "{set={2=true,a=true}}"},
      {"(12345678901234567890\r\n", "{big_number='12345678901234567890'}"},
      {"=6\r\ntxt:hi\r\n", "{verbatim_string={format='txt',string='hi'}}"},
      {"*3\r\n:1\r\n_\r\n:3\r\n", "{1=1,3=3}"},  // a null leaves a hole
      {">2\r\n$1\r\na\r\n$1\r\nb\r\n", "{1='a',2='b'}"},
      {"|1\r\n+key\r\n+value\r\n:5\r\n", "5"},  // attributes are dropped
  };
  for (const FromReplyCase& c : cases) EXPECT_EQ(FromReply(c.resp), c.lua) << c.resp;
}

TEST_F(ConvertTest, OnlyTheFirstReplyIsConverted) {
  EXPECT_EQ(PushReply(lua_, ":1\r\n:2\r\n"), 4u);
  EXPECT_EQ(Describe(lua_, -1), "1");
}

TEST_F(ConvertTest, MalformedRepliesPushNothing) {
  for (std::string_view bad : {"", ":1", "$5\r\nab\r\n", "*2\r\n:1\r\n", "?x\r\n", "#x\r\n"}) {
    EXPECT_EQ(PushReply(lua_, bad), 0u) << bad;
    EXPECT_EQ(lua_gettop(lua_), 0) << bad;
  }
}

TEST_F(ConvertTest, ErrorTablesKeepTheCodeOrAddErr) {
  const std::pair<std::string, std::string> cases[] = {
      {"-WRONGTYPE bad", "{err='WRONGTYPE bad'}"},
      {"-nospace", "{err='ERR nospace'}"},
      {"-", "{err='ERR '}"},
      {"plain text", "{err='ERR plain text'}"},
      {"", "{err='ERR '}"},
      {"-CODE msg\r\n", "{err='CODE msg'}"},
  };
  for (const auto& [error, lua] : cases) {
    PushErrorTable(lua_, error);
    EXPECT_EQ(Describe(lua_, -1), lua) << error;
    lua_pop(lua_, 1);
  }
}

struct ToReplyCase {
  std::string lua;
  std::string resp2;  // RESP2 caller
  std::string resp3;  // RESP3 caller
};

TEST_F(ConvertTest, LuaValuesBecomeReplies) {
  const ToReplyCase cases[] = {
      {"'abc'", "$3\r\nabc\r\n", "$3\r\nabc\r\n"},
      {"3", ":3\r\n", ":3\r\n"},
      {"3.99", ":3\r\n", ":3\r\n"},  // truncated, not rounded
      {"-3.99", ":-3\r\n", ":-3\r\n"},
      {"1e20", ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
      {"-1e20", ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
      {"1/0", ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
      {"0/0", ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
      {"true", ":1\r\n", ":1\r\n"},
      {"false", "$-1\r\n", "_\r\n"},
      {"nil", "$-1\r\n", "_\r\n"},
      {"{}", "*0\r\n", "*0\r\n"},
      {"{1, 'x', {2}}", "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n:2\r\n",
       "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n:2\r\n"},
      {"{1, nil, 3}", "*1\r\n:1\r\n", "*1\r\n:1\r\n"},  // an array stops at the first nil
      {"{1, false, 3}", "*3\r\n:1\r\n$-1\r\n:3\r\n", "*3\r\n:1\r\n_\r\n:3\r\n"},
      {"{a=1}", "*0\r\n", "*0\r\n"},
      {"{ok='fine'}", "+fine\r\n", "+fine\r\n"},
      {"{ok='a\\r\\nb'}", "+a  b\r\n", "+a  b\r\n"},
      {"{ok=1}", "*0\r\n", "*0\r\n"},  // only a string field counts
      {"{err='BAD x'}", "-BAD x\r\n", "-BAD x\r\n"},
      {"{err='a\\r\\nb'}", "-a  b\r\n", "-a  b\r\n"},
      {"{err=''}", "-\r\n", "-\r\n"},
      {"{err=1}", "*0\r\n", "*0\r\n"},
      {"{1, {ok='fine'}, {err='E x'}}", "*3\r\n:1\r\n+fine\r\n-E x\r\n",
       "*3\r\n:1\r\n+fine\r\n-E x\r\n"},
      {"{double=3.5}", "$3\r\n3.5\r\n", ",3.5\r\n"},
      {"{double=1/0}", "$3\r\ninf\r\n", ",inf\r\n"},
      {"{double='x'}", "*0\r\n", "*0\r\n"},
      {"{map={a=1}}", "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n$1\r\na\r\n:1\r\n"},
      {"{set={a=true}}", "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"},
      {"{big_number='123'}", "$3\r\n123\r\n", "(123\r\n"},
      {"{verbatim_string={format='txt', string='hi'}}", "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
      {"{verbatim_string={format='markdown', string='hi'}}", "$2\r\nhi\r\n", "=6\r\nmar:hi\r\n"},
      {"function() end", "$-1\r\n", "_\r\n"},
      {"coroutine.create(function() end)", "$-1\r\n", "_\r\n"},
  };
  for (const ToReplyCase& c : cases) {
    EXPECT_EQ(ToReply(c.lua), c.resp2) << c.lua;
    EXPECT_EQ(ToReply(c.lua, Protocol::kResp2, Protocol::kResp3), c.resp3) << c.lua;
  }
}

TEST_F(ConvertTest, BooleansFollowTheScriptProtocol) {
  // After redis.setresp(3) Lua booleans are RESP3 booleans (degraded to :1/:0 for RESP2).
  EXPECT_EQ(ToReply("true", Protocol::kResp3, Protocol::kResp2), ":1\r\n");
  EXPECT_EQ(ToReply("false", Protocol::kResp3, Protocol::kResp2), ":0\r\n");
  EXPECT_EQ(ToReply("true", Protocol::kResp3, Protocol::kResp3), "#t\r\n");
  EXPECT_EQ(ToReply("false", Protocol::kResp3, Protocol::kResp3), "#f\r\n");
  EXPECT_EQ(ToReply("nil", Protocol::kResp3, Protocol::kResp3), "_\r\n");
}

TEST_F(ConvertTest, ErrorsPassedOnFromCommandsAreNotCountedTwice) {
  EXPECT_EQ(ToReply("{err='E x'}"), "-E x\r\n");
  EXPECT_EQ(last_error_count_, 1u);
  EXPECT_EQ(ToReply("{err='E x', ignore_error_stats_update=true}"), "-E x\r\n");
  EXPECT_EQ(last_error_count_, 0u);
}

TEST_F(ConvertTest, RoundTripOfACommandReply) {
  const std::string reply = "*3\r\n$1\r\na\r\n:7\r\n*1\r\n+OK\r\n";
  ASSERT_EQ(PushReply(lua_, reply), reply.size());
  std::string out;
  ReplyBuilder builder(&out);
  WriteReply(lua_, builder, Protocol::kResp2);
  EXPECT_EQ(out, reply);
}

TEST(LuaNumberToIntegerTest, TruncatesTowardZeroAndSaturatesLikeX86) {
  EXPECT_EQ(LuaNumberToInteger(2.9), 2);
  EXPECT_EQ(LuaNumberToInteger(-2.9), -2);
  EXPECT_EQ(LuaNumberToInteger(9007199254740992.0), 9007199254740992LL);
  EXPECT_EQ(LuaNumberToInteger(-9223372036854775808.0), INT64_MIN);
  EXPECT_EQ(LuaNumberToInteger(9223372036854775808.0), INT64_MIN);
}

}  // namespace
}  // namespace drayman::script
