// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT as redis-cli transcripts. Expected replies are
// what Debian's redis-server 7.0.15 answered (the SHA-1s inside error texts are Redis's own).
// Tests that need commands of other families (strings, keys, sorted sets) skip until those are
// in the table.
#include <initializer_list>

#include "broker/engine.h"
#include "broker/script/script_engine.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class ScriptingTest : public EngineTest {
 protected:
  // EVAL script numkeys key... arg... with exact arguments.
  std::string Eval(const std::string& script, std::vector<std::string> rest = {"0"}) {
    std::vector<std::string> args = {"EVAL", script};
    args.insert(args.end(), rest.begin(), rest.end());
    return RunArgs(std::move(args));
  }
};

struct Case {
  std::string script;
  std::string reply;
};

TEST_F(ScriptingTest, RepliesAndErrorTextsMatchRedis70) {
  const Case cases[] = {
      {"return x",
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: "
       "03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.\r\n"},
      {"x = 1",
       "-ERR user_script:1: Attempt to modify a readonly table script: "
       "34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n"},
      {"error('boom')",
       "-ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on "
       "@user_script:1.\r\n"},
      {"error({err='My Error'})",
       "-My Error script: e115b36aa4ca34249363168860134d6f8b667d30, on @user_script:1.\r\n"},
      {"error({err='MYERR My Error'})",
       "-MYERR My Error script: 7aa7516eb1c39e1e43d198aa6e02ad5b1ebf4cea, on @user_script:1.\r\n"},
      {"error()",
       "-ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1.\r\n"},
      {"error(123)",
       "-ERR user_script:1: 123 script: 11e4dc32230d2c1e720fc094a49809887ce1381a, on "
       "@user_script:1.\r\n"},
      {"error({err=123})",
       "-123 script: 3df60d27107d0bb111e88fc6ce32b54560f3f337, on @user_script:1.\r\n"},
      {"error(true)",
       "-ERR true script: 4fafe2149f68a1618a3eef40aeef55f5af6951da, on @user_script:1.\r\n"},
      {"error('x', 0)",
       "-ERR x script: a8325ab498c94f38b1b3e86862697a313b6dbe35, on @user_script:1.\r\n"},
      {"local function f()\n  error('deep')\nend\n\nf()",
       "-ERR user_script:2: deep script: 9621c4cb0a72e12e9f3ab5cbedc455c9ab86bf3f, on "
       "@user_script:2.\r\n"},
      {"local x = nil\nreturn x.y",
       "-ERR user_script:2: attempt to index local 'x' (a nil value) script: "
       "d4bb16f4f8d843879eecd8fc9b3c6527879baef0, on @user_script:2.\r\n"},
      {"return 1 + {}",
       "-ERR user_script:1: attempt to perform arithmetic on a table value script: "
       "8ab7d53c27e34dc602fbe3688d99968c695c98e4, on @user_script:1.\r\n"},
      {"return string.rep()",
       "-ERR user_script:1: bad argument #1 to 'rep' (string expected, got no value) script: "
       "312a592c4be4cbcb6748209b815c8eb090f3ca71, on @user_script:1.\r\n"},
      {"return string.gsub('a', 'a', error)",
       "-ERR a script: 5fef441c03fdad82166f86264658f20b0a57b276, on =[C]:-1.\r\n"},
      {"return redis.call('nosuch')",
       "-ERR Unknown Redis command called from script script: "
       "206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.\r\n"},
      {"return redis.pcall('nosuch')", "-ERR Unknown Redis command called from script\r\n"},
      {"return redis.call('echo','a','b')",
       "-ERR Wrong number of args calling Redis command from script script: "
       "098b889947086b824ef376eafca3552898709c32, on @user_script:1.\r\n"},
      {"\n\nreturn redis.call('echo','a','b')",
       "-ERR Wrong number of args calling Redis command from script script: "
       "87bf93c7291c04db91bbb2e42355d939c7c6eb31, on @user_script:3.\r\n"},
      {"local function f()\n  return redis.call('echo','a','b')\nend\n\nreturn f()",
       "-ERR Wrong number of args calling Redis command from script script: "
       "bc64c8199df661401e6c5fa75a0853c2c09865be, on @user_script:2.\r\n"},
      {"return redis.pcall('echo','a','b')",
       "-ERR Wrong number of args calling Redis command from script\r\n"},
      {"return redis.call()",
       "-ERR Please specify at least one argument for this redis lib call script: "
       "0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1.\r\n"},
      {"return redis.pcall()",
       "-ERR Please specify at least one argument for this redis lib call\r\n"},
      {"return redis.call({})",
       "-ERR Lua redis lib command arguments must be strings or integers script: "
       "80747816df1f4411f7c442b928fce6a814214839, on @user_script:1.\r\n"},
      {"return redis.call('echo', nil)",
       "-ERR Lua redis lib command arguments must be strings or integers script: "
       "229dabbaaaec350aefa651db1350b76b7e8fa043, on @user_script:1.\r\n"},
      {"return redis.call('echo', true)",
       "-ERR Lua redis lib command arguments must be strings or integers script: "
       "fa0fb7742fdebf03c54532d237d199d064e5c0e7, on @user_script:1.\r\n"},
      {"return redis.call('eval', 'return 1', '0')",
       "-ERR This Redis command is not allowed from script script: "
       "c013ef47ef4bbac034f89c37b0e3ed18f87cd82e, on @user_script:1.\r\n"},
      {"return redis.call('script', 'load', 'return 1')",
       "-ERR This Redis command is not allowed from script script: "
       "a490477d6bc12575fb844107684e6cd178d473fe, on @user_script:1.\r\n"},
      {"return redis.call('quit')",
       "-ERR This Redis command is not allowed from script script: "
       "594184995799820e8ea15ff5ed6e55342c8fed42, on @user_script:1.\r\n"},
      {"return redis.call('script', 'nope')",
       "-ERR Unknown Redis command called from script script: "
       "789d70aac57d07f1c65fe26ad91aa7fd126a14c0, on @user_script:1.\r\n"},
      {"return redis.call('script')",
       "-ERR Wrong number of args calling Redis command from script script: "
       "da3c5f1700f7211575d090ab780213944e08ddb4, on @user_script:1.\r\n"},
      {"local ok, r = pcall(redis.call, 'nosuch') return {tostring(ok), r}",
       "*2\r\n$5\r\nfalse\r\n$44\r\nERR Unknown Redis command called from script\r\n"},
      {"return redis.sha1hex()",
       "-ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, on "
       "@user_script:1.\r\n"},
      {"return redis.set_repl(99)",
       "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: "
       "fae934173b6296d6836d5d5f52e192640f8897d9, on @user_script:1.\r\n"},
      {"return redis.set_repl()",
       "-ERR redis.set_repl() requires two arguments. script: "
       "9504533b41060c143a92eb2f8878e77d33b6dc33, on @user_script:1.\r\n"},
      {"return redis.log(redis.LOG_WARNING)",
       "-ERR redis.log() requires two arguments or more. script: "
       "224c2b6c4d4a245fb6c4394854d25a2ca448909c, on @user_script:1.\r\n"},
      {"return redis.log(99, 'x')",
       "-ERR Invalid debug level. script: d1ccc394357733a87e4372af693b49d6582b5c58, on "
       "@user_script:1.\r\n"},
      {"return redis.log('a', 'x')",
       "-ERR First argument must be a number (log level). script: "
       "6e3a00a16f7fdeb91375a702194617cbeea8bc10, on @user_script:1.\r\n"},
      {"return redis.setresp(4)",
       "-ERR RESP version must be 2 or 3. script: 921c0a48021d97dfd5884aeea41875972c7804d9, on "
       "@user_script:1.\r\n"},
      {"return redis.setresp()",
       "-ERR redis.setresp() requires one argument. script: "
       "76da64e28014e7c9ad76db33c3918c53d81a3d7e, on @user_script:1.\r\n"},
      {"return redis.error_reply()", "-ERR wrong number or type of arguments\r\n"},
      {"return redis.status_reply()", "-ERR wrong number or type of arguments\r\n"},
      {"return redis.error_reply('')", "-ERR \r\n"},
      {"return redis.error_reply('nospace')", "-ERR nospace\r\n"},
      {"return redis.error_reply('-A B')", "-A B\r\n"},
      {"return redis.error_reply('MY err\\r\\nx')", "-MY err  x\r\n"},
      {"return redis.status_reply('a\\r\\nb')", "+a  b\r\n"},
      {"return redis.acl_check_cmd('nosuch')",
       "-ERR Invalid command passed to redis.acl_check_cmd() script: "
       "d2491587bab5149c93be0dce4426f7a06ba9e1a1, on @user_script:1.\r\n"},
      {"return redis.acl_check_cmd('echo', 'x')", ":1\r\n"},
      {"return math.random(0)",
       "-ERR user_script:1: bad argument #1 to 'random' (interval is empty) script: "
       "008bcb60f86ee36d26c67b641b46674578d9cba0, on @user_script:1.\r\n"},
      {"return math.random(1,2,3)",
       "-ERR user_script:1: wrong number of arguments script: "
       "5cd983b5db563301a1c7ab05351573640323e7a9, on @user_script:1.\r\n"},
      {"syntax error here",
       "-ERR Error compiling script (new function): user_script:1: '=' expected near 'error'\r\n"},
      {"#!lua\nreturn x",
       "-ERR user_script:2: Script attempted to access nonexistent global variable 'x' script: "
       "58b72ca6d006e3bafbb8cc006de4820497ce9cf8, on @user_script:2.\r\n"},
      {"#!lua flags=bogus\nreturn 1", "-ERR Unexpected flag in script shebang: bogus\r\n"},
      {"#!luax\nreturn 1", "-ERR Unexpected engine in script shebang: #!luax\r\n"},
      {"#!lua name=x\nreturn 1", "-ERR Unknown lua shebang option: name=x\r\n"},
      {"#!lua", "-ERR Invalid script shebang\r\n"},
      {"#!lua \"flags=no-writes\nreturn 1", "-ERR Invalid engine in script shebang\r\n"},
      {"#!lua flags=no-writes,,allow-oom\nreturn 1",
       "-ERR Unexpected flag in script shebang: \r\n"},
      {"#!\nreturn 1", "-ERR Unexpected engine in script shebang: #!\r\n"},
      {"#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1",
       ":1\r\n"},
      {"#!lua flags=\n\nreturn 2", ":2\r\n"},
      {"#!lua\r\nreturn 3", ":3\r\n"},
      {"return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM", "$13\r\n7.0.15 458767\r\n"},
      {"return redis.sha1hex('abc')", "$40\r\na9993e364706816aba3e25717850c26c9cd0d89d\r\n"},
      {"return redis.sha1hex(1)", "$40\r\n356a192b7913b04c54574d18c28d46e6395428ab\r\n"},
      {"return {redis.replicate_commands(), redis.set_repl(redis.REPL_ALL), redis.breakpoint(), "
       "redis.debug('x')}",
       "*1\r\n:1\r\n"},
      {"return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, "
       "redis.REPL_ALL, redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
       "*9\r\n:0\r\n:1\r\n:2\r\n:2\r\n:3\r\n:0\r\n:1\r\n:2\r\n:3\r\n"},
      {"return redis.log(redis.LOG_DEBUG, 'not logged at notice')", "$-1\r\n"},
      {"return {redis.call('ping'), redis.call('ping').ok, redis.call('echo', 'x')}",
       "*3\r\n+PONG\r\n$4\r\nPONG\r\n$1\r\nx\r\n"},
      {"return {redis.call('echo', 1.5), redis.call('echo', 0.1), redis.call('echo', 100), "
       "redis.call('echo', 1e20), redis.call('echo', 12345678901234567890), redis.call('echo', "
       "-0.0)}",
       "*6\r\n$3\r\n1.5\r\n$19\r\n0.10000000000000001\r\n$3\r\n100\r\n$5\r\n1e+20\r\n$22\r\n1."
       "2345678901234567e+19\r\n$2\r\n-0\r\n"},
      {"return {1, 2, {3, 'x', nil, 4}, false, true, 3.99, -3.99, nil, 5}",
       "*7\r\n:1\r\n:2\r\n*2\r\n:3\r\n$1\r\nx\r\n$-1\r\n:1\r\n:3\r\n:-3\r\n"},
      {"return {1, {ok='fine'}, {err='BAD x'}, redis.error_reply('y')}",
       "*4\r\n:1\r\n+fine\r\n-BAD x\r\n-ERR y\r\n"},
  };
  for (const Case& c : cases) EXPECT_EQ(Eval(c.script), c.reply) << c.script;
}

TEST_F(ScriptingTest, KeyCountIsValidated) {
  EXPECT_EQ(Run("EVAL 'return 1' 2 a"),
            "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(Run("EVAL 'return 1' -1"), "-ERR Number of keys can't be negative\r\n");
  EXPECT_EQ(Run("EVAL 'return 1' abc"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("EVAL 'return 1' 01 a"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("EVAL 'return 1'"), "-ERR wrong number of arguments for 'eval' command\r\n");
  // The key count is checked before the script is compiled.
  EXPECT_EQ(Run("EVAL 'x x' 5"), "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(Eval("#!lua flags=bogus\nreturn 1", {"5"}),
            "-ERR Number of keys can't be greater than number of args\r\n");
}

TEST_F(ScriptingTest, EvalshaOrderOfChecks) {
  // Not 40 characters: NOSCRIPT before anything else; 40 characters: the key count first.
  EXPECT_EQ(Run("EVALSHA nonexistent 5"), "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(Run("EVALSHA fffffffffffffffffffffffffffffffffffffff 5"),
            "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(Run("EVALSHA ffffffffffffffffffffffffffffffffffffffff 5"),
            "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(Run("EVALSHA ffffffffffffffffffffffffffffffffffffffff abc"),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("EVALSHA ffffffffffffffffffffffffffffffffffffffff 1 a"),
            "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(Run("EVALSHA_RO ffffffffffffffffffffffffffffffffffffffff 0"),
            "-NOSCRIPT No matching script. Please use EVAL.\r\n");
}

TEST_F(ScriptingTest, ScriptLoadExistsFlush) {
  EXPECT_EQ(Run("SCRIPT LOAD 'return 1'"), "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n");
  EXPECT_EQ(Run("EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0"), ":1\r\n");
  EXPECT_EQ(Run("EVALSHA E0E1F9FABFC9D4800C877A703B823AC0578FF8DB 0"), ":1\r\n");
  EXPECT_EQ(Run("EVALSHA_RO e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0"), ":1\r\n");
  EXPECT_EQ(Run("SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db "
                "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB nope"),
            "*3\r\n:1\r\n:1\r\n:0\r\n");
  EXPECT_EQ(Run("SCRIPT LOAD 'x x'"),
            "-ERR Error compiling script (new function): user_script:1: '=' expected near 'x'\r\n");
  EXPECT_EQ(RunArgs({"SCRIPT", "LOAD", "#!lua flags=bogus\nreturn 1"}),
            "-ERR Unexpected flag in script shebang: bogus\r\n");
  EXPECT_EQ(RunArgs({"SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1"}),
            "$40\r\n77f21361171213377cb083e2ffc2ae24ffdff8fb\r\n");
  EXPECT_EQ(engine_->scripts().cached_scripts(), 2u);

  EXPECT_EQ(Run("SCRIPT FLUSH x"), "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
  EXPECT_EQ(Run("SCRIPT FLUSH sync async"), "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
  EXPECT_EQ(Run("SCRIPT FLUSH ASYNC"), "+OK\r\n");
  EXPECT_EQ(Run("SCRIPT FLUSH sync"), "+OK\r\n");
  EXPECT_EQ(Run("SCRIPT FLUSH"), "+OK\r\n");
  EXPECT_EQ(engine_->scripts().cached_scripts(), 0u);
  EXPECT_EQ(Run("SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db"), "*1\r\n:0\r\n");
  EXPECT_EQ(Run("EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0"),
            "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  // The fresh Lua state works as the first one did.
  EXPECT_EQ(Eval("return redis.call('ping')"), "+PONG\r\n");
}

TEST_F(ScriptingTest, EvalCachesItsScript) {
  EXPECT_EQ(Run("SCRIPT EXISTS 86043ec21bee61e8b5d3ee13b04ad6a3bd13bf0f"), "*1\r\n:0\r\n");
  EXPECT_EQ(Eval("return 'a' .. 'b'"), "$2\r\nab\r\n");
  EXPECT_EQ(Run("SCRIPT EXISTS 86043ec21bee61e8b5d3ee13b04ad6a3bd13bf0f"), "*1\r\n:1\r\n");
  EXPECT_EQ(Run("EVALSHA 86043ec21bee61e8b5d3ee13b04ad6a3bd13bf0f 0"), "$2\r\nab\r\n");
}

TEST_F(ScriptingTest, ScriptContainerErrorsAndHelp) {
  EXPECT_EQ(Run("SCRIPT"), "-ERR wrong number of arguments for 'script' command\r\n");
  EXPECT_EQ(Run("SCRIPT NOPE"), "-ERR unknown subcommand 'NOPE'. Try SCRIPT HELP.\r\n");
  EXPECT_EQ(Run("SCRIPT EXISTS"), "-ERR wrong number of arguments for 'script|exists' command\r\n");
  EXPECT_EQ(Run("SCRIPT KILL x"), "-ERR wrong number of arguments for 'script|kill' command\r\n");
  EXPECT_EQ(Run("SCRIPT KILL"), "-NOTBUSY No scripts in execution right now.\r\n");
  EXPECT_EQ(Run("SCRIPT HELP x"), "-ERR wrong number of arguments for 'script|help' command\r\n");
  EXPECT_EQ(Run("SCRIPT HELP"),
            "*17\r\n"
            "+SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+DEBUG (YES|SYNC|NO)\r\n"
            "+    Set the debug mode for subsequent scripts executed.\r\n"
            "+EXISTS <sha1> [<sha1> ...]\r\n"
            "+    Return information about the existence of the scripts in the script cache.\r\n"
            "+FLUSH [ASYNC|SYNC]\r\n"
            "+    Flush the Lua scripts cache. Very dangerous on replicas.\r\n"
            "+    When called without the optional mode argument, the behavior is determined by "
            "the\r\n"
            "+    lazyfree-lazy-user-flush configuration directive. Valid modes are:\r\n"
            "+    * ASYNC: Asynchronously flush the scripts cache.\r\n"
            "+    * SYNC: Synchronously flush the scripts cache.\r\n"
            "+KILL\r\n"
            "+    Kill the currently executing Lua script.\r\n"
            "+LOAD <script>\r\n"
            "+    Load a script into the scripts cache without executing it.\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
}

// SCRIPT DEBUG: NO is what a server without a debugger already is; YES/SYNC are refused with
// Drayman's own text, the rest with Redis's.
TEST_F(ScriptingTest, ScriptDebug) {
  EXPECT_EQ(Run("SCRIPT DEBUG no"), "+OK\r\n");
  EXPECT_EQ(Run("SCRIPT DEBUG maybe"), "-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n");
  EXPECT_EQ(Run("SCRIPT DEBUG YES"),
            "-ERR SCRIPT DEBUG YES/SYNC is not supported: Drayman has no Lua debugger (SCRIPT "
            "DEBUG NO is accepted)\r\n");
  EXPECT_EQ(Run("SCRIPT DEBUG"), "-ERR wrong number of arguments for 'script|debug' command\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SCRIPT DEBUG NO"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*1\r\n-ERR SCRIPT DEBUG must be called outside a pipeline\r\n");
}

TEST_F(ScriptingTest, KeysAndArgv) {
  EXPECT_EQ(Eval("return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", {"2", "a", "b", "c"}),
            "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n:2\r\n:1\r\n");
  EXPECT_EQ(Eval("return type(KEYS) .. type(ARGV) .. #KEYS .. #ARGV"), "$12\r\ntabletable00\r\n");
  // Binary-safe both ways.
  EXPECT_EQ(Eval("return ARGV[1]", {"0", std::string("a\0b\r\n", 5)}),
            std::string("$5\r\na\0b\r\n\r\n", 11));
  // A script may change its own KEYS table, not replace it.
  EXPECT_EQ(Eval("KEYS[1] = 'changed' return KEYS[1]", {"1", "k"}), "$7\r\nchanged\r\n");
  EXPECT_EQ(Eval("return KEYS[1]", {"1", "k"}), "$1\r\nk\r\n");
}

TEST_F(ScriptingTest, MovableKeys) {
  const CommandSpec* eval = engine_->commands().Find("eval");
  ASSERT_NE(eval, nullptr);
  EXPECT_EQ(eval->KeyIndexes({"eval", "s", "2", "a", "b", "c"}), (std::vector<int>{3, 4}));
  EXPECT_EQ(eval->KeyIndexes({"eval", "s", "0", "a"}), (std::vector<int>{}));
  EXPECT_EQ(eval->KeyIndexes({"eval", "s", "3", "a"}), (std::vector<int>{}));
  EXPECT_EQ(eval->KeyIndexes({"eval", "s", "x"}), (std::vector<int>{}));
}

TEST_F(ScriptingTest, Resp3Caller) {
  Resp3();
  EXPECT_EQ(Eval("return {double=3.5}"), ",3.5\r\n");
  EXPECT_EQ(Eval("return {map={a=1}}"), "%1\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Eval("return {set={a=true}}"), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(Eval("return {big_number='123'}"), "(123\r\n");
  EXPECT_EQ(Eval("return {verbatim_string={format='txt', string='hi'}}"), "=6\r\ntxt:hi\r\n");
  EXPECT_EQ(Eval("return true"), ":1\r\n");
  EXPECT_EQ(Eval("return false"), "_\r\n");
  EXPECT_EQ(Eval("return {1, false, 2}"), "*3\r\n:1\r\n_\r\n:2\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return true"), "#t\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return false"), "#f\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return nil"), "_\r\n");
  // Each script starts in RESP2 again.
  EXPECT_EQ(Eval("return true"), ":1\r\n");
}

TEST_F(ScriptingTest, ScriptProtocolDegradesForResp2Callers) {
  EXPECT_EQ(Eval("return {double=3.5}"), "$3\r\n3.5\r\n");
  EXPECT_EQ(Eval("return {map={a=1}}"), "*2\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Eval("return {set={a=true}}"), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(Eval("return {big_number='123'}"), "$3\r\n123\r\n");
  EXPECT_EQ(Eval("return {verbatim_string={format='txt', string='hi'}}"), "$2\r\nhi\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return true"), ":1\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return false"), ":0\r\n");
}

TEST_F(ScriptingTest, SelectInsideAScriptLeavesTheCaller) {
  EXPECT_EQ(Run("SELECT 2"), "+OK\r\n");
  EXPECT_EQ(Eval("return redis.call('select', '5')"), "+OK\r\n");
  EXPECT_EQ(client_->db, 2);
  EXPECT_EQ(Eval("return redis.call('select', '99')"),
            "-ERR DB index is out of range script: 8e38ba0bb2cd62f4775e64404798c5229b0e189b, on "
            "@user_script:1.\r\n");
}

TEST_F(ScriptingTest, ScriptsRunInTheCallersDatabase) {
  EXPECT_EQ(Run("SELECT 3"), "+OK\r\n");
  EXPECT_EQ(Eval("redis.call('set', 'k', 'in3') redis.call('select', '4') "
                 "redis.call('set', 'k', 'in4') return redis.call('get', 'k')"),
            "$3\r\nin4\r\n");
  EXPECT_EQ(Run("GET k"), "$3\r\nin3\r\n");
  EXPECT_EQ(Run("SELECT 4"), "+OK\r\n");
  EXPECT_EQ(Run("GET k"), "$3\r\nin4\r\n");
}

TEST_F(ScriptingTest, ErrorsAreCountedOnceInErrorStats) {
  // Redis 7.0, INFO errorstats after the same sequence: ERR=5, MY=1, WRONGTYPE=2, total 8.
  Eval("return redis.call('nosuch')");
  Eval("return redis.pcall('nosuch')");
  Eval("error('x')");
  Eval("return redis.error_reply('MY x')");
  Eval("local r = redis.pcall('nosuch') return 1");
  Run("SET str v");
  Eval("return redis.call('lpush', 'str', 'x')");
  Eval("return redis.pcall('lpush', 'str', 'x')");
  Eval("return redis.call('echo')");
  const EngineStats& stats = engine_->stats();
  EXPECT_EQ(stats.total_error_replies, 8u);
  EXPECT_EQ(stats.error_counts.at("ERR"), 5u);
  EXPECT_EQ(stats.error_counts.at("MY"), 1u);
  EXPECT_EQ(stats.error_counts.at("WRONGTYPE"), 2u);
}

TEST_F(ScriptingTest, ReadOnlyScriptsRefuseWrites) {
  EXPECT_EQ(RunArgs({"EVAL_RO", "return redis.call('set','a','b')", "0"}),
            "-ERR Write commands are not allowed from read-only scripts. script: "
            "ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1.\r\n");
  EXPECT_EQ(RunArgs({"EVAL_RO", "return redis.pcall('set','a','b')", "0"}),
            "-ERR Write commands are not allowed from read-only scripts.\r\n");
  EXPECT_EQ(RunArgs({"EVAL_RO", "return redis.call('get','a')", "0"}), "$-1\r\n");
  EXPECT_EQ(Eval("#!lua flags=no-writes\nreturn redis.call('set','a','b')"),
            "-ERR Write commands are not allowed from read-only scripts. script: "
            "6acb400a50fe96e33eca4e0af6e9dcfb21193726, on @user_script:2.\r\n");
  EXPECT_EQ(Eval("#!lua\nreturn redis.call('set','sb','b')"), "+OK\r\n");
  EXPECT_EQ(RunArgs({"SCRIPT", "LOAD", "return redis.call(\"set\", \"c\", \"d\")"}),
            "$40\r\n12be025bacce3b4f161ef7b8d379ce895f79b923\r\n");
  EXPECT_EQ(Run("EVALSHA_RO 12be025bacce3b4f161ef7b8d379ce895f79b923 0"),
            "-ERR Write commands are not allowed from read-only scripts. script: "
            "12be025bacce3b4f161ef7b8d379ce895f79b923, on @user_script:1.\r\n");
  EXPECT_EQ(Run("EVALSHA 12be025bacce3b4f161ef7b8d379ce895f79b923 0"), "+OK\r\n");
}

// channels_redis 4.x (channels_redis/core.py), quoted unchanged from the client contract.
constexpr const char* kCleanupScript = R"(
            local backed_up = redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')
            for i = #backed_up, 1, -2 do
                redis.call('ZADD', ARGV[1], backed_up[i], backed_up[i - 1])
            end
            redis.call('DEL', ARGV[2])
)";
constexpr const char* kDeletePrefixScript = R"(
            local keys = redis.call('keys', ARGV[1])
            for i=1,#keys,5000 do
                redis.call('del', unpack(keys, i, math.min(i+4999, #keys)))
            end
)";
constexpr const char* kGroupSendScript = R"(
                local over_capacity = 0
                local current_time = ARGV[#ARGV - 1]
                local expiry = ARGV[#ARGV]
                for i=1,#KEYS do
                    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
                        redis.call('ZADD', KEYS[i], current_time, ARGV[i])
                        redis.call('EXPIRE', KEYS[i], expiry)
                    else
                        over_capacity = over_capacity + 1
                    end
                end
                return over_capacity
)";
// redis-py's Lock.LUA_RELEASE_SCRIPT and LUA_EXTEND_SCRIPT (redis/lock.py), unchanged.
constexpr const char* kLockReleaseScript = R"(
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('del', KEYS[1])
        return 1
    )";
constexpr const char* kLockExtendScript = R"(
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        local expiration = redis.call('pttl', KEYS[1])
        if not expiration then
            expiration = 0
        end
        if expiration < 0 then
            return 0
        end

        local newttl = ARGV[2]
        if ARGV[3] == "0" then
            newttl = ARGV[2] + expiration
        end
        redis.call('pexpire', KEYS[1], newttl)
        return 1
    )";

TEST_F(ScriptingTest, ChannelsRedisCleanupRestoresTheBackupQueue) {
  EXPECT_EQ(Run("ZADD asgi:ch$inflight 1700000000.123456 m1 1700000001.5 m2"), ":2\r\n");
  EXPECT_EQ(Run("ZADD asgi:ch 1700000002.25 m0"), ":1\r\n");
  EXPECT_EQ(Eval(kCleanupScript, {"0", "asgi:ch", "asgi:ch$inflight"}), "$-1\r\n");
  EXPECT_EQ(Run("ZRANGE asgi:ch 0 -1 WITHSCORES"),
            "*6\r\n$2\r\nm1\r\n$17\r\n1700000000.123456\r\n$2\r\nm2\r\n$12\r\n1700000001.5\r\n"
            "$2\r\nm0\r\n$13\r\n1700000002.25\r\n");
  EXPECT_EQ(Run("EXISTS asgi:ch$inflight"), ":0\r\n");
  EXPECT_EQ(Eval(kCleanupScript, {"0", "asgi:empty", "asgi:empty$inflight"}), "$-1\r\n");
}

TEST_F(ScriptingTest, ChannelsRedisFlushDeletesByPrefix) {
  Run("SET asgi:a 1");
  Run("SET asgi:b 1");
  Run("SET other 1");
  EXPECT_EQ(Eval(kDeletePrefixScript, {"0", "asgi*"}), "$-1\r\n");
  EXPECT_EQ(Run("KEYS *"), "*1\r\n$5\r\nother\r\n");
  // More than one DEL batch of 5000 keys.
  for (int i = 0; i < 12000; ++i) RunArgs({"SET", "asgi:" + std::to_string(i), "v"});
  EXPECT_EQ(Eval(kDeletePrefixScript, {"0", "asgi*"}), "$-1\r\n");
  EXPECT_EQ(Run("KEYS *"), "*1\r\n$5\r\nother\r\n");
}

TEST_F(ScriptingTest, ChannelsRedisGroupSendHonoursCapacity) {
  EXPECT_EQ(Run("ZADD asgi:full 1 x"), ":1\r\n");
  EXPECT_EQ(Eval(kGroupSendScript,
                 {"2", "asgi:g1", "asgi:full", "msg1", "msg2", "100", "1", "1700000003.5", "60"}),
            ":1\r\n");
  EXPECT_EQ(Run("ZRANGE asgi:g1 0 -1 WITHSCORES"), "*2\r\n$4\r\nmsg1\r\n$12\r\n1700000003.5\r\n");
  EXPECT_EQ(Run("TTL asgi:g1"), ":60\r\n");
  EXPECT_EQ(Run("ZRANGE asgi:full 0 -1 WITHSCORES"), "*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("TTL asgi:full"), ":-1\r\n");
}

TEST_F(ScriptingTest, RedisPyLockReleaseAndExtend) {
  EXPECT_EQ(Run("SET lock token-1 NX PX 10000"), "+OK\r\n");
  EXPECT_EQ(Eval(kLockExtendScript, {"1", "lock", "token-1", "5000", "0"}), ":1\r\n");
  EXPECT_EQ(Run("PTTL lock"), ":15000\r\n");
  EXPECT_EQ(Eval(kLockExtendScript, {"1", "lock", "token-1", "3000", "1"}), ":1\r\n");
  EXPECT_EQ(Run("PTTL lock"), ":3000\r\n");
  EXPECT_EQ(Eval(kLockExtendScript, {"1", "lock", "other", "3000", "1"}), ":0\r\n");
  EXPECT_EQ(Eval(kLockReleaseScript, {"1", "lock", "other"}), ":0\r\n");
  EXPECT_EQ(Run("GET lock"), "$7\r\ntoken-1\r\n");
  EXPECT_EQ(Eval(kLockReleaseScript, {"1", "lock", "token-1"}), ":1\r\n");
  EXPECT_EQ(Run("GET lock"), "$-1\r\n");
  EXPECT_EQ(Eval(kLockReleaseScript, {"1", "lock", "token-1"}), ":0\r\n");
}

TEST_F(ScriptingTest, RedisPyScriptFallbackFromNoscriptToLoad) {
  // What redis-py's Script.__call__ does: EVALSHA, and on NOSCRIPT, SCRIPT LOAD then EVALSHA.
  const std::string sha = "5e5a0ee2ce6c2e5a5f9fbfc4b6c3e1d3f5b8f3a1";
  EXPECT_EQ(RunArgs({"EVALSHA", sha, "1", "lock", "t"}),
            "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  std::string loaded = RunArgs({"SCRIPT", "LOAD", kLockReleaseScript});
  ASSERT_EQ(loaded.size(), 47u);
  EXPECT_EQ(Run("SET lock t"), "+OK\r\n");
  EXPECT_EQ(RunArgs({"EVALSHA", loaded.substr(5, 40), "1", "lock", "t"}), ":1\r\n");
  EXPECT_EQ(Run("GET lock"), "$-1\r\n");
}

TEST_F(ScriptingTest, ScriptCommandsSeeTheScriptStartTime) {
  EXPECT_EQ(Run("SET k v PX 100"), "+OK\r\n");
  clock_.AdvanceMs(60);
  EXPECT_EQ(Eval("return {redis.call('pttl', 'k'), redis.call('pttl', 'k')}"),
            "*2\r\n:40\r\n:40\r\n");
}

}  // namespace
}  // namespace drayman::testing
