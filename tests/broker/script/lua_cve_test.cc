// The Lua CVE suite: the public proofs of concept of the Lua bugs Redis fixed (the scripts of
// Redis's tests/unit/scripting.tcl for each fix, plus the crashes reported against Drayman), run
// through EVAL. Before the fixes each of the crashing ones killed the process (SIGSEGV, or a
// sanitizer report under `make test SANITIZE=address,undefined`); now each must answer exactly
// what Debian's redis-server 7.0.15 (with Debian's security patches) answers, SHA-1s included.
// The server must still answer PING afterwards.
//
// Two of Redis's "large-memory" tests need more than 4 GB and run only when
// DRAYMAN_LARGE_MEMORY_TESTS=1 is set (see LargeMemory below).
#include <cstdlib>
#include <string>

#include "broker/script/sandbox.h"
#include "lua.hpp"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class LuaCveTest : public EngineTest {
 protected:
  std::string Eval(const std::string& script) { return RunArgs({"EVAL", script, "0"}); }
  void ExpectAlive() { EXPECT_EQ(Run("PING"), "+PONG\r\n"); }
};

bool LargeMemoryTestsEnabled() {
  const char* value = std::getenv("DRAYMAN_LARGE_MEMORY_TESTS");
  return value != nullptr && std::string(value) == "1";
}

// CVE-2024-31449: bit.tohex with a width of -2^31 negated it into itself and wrote the digits
// far outside an 8-byte stack buffer (SIGSEGV).
TEST_F(LuaCveTest, Cve2024_31449_BitTohexMinimumWidth) {
  EXPECT_EQ(Eval("return bit.tohex(65535, -2147483648)"), "$8\r\n0000FFFF\r\n");
  EXPECT_EQ(Eval("return bit.tohex(65535, 2147483647)"), "$8\r\n0000ffff\r\n");
  ExpectAlive();
}

// CVE-2022-24834: cjson.encode sized its buffer as 6 * length + 2 in an int, which overflows
// past 357,913,941 bytes: the encoder then wrote past a small heap buffer.
TEST_F(LuaCveTest, Cve2022_24834_CjsonEncodeLengthOverflow) {
  EXPECT_EQ(Eval("local s = string.rep('a', 360000000) return #cjson.encode(s)"), ":360000002\r\n");
  ExpectAlive();
}

// CVE-2025-46817: unpack computed its element count in an int (e - i + 1), which overflows for
// ranges such as -2..2^31-1, then pushed that many values past the end of the Lua stack.
TEST_F(LuaCveTest, Cve2025_46817_UnpackInvalidIndexes) {
  EXPECT_EQ(Eval("return {unpack({1,2,3}, -2, 2147483647)}"),
            "-ERR user_script:1: too many results to unpack script: "
            "0395f41f7d84d21b4b0eb98ccabc18f4db2105a7, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return {unpack({1,2,3}, 0, 2147483647)}"),
            "-ERR user_script:1: too many results to unpack script: "
            "99121f1bc192655f687c994215164fe212cd6e73, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return {unpack({1,2,3}, -2147483648, -2)}"),
            "-ERR user_script:1: too many results to unpack script: "
            "7663ebc0c35e4dc823801145cd7799b4c9614473, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return {unpack({1,2,3}, -1, -2)}"), "*0\r\n");
  EXPECT_EQ(Eval("return {unpack({1,2,3}, 1, -1)}"), "*0\r\n");
  const std::string unpack_to_list =
      "local function unpack_to_list(t, i, j) "
      "local n, v = select('#', unpack(t, i, j)), {unpack(t, i, j)} "
      "for i = 1, n do v[i] = v[i] or '_NIL_' end v.n = n return v end ";
  EXPECT_EQ(Eval(unpack_to_list + "return unpack_to_list({1,2,3}, -1, 5)"),
            "*7\r\n$5\r\n_NIL_\r\n$5\r\n_NIL_\r\n:1\r\n:2\r\n:3\r\n$5\r\n_NIL_\r\n$5\r\n_NIL_\r\n");
  // Indexes near -2^31: luaH_getnum's key - 1 overflowed (undefined behaviour).
  EXPECT_EQ(Eval(unpack_to_list + "return unpack_to_list({1,2,3}, -2147483648, -2147483646)"),
            "*3\r\n$5\r\n_NIL_\r\n$5\r\n_NIL_\r\n$5\r\n_NIL_\r\n");
  // An end index of 2^31-1: the loop's i++ stepped past it (undefined behaviour, which Redis's
  // own fix still has).
  EXPECT_EQ(Eval("return select('#', unpack({}, 2147483647, 2147483647))"), ":1\r\n");
  EXPECT_EQ(Eval("return {unpack({1,2,3}, 2147483646, 2147483647)}"), "*0\r\n");
  ExpectAlive();
}

// CVE-2025-46818: a script could change the metatable of a basic type (the string metatable's
// __index runs for every script of every user afterwards) or reach environments with
// getfenv/setfenv/newproxy. Redis refuses each; these are its exact answers.
TEST_F(LuaCveTest, Cve2025_46818_BasicTypeMetatablesAreReadOnly) {
  EXPECT_EQ(Eval("getmetatable(nil).__index = function() return 1 end"),
            "-ERR user_script:1: attempt to index a nil value script: "
            "eda963b95ec3bf23ee7ce73afdf62978e49baf16, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("getmetatable('').__index = function() return 1 end"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "1cc7236222751b574bcf07366f52394412f14643, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("getmetatable(123.222).__index = function() return 1 end"),
            "-ERR user_script:1: attempt to index a nil value script: "
            "863974175b6a49b3e20756e68f4eb822944a8145, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("getmetatable(true).__index = function() return 1 end"),
            "-ERR user_script:1: attempt to index a nil value script: "
            "cc907bf3fb4b337372084c1155c07cad67a51806, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("getmetatable(function() return 1 end).__index = function() return 1 end"),
            "-ERR user_script:1: attempt to index a nil value script: "
            "fc27838993d942470a5118ec6ae7110c71f7a545, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("getmetatable(coroutine.create(function() return 1 end)).__index = "
                 "function() return 1 end"),
            "-ERR user_script:1: attempt to index a nil value script: "
            "a06ba7e9bd222a91533574874b94abedcfc96289, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("local f = function() return 1 end setfenv(f, {}) return 0"),
            "-ERR user_script:1: Script attempted to access nonexistent global variable 'setfenv' "
            "script: d716c22071207640fe3893dab0fd2611fc4c2e75, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("local f = function() return 1 end getfenv(f) return 0"),
            "-ERR user_script:1: Script attempted to access nonexistent global variable 'getfenv' "
            "script: 83b8f992d7337beceba244cd7c6df5fe0ba571b4, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("getmetatable(newproxy(true)).__gc = function() return 1 end return 0"),
            "-ERR user_script:1: Script attempted to access nonexistent global variable "
            "'newproxy' script: 8d567a4ed927ade850b3045e55b010b57212512b, on @user_script:1.\r\n");
  // The string library behind the string metatable is read-only too, and a later script still
  // sees the real string functions.
  EXPECT_EQ(Eval("getmetatable('').__index.upper = function() return 'owned' end"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "c2f925d84f261d800394e3b29a6aabf414e39058, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return ('x'):upper()"), "$1\r\nX\r\n");
  ExpectAlive();
}

// CVE-2025-49844: luaY_parser interned the chunk name without anchoring it. load()'s reader is
// Lua code: when its first piece is empty, the parser calls it again while reading the first
// character, before the name is stored anywhere the collector looks, so a collection there
// freed the name, which every message naming the chunk then read (heap-use-after-free; the
// collector itself read it too, marking the prototype).
TEST_F(LuaCveTest, Cve2025_49844_ParserChunkNameSurvivesCollection) {
  const std::string reader =
      "local i = 0 local function reader() i = i + 1 if i == 1 then return '' end "
      "collectgarbage() if i == 2 then return CODE end end ";
  auto with_code = [&](const std::string& code, const std::string& rest) {
    std::string script = reader;
    script.replace(script.find("CODE"), 4, code);
    return Eval(script + rest);
  };
  EXPECT_EQ(with_code("'error(\"boom\")'", "local ok, e = pcall(load(reader)) return e"),
            "$14\r\n(load):1: boom\r\n");
  EXPECT_EQ(with_code("'return 1 +'", "local f, e = load(reader) return e"),
            "$40\r\n(load):1: unexpected symbol near '<eof>'\r\n");
  EXPECT_EQ(with_code("'return 42'", "return load(reader)()"), ":42\r\n");
  ExpectAlive();
}

// CVE-2024-46981: SCRIPT FLUSH closed the Lua state in the middle of a collection cycle; Redis
// now finishes a full collection first. Scripts leave garbage with finalizers (cjson.new()
// instances) and a cycle under way; the flush and the scripts after it must run cleanly (the
// sanitizer pass checks the memory side).
TEST_F(LuaCveTest, Cve2024_46981_ScriptFlushAfterGarbageWithFinalizers) {
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(Eval("for i = 1, 200 do local c = cjson.new() c.encode({i}) end "
                   "collectgarbage('step', 1) return 1"),
              ":1\r\n");
    EXPECT_EQ(Run("SCRIPT FLUSH"), "+OK\r\n");
  }
  EXPECT_EQ(Eval("return cjson.encode({1, 2})"), "$5\r\n[1,2]\r\n");
  ExpectAlive();
}

// CVE-2025-46819 (part one): the lexer's "chunk has too many lines" error is raised before the
// first token exists, and named that uninitialised token ("near ..."), reading out of bounds.
// Redis's test feeds 2^31 newlines to loadstring; this feeds them to the same parser directly,
// without the 2 GB Lua string Redis's version builds on top. It still takes 2 GB and 6 to 45 s
// (minutes under the sanitizers), so it is one of the opt-in large-memory tests.
TEST(LuaLexerCve, Cve2025_46819_TooManyLinesBeforeTheFirstToken) {
  if (!LargeMemoryTestsEnabled()) GTEST_SKIP() << "set DRAYMAN_LARGE_MEMORY_TESTS=1 (2 GB)";
  const std::string lines(size_t{1} << 31, '\n');
  lua_State* lua = luaL_newstate();
  ASSERT_NE(lua, nullptr);
  EXPECT_NE(script::LoadChunk(lua, lines, "=chunk"), 0);
  const std::string error = lua_tostring(lua, -1);
  EXPECT_EQ(error, "chunk:2147483645: chunk has too many lines");
  lua_close(lua);
}

// Not a CVE: Lua 5.1's pattern matcher recursed once per item such as 'a?' with no limit, so a
// long pattern overflowed the C stack and killed the process (Debian's redis-server 7.0.15 dies
// on this script too, so its answer here is Lua 5.2's limit and error text instead).
// Numbers beyond int's or lua_Integer's range used as table keys and string indexes: their
// conversion was undefined behaviour (clang's float-cast-overflow check stopped restore_fuzzer on
// t[1e10]); it now gives what x86-64 gave. Replies as redis-server 7.0.15 answers them.
TEST_F(LuaCveTest, NumbersBeyondIntConvertAsBefore) {
  EXPECT_EQ(Eval("local t = {} t[1e10] = 'a' t[-1e10] = 'b' t[2^31] = 'c' t[-2^31 - 1] = 'd' "
                 "return {t[1e10], t[-1e10], t[2^31], t[-2^31 - 1], #t}"),
            "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n:0\r\n");
  EXPECT_EQ(Eval("return string.rep('x', 1e300)"), "$0\r\n\r\n");
  EXPECT_EQ(Eval("return string.sub('hello', -1e300, 1e300)"), "$0\r\n\r\n");
  EXPECT_EQ(Eval("return string.sub('hello', 2, 2^63)"), "$0\r\n\r\n");
  EXPECT_EQ(Eval("local t = {'a'} return {t[1 + 2^32], t[1 - 2^32]}"), "*0\r\n");
  ExpectAlive();
}

TEST_F(LuaCveTest, PatternRecursionIsLimited) {
  EXPECT_EQ(Eval("return string.find(string.rep('a', 300000), string.rep('a?', 300000))"),
            "-ERR user_script:1: pattern too complex script: "
            "63d0962775aa7cfd44045922a422f8268b540631, on @user_script:1.\r\n");
  // 200 levels still match, as in Lua 5.2.
  EXPECT_EQ(Eval("return string.find(string.rep('a', 190), string.rep('a?', 190) .. '$')"),
            ":1\r\n");
  ExpectAlive();
}

// Integer overflows in Drayman's own Lua functions (undefined behaviour; the sanitizer pass
// stops on them): the answers are Redis's, whose C wraps around.
TEST_F(LuaCveTest, WideIntervalsAndIndexesDoNotOverflow) {
  EXPECT_EQ(Eval("return {math.random(-2147483648, 2147483647), math.random(-2147483648, 0), "
                 "math.random(-2147483648, 2147483647)}"),
            "*3\r\n:-2147483648\r\n:-3952412235\r\n:-2147483648\r\n");
  EXPECT_EQ(Eval("local f = ipairs({}) return select('#', f({}, 2147483647))"), ":0\r\n");
}

class LargeMemory : public LuaCveTest {
 protected:
  void SetUp() override {
    if (!LargeMemoryTestsEnabled())
      GTEST_SKIP() << "set DRAYMAN_LARGE_MEMORY_TESTS=1 (up to 15 GB)";
    LuaCveTest::SetUp();
  }
};

// CVE-2025-46819 (part two), Redis's script: a long bracket with 2^30 '=' made the lexer compute
// 2 * (2 + sep) in an int, which overflows: the string was read from far outside the buffer.
TEST_F(LargeMemory, Cve2025_46819_LongBracketSeparator) {
  EXPECT_EQ(Eval("local s = string.rep('=', 1024 * 1024) "
                 "local t = {} for i=1,1024 do t[i] = s end "
                 "local sep = table.concat(t) collectgarbage('collect') "
                 "local code = table.concat({'return [',sep,'[x]',sep,']'}) "
                 "collectgarbage('collect') local func = loadstring(code) return #func()"),
            ":1\r\n");
  ExpectAlive();
}

// CVE-2022-24834, Redis's large-memory version: a string over 2 GB.
TEST_F(LargeMemory, Cve2022_24834_CjsonEncodeOver2GB) {
  EXPECT_EQ(Eval("local s = string.rep('a', 1024 * 1024 * 1024) return #cjson.encode(s..s..s)"),
            ":3221225474\r\n");
  ExpectAlive();
}

}  // namespace
}  // namespace drayman::testing
