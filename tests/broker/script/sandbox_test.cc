// The environment scripts run in, compared whole with what Debian's redis-server 7.0.15 answered
// for the same scripts (the SHA-1s inside the error texts are Redis's too).
#include "broker/script/sandbox.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class SandboxTest : public EngineTest {
 protected:
  std::string Eval(const std::string& script) { return RunArgs({"EVAL", script, "0"}); }
};

struct Case {
  std::string script;
  std::string reply;
};

TEST_F(SandboxTest, BehavesAsRedis70) {
  const Case cases[] = {
      {"return os.execute('id')",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: "
       "4b407f359772ac1a6d8c08af9b6f5a54ba99016b, on @user_script:1.\r\n"},
      {"return io.open('/etc/passwd')",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'io' script: "
       "ff0ec78aec759b1d6c55ba7924645033bbb8f413, on @user_script:1.\r\n"},
      {"return require('os')",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'require' "
       "script: 8fe85786fe331195d8ab1970d6604d7c86966bc8, on @user_script:1.\r\n"},
      {"return package.loadlib('/lib/x86_64-linux-gnu/libc.so.6', 'system')",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'package' "
       "script: b4f878020b2db68956622b08cc4942916c779985, on @user_script:1.\r\n"},
      {"return dofile('/etc/passwd')",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'dofile' "
       "script: 08c011fe391ccf0f929e4157315420760f61e767, on @user_script:1.\r\n"},
      {"return loadfile('/etc/passwd')",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'loadfile' "
       "script: 8181c73f82053dc8e1283bc3c394504159a4bcbb, on @user_script:1.\r\n"},
      {"return debug.getregistry()",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'debug' script: "
       "763200efa15885c9fa970d45cc2b11711c739c13, on @user_script:1.\r\n"},
      {"return setfenv(1, {})",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'setfenv' "
       "script: ff114e556bdc5f935d013e6f0f6638471454568b, on @user_script:1.\r\n"},
      {"return {loadstring(string.dump(function() return 1 end))}", "*0\r\n"},
      {"local f, e = loadstring(string.dump(function() return 1 end)) return e",
       "$53\r\n[string \"\x1bLuaQ\"]:1: unexpected symbol near 'char(27)'\r\n"},
      {"local f, e = loadstring('\\027Lua', '=chunk') return e",
       "$42\r\nchunk:1: unexpected symbol near 'char(27)'\r\n"},
      {"local i = 0 local f, e = load(function() i = i + 1 if i == 1 then return "
       "string.dump(function() return 1 end) end end) return e",
       "$43\r\n(load):1: unexpected symbol near 'char(27)'\r\n"},
      {"return loadstring('return 40 + 2')()", ":42\r\n"},
      {"local s = 0 local f = load(function() s = s + 1 if s == 1 then return 'return 7' end end) "
       "return f()",
       ":7\r\n"},
      {"x = 1",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n"},
      {"_G.x = 1",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "e5cf4a26667af1721988fe8c9829d5cd2e26c62e, on @user_script:1.\r\n"},
      {"rawset(_G, 'x', 1)",
       "-ERR Attempt to modify a readonly table script: e2c706419da183d6229a1230c3be09cc32cdeee0, "
       "on @user_script:1.\r\n"},
      {"setmetatable(_G, nil)",
       "-ERR Attempt to modify a readonly table script: 22fdd3b51da2d4bc6703d71d651cd782d8e5a35f, "
       "on @user_script:1.\r\n"},
      {"local mt = getmetatable(_G) mt.__index = nil",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "f0484508561aa8182c2aa233bd4a8b1a3afeb7c4, on @user_script:1.\r\n"},
      {"redis.call = function() return 'poisoned' end",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "bda483a61dae02dfb1d3cbac78db357ac42db17e, on @user_script:1.\r\n"},
      {"rawset(redis, 'call', 1)",
       "-ERR Attempt to modify a readonly table script: 5fe6a8883340d7b98ed047026ea0c11e1cd0fa4e, "
       "on @user_script:1.\r\n"},
      {"table.insert(redis, 1)",
       "-ERR Attempt to modify a readonly table script: 153437512fbb40bf934091c90b83e1de3f0dda6c, "
       "on @user_script:1.\r\n"},
      {"string.format = nil",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "305bdbd065a4b38c3730a3a94ef0d564ad94ba91, on @user_script:1.\r\n"},
      {"getmetatable('').__index = {}",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "600bbd8170b33df355d1857b51be5ad60f77ab7b, on @user_script:1.\r\n"},
      {"getmetatable('').__index.upper = nil",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "e56f8abb7c49e63a30fbca051795e073c7e878e4, on @user_script:1.\r\n"},
      {"coroutine.wrap(function() y = 1 end)()",
       "-ERR user_script:1: user_script:1: Attempt to modify a readonly table script: "
       "d3fb2c9adbb1cfb7102075e91771fcd7cb7880be, on @user_script:1.\r\n"},
      {"loadstring('y = 1')()",
       "-ERR [string \"y = 1\"]:1: Attempt to modify a readonly table script: "
       "95cb627e856032ac90489f4946577aa1220ca896, on y = 1:1.\r\n"},
      {"local ok, e = pcall(function() x = 1 end) return e",
       "$49\r\nuser_script:1: Attempt to modify a readonly table\r\n"},
      {"KEYS = {}",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "6f9c2135c385ef4406555ad3ccccb97d6af382cb, on @user_script:1.\r\n"},
      {"return _G.nonexistent",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'nonexistent' "
       "script: 7b7e1c290bab07de2e6a9e546a632865ed2ae375, on @user_script:1.\r\n"},
      {"return rawget(_G, 'nonexistent')", "$-1\r\n"},
      {"return type(rawget(_G, 'redis'))", "$5\r\ntable\r\n"},
      {"return tostring(getmetatable(redis))", "$3\r\nnil\r\n"},
      {"return type(getmetatable(_G).__index)", "$8\r\nfunction\r\n"},
      {"return rawequal(string, getmetatable('').__index)", ":1\r\n"},
      {"return ('abc'):upper()", "$3\r\nABC\r\n"},
      {"return tostring(_G == _G._G)", "$4\r\ntrue\r\n"},
      {"local n = 0 for k, v in pairs(redis) do n = n + 1 end return n", ":23\r\n"},
      {"local t = {} for k in pairs(math) do t[#t + 1] = k end table.sort(t) return "
       "table.concat(t, ',')",
       "$153\r\nabs,acos,asin,atan,atan2,ceil,cos,cosh,deg,exp,floor,fmod,frexp,huge,ldexp,log,"
       "log10,max,min,mod,modf,pi,pow,rad,random,randomseed,sin,sinh,sqrt,tan,tanh\r\n"},
      {"local t = setmetatable({}, {__index = function(t, k) return k .. '!' end}) return t.hey",
       "$4\r\nhey!\r\n"},
      {"local t = {3, 1, 2} table.insert(t, 0) table.sort(t) return t",
       "*4\r\n:0\r\n:1\r\n:2\r\n:3\r\n"},
      {"return select('#', pcall(error, {}))", ":3\r\n"},
      {"local ok, e = pcall(error, {err='E x'}) return e", "$3\r\nE x\r\n"},
      {"return {pcall()}", "*2\r\n$-1\r\n$31\r\nattempt to call a boolean value\r\n"},
      {"return cjson.encode({1, 2, {a = 'x/y'}})", "$18\r\n[1,2,{\"a\":\"x\\/y\"}]\r\n"},
      {"return cjson.decode('[1,2.5,{\"a\":null}]')[2]", ":2\r\n"},
      {"return cjson.encode(cjson.decode('{\"a\":[1,2.5,null,true]}'))",
       "$23\r\n{\"a\":[1,2.5,null,true]}\r\n"},
      {"return bit.tohex(bit.bxor(0xff, 0x0f))", "$8\r\n000000f0\r\n"},
      {"return bit.band(-1, 0xffff)", ":65535\r\n"},
      {"return unpack({1, 2, 3})", ":1\r\n"},
      {"return math.min(3, 1, 2)", ":1\r\n"},
      {"return tonumber('12') + 1", ":13\r\n"},
      {"return '10' + 5", ":15\r\n"},
      {"return _VERSION", "$7\r\nLua 5.1\r\n"},
  };
  for (const Case& c : cases) EXPECT_EQ(Eval(c.script), c.reply) << c.script;
}

TEST_F(SandboxTest, FailedPoisoningLeavesLaterScriptsIntact) {
  for (const char* attack :
       {"redis.call = function() return 'poisoned' end", "rawset(redis, 'call', 1)",
        "setmetatable(_G, nil)", "getmetatable('').__index = {}", "table.insert(string, 1)",
        "rawset(getmetatable(_G), '__index', nil)", "x = 1"}) {
    EXPECT_EQ(Eval(attack).substr(0, 5), "-ERR ") << attack;
  }
  EXPECT_EQ(Eval("return redis.call('ping')"), "+PONG\r\n");
  EXPECT_EQ(Eval("return ('x'):upper() .. string.format('%d', 7)"), "$2\r\nX7\r\n");
  EXPECT_EQ(Eval("return rawget(_G, 'x') == nil and rawget(redis, 1) == nil"), ":1\r\n");
  EXPECT_EQ(Eval("return #redis"), ":0\r\n");
}

TEST_F(SandboxTest, EvalOfBytecodeIsACompileError) {
  // The body of string.dump(function() return 1 end), as Redis 7.0 produced it.
  std::string dumped = Eval("return string.dump(function() return 1 end)");
  ASSERT_EQ(dumped.substr(0, 4), "$102");
  std::string bytecode = dumped.substr(dumped.find("\r\n") + 2, 102);
  ASSERT_EQ(bytecode.substr(0, 4), "\x1bLua");
  EXPECT_EQ(Eval(bytecode),
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near "
            "'char(27)'\r\n");
}

TEST_F(SandboxTest, GlobalsAreRedis) {
  // redis-server 7.0.15's answer to the same script.
  EXPECT_EQ(Eval("local t = {} for k, v in pairs(_G) do t[#t + 1] = k end table.sort(t) "
                 "return table.concat(t, ',')"),
            "$271\r\nARGV,KEYS,_G,_VERSION,__redis__err__handler,assert,bit,cjson,cmsgpack,"
            "collectgarbage,coroutine,error,gcinfo,getmetatable,ipairs,load,loadstring,math,next,"
            "pairs,pcall,rawequal,rawget,rawset,redis,select,setmetatable,string,struct,table,"
            "tonumber,tostring,type,unpack,xpcall\r\n");
}

}  // namespace
}  // namespace drayman::testing
