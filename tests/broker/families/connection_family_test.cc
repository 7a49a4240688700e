// Connection family tests: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT, CLIENT. Replies and error
// texts were taken from Debian's redis-server 7.0.15 (raw sockets, RESP2 and RESP3); CLIENT
// SETINFO, CLIENT NO-TOUCH and CLIENT LIST's lib-name/lib-ver follow Redis 7.2's source.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kHello3 =
    "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
    "$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
    "$7\r\nmodules\r\n*0\r\n";
constexpr std::string_view kHello2 =
    "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n"
    "$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
    "$7\r\nmodules\r\n*0\r\n";
constexpr std::string_view kHelloNoAuth =
    "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time\r\n";
constexpr std::string_view kNoAuth = "-NOAUTH Authentication required.\r\n";
constexpr std::string_view kWrongPass =
    "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
constexpr std::string_view kBadName =
    "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";

// The body of a bulk or verbatim reply.
std::string Body(const std::string& reply) {
  size_t start = reply.find("\r\n") + 2;
  std::string body = reply.substr(start, reply.size() - start - 2);
  if (reply[0] == '=') body = body.substr(4);  // "txt:"
  return body;
}

// CLIENT LIST / CLIENT INFO line as ordered (name, value) pairs.
std::vector<std::pair<std::string, std::string>> Fields(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  std::vector<std::pair<std::string, std::string>> fields;
  size_t pos = 0;
  while (pos <= line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string::npos) end = line.size();
    std::string item = line.substr(pos, end - pos);
    size_t eq = item.find('=');
    fields.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    pos = end + 1;
  }
  return fields;
}

std::string Field(const std::string& line, std::string_view name) {
  for (const auto& [key, value] : Fields(line)) {
    if (key == name) return value;
  }
  return "<missing>";
}

using ConnectionTest = EngineTest;

TEST_F(ConnectionTest, PingEchoQuit) {
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
  EXPECT_EQ(Run("PING hello"), "$5\r\nhello\r\n");
  EXPECT_EQ(Run("PING a b"), "-ERR wrong number of arguments for 'ping' command\r\n");
  EXPECT_EQ(Run("ECHO \"\""), "$0\r\n\r\n");
  EXPECT_EQ(Run("ECHO a b"), "-ERR wrong number of arguments for 'echo' command\r\n");
  EXPECT_EQ(Run("QUIT a b"), "+OK\r\n");
  EXPECT_TRUE(client_->close_after_reply);
}

TEST_F(ConnectionTest, HelloSwitchesProtocolAndDescribesTheServer) {
  EXPECT_EQ(Run("HELLO"), kHello2);
  EXPECT_EQ(Run("HELLO 3"), kHello3);
  EXPECT_EQ(client_->protocol(), Protocol::kResp3);
  EXPECT_EQ(Run("CLIENT GETNAME"), "_\r\n");
  // HELLO without a version keeps the current protocol.
  EXPECT_EQ(Run("HELLO"), kHello3);
  EXPECT_EQ(Run("HELLO 2"), kHello2);
  EXPECT_EQ(Run("CLIENT GETNAME"), "$-1\r\n");
}

TEST_F(ConnectionTest, HelloErrors) {
  EXPECT_EQ(Run("HELLO abc"), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(Run("HELLO 03"), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(Run("HELLO 3.0"), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(Run("HELLO 4"), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(Run("HELLO 1"), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(Run("HELLO -1"), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(Run("HELLO 4 SETNAME \"a b\""), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(Run("HELLO 3 AUTH"), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
  EXPECT_EQ(Run("HELLO 3 AUTH default"), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
  EXPECT_EQ(Run("HELLO 3 SETNAME"), "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
  EXPECT_EQ(Run("HELLO 3 FOO"), "-ERR Syntax error in HELLO option 'FOO'\r\n");
  EXPECT_EQ(Run("HELLO 3 SETNAME \"a b\""), kBadName);
  EXPECT_EQ(client_->protocol(), Protocol::kResp2);
}

TEST_F(ConnectionTest, HelloSetnameAndAuthWithoutPassword) {
  EXPECT_EQ(Run("HELLO 2 setname abc"), kHello2);
  EXPECT_EQ(Run("CLIENT GETNAME"), "$3\r\nabc\r\n");
  EXPECT_EQ(Run("HELLO 2 SETNAME \"\""), kHello2);
  EXPECT_EQ(Run("CLIENT GETNAME"), "$-1\r\n");
  // Without requirepass the default user takes any password.
  EXPECT_EQ(Run("HELLO 3 AUTH default anything"), kHello3);
  EXPECT_EQ(Run("HELLO 3 AUTH bob anything"), kWrongPass);
}

TEST_F(ConnectionTest, HelloAppliesOptionsOneByOneLikeRedis70) {
  // Redis 7.0 sets the name before it finds the bad option after it.
  EXPECT_EQ(Run("HELLO 3 SETNAME ok FOO"), "-ERR Syntax error in HELLO option 'FOO'\r\n");
  EXPECT_EQ(Run("CLIENT GETNAME"), "$2\r\nok\r\n");
}

TEST_F(ConnectionTest, AuthWithoutPasswordConfigured) {
  EXPECT_EQ(Run("AUTH x"),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?\r\n");
  EXPECT_EQ(Run("AUTH default x"), "+OK\r\n");
  EXPECT_EQ(Run("AUTH bob x"), kWrongPass);
  EXPECT_EQ(Run("AUTH a b c"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("AUTH"), "-ERR wrong number of arguments for 'auth' command\r\n");
}

class AuthTest : public EngineTest {
 protected:
  AuthTest() {
    config_.settings().requirepass = "secret";
    Restart();
  }
};

TEST_F(AuthTest, CommandsNeedAuthentication) {
  EXPECT_EQ(Run("PING"), kNoAuth);
  EXPECT_EQ(Run("SELECT 1"), kNoAuth);
  EXPECT_EQ(Run("CLIENT SETNAME x"), kNoAuth);
  // Unknown commands and arity errors come first, as in Redis.
  EXPECT_EQ(Run("FOO"), "-ERR unknown command 'FOO', with args beginning with: \r\n");
  EXPECT_EQ(Run("SELECT"), "-ERR wrong number of arguments for 'select' command\r\n");
  // These run before AUTH.
  EXPECT_EQ(Run("RESET"), "+RESET\r\n");
  EXPECT_EQ(Run("QUIT"), "+OK\r\n");
}

TEST_F(AuthTest, AuthForms) {
  EXPECT_EQ(Run("AUTH nope"), kWrongPass);
  EXPECT_EQ(Run("AUTH default nope"), kWrongPass);
  EXPECT_EQ(Run("AUTH bob secret"), kWrongPass);
  EXPECT_EQ(Run("PING"), kNoAuth);
  EXPECT_EQ(Run("AUTH secret"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
  // A later failed AUTH keeps the connection authenticated.
  EXPECT_EQ(Run("AUTH bad"), kWrongPass);
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
  // RESET forgets it.
  EXPECT_EQ(Run("RESET"), "+RESET\r\n");
  EXPECT_EQ(Run("PING"), kNoAuth);
  EXPECT_EQ(Run("AUTH default secret"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
}

TEST_F(AuthTest, PasswordMustMatchExactly) {
  // The comparison is constant-time (no early exit); it must still be exact: prefixes, longer
  // guesses, guesses that repeat the secret and same-length guesses are all refused.
  for (const char* guess : {"secre", "secrets", "secretsecret", "secreT", "Secret", "\"\""}) {
    EXPECT_EQ(Run(std::string("AUTH ") + guess), kWrongPass) << guess;
  }
  EXPECT_EQ(Run("PING"), kNoAuth);
  EXPECT_EQ(Run("AUTH secret"), "+OK\r\n");
}

TEST_F(AuthTest, HelloAuth) {
  EXPECT_EQ(Run("HELLO"), kHelloNoAuth);
  EXPECT_EQ(Run("HELLO 3"), kHelloNoAuth);
  EXPECT_EQ(Run("HELLO abc"), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(Run("HELLO 3 AUTH default bad"), kWrongPass);
  EXPECT_EQ(Run("PING"), kNoAuth);
  EXPECT_EQ(client_->protocol(), Protocol::kResp2);
  EXPECT_EQ(Run("HELLO 3 AUTH default secret"), kHello3);
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
}

TEST_F(AuthTest, HelloOptionsTakeEffectInOrder) {
  // Redis 7.0: SETNAME before a failing check sticks; AUTH before a bad name sticks.
  EXPECT_EQ(Run("HELLO 3 SETNAME x"), kHelloNoAuth);
  EXPECT_EQ(Run("HELLO 3 AUTH default secret SETNAME \"a b\""), kBadName);
  EXPECT_EQ(Run("CLIENT GETNAME"), "$1\r\nx\r\n");
  EXPECT_EQ(client_->protocol(), Protocol::kResp2);
  EXPECT_EQ(Run("RESET"), "+RESET\r\n");
  EXPECT_EQ(Run("HELLO 3 SETNAME nm AUTH default bad"), kWrongPass);
  EXPECT_EQ(Run("AUTH default secret"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT GETNAME"), "$2\r\nnm\r\n");
}

TEST_F(AuthTest, ClearingRequirepassLetsEveryoneIn) {
  Client* admin = NewClient();
  EXPECT_EQ(RunOn(admin, "AUTH secret"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), kNoAuth);
  EXPECT_EQ(RunOn(admin, "CONFIG SET requirepass \"\""), "+OK\r\n");
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
  EXPECT_EQ(RunOn(admin, "CONFIG SET requirepass other"), "+OK\r\n");
  EXPECT_EQ(Run("PING"), kNoAuth);
  // A connection that authenticated keeps its access when the password changes.
  EXPECT_EQ(RunOn(admin, "PING"), "+PONG\r\n");
}

TEST_F(AuthTest, UnauthenticatedExecAbortsLikeRedis) {
  // Redis's rejectCommand turns any refusal of EXEC into EXECABORT, even without MULTI.
  const std::string kExecAbortNoAuth =
      "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n";
  EXPECT_EQ(Run("EXEC"), kExecAbortNoAuth);
  EXPECT_EQ(Run("EXEC x"),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command\r\n");
  EXPECT_EQ(Run("MULTI"), kNoAuth);
  EXPECT_EQ(Run("DISCARD"), kNoAuth);
  // A transaction opened while the password was cleared is discarded when EXEC is refused.
  Client* admin = NewClient();
  EXPECT_EQ(RunOn(admin, "AUTH secret"), "+OK\r\n");
  EXPECT_EQ(RunOn(admin, "CONFIG SET requirepass \"\""), "+OK\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SET k v"), "+QUEUED\r\n");
  EXPECT_EQ(RunOn(admin, "CONFIG SET requirepass secret"), "+OK\r\n");
  EXPECT_EQ(Run("EXEC"), kExecAbortNoAuth);
  EXPECT_FALSE(client_->in_multi);
  EXPECT_EQ(RunOn(admin, "EXISTS k"), ":0\r\n");
  // Authenticated, an EXEC with extra arguments is still an EXECABORT.
  EXPECT_EQ(RunOn(admin, "EXEC x"),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command\r\n");
  EXPECT_EQ(RunOn(admin, "EXEC"), "-ERR EXEC without MULTI\r\n");
}

TEST_F(AuthTest, ProtocolLimitsBeforeAuth) {
  EXPECT_EQ(Feed("*11\r\n"), "-ERR Protocol error: unauthenticated multibulk length\r\n");
  EXPECT_TRUE(client_->close_after_reply);
  Client* other = NewClient();
  EXPECT_EQ(Feed("*2\r\n$4\r\nECHO\r\n$16385\r\n", other),
            "-ERR Protocol error: unauthenticated bulk length\r\n");
  // AUTH lifts the limits for the very next command of the same packet.
  Client* third = NewClient();
  EXPECT_EQ(Feed("AUTH secret\r\n*11\r\n$4\r\nECHO\r\n", third), "+OK\r\n");
  EXPECT_FALSE(third->close_after_reply);
}

TEST_F(ConnectionTest, ResetClearsConnectionState) {
  EXPECT_EQ(Run("SELECT 3"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT SETNAME foo"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT SETINFO LIB-NAME redis-py"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT NO-EVICT on"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT NO-TOUCH on"), "+OK\r\n");
  EXPECT_EQ(Run("HELLO 3"), kHello3);
  EXPECT_EQ(Run("RESET"), "+RESET\r\n");
  EXPECT_EQ(client_->protocol(), Protocol::kResp2);
  std::string info = Body(Run("CLIENT INFO"));
  EXPECT_EQ(Field(info, "db"), "0");
  EXPECT_EQ(Field(info, "name"), "");
  EXPECT_EQ(Field(info, "resp"), "2");
  EXPECT_EQ(Field(info, "lib-name"), "redis-py");  // describes the library, so it stays
  EXPECT_EQ(Field(info, "flags"), "e");            // Redis 7.0 keeps no-evict; no-touch goes
  EXPECT_EQ(Run("RESET a"), "-ERR wrong number of arguments for 'reset' command\r\n");
}

// RESET turns CLIENT REPLY OFF back on before answering; a RESET that a SKIP silences stays
// silent (Redis clears REPLY_OFF and SKIP_NEXT, not the skip of the running command).
TEST_F(ConnectionTest, ResetEndsClientReplyOffButNotItsOwnSkip) {
  EXPECT_EQ(Run("CLIENT REPLY OFF"), "");
  EXPECT_EQ(Run("PING"), "");
  EXPECT_EQ(Run("RESET"), "+RESET\r\n");
  EXPECT_EQ(Run("PING"), "+PONG\r\n");
  // A skip lasts until the command after it ends: through the parser, as a session feeds it.
  EXPECT_EQ(Feed("CLIENT REPLY SKIP\r\nRESET\r\nPING\r\n"), "+PONG\r\n");
}

// cmd= names the command last sent, as Redis sets it at lookup: refused commands count, unknown
// ones show NULL.
TEST_F(ConnectionTest, ClientListCmdIsTheLastCommandSent) {
  Client* other = NewClient();
  auto cmd_of_other = [&] {
    return Field(Body(Run("CLIENT LIST ID " + std::to_string(other->id()))), "cmd");
  };
  RunOn(other, "PING");
  EXPECT_EQ(cmd_of_other(), "ping");
  RunOn(other, "ECHO");
  EXPECT_EQ(cmd_of_other(), "echo");
  RunOn(other, "DISCARD");
  EXPECT_EQ(cmd_of_other(), "discard");
  RunOn(other, "FOO");
  EXPECT_EQ(cmd_of_other(), "NULL");
  RunOn(other, "CLIENT NOPE");
  EXPECT_EQ(cmd_of_other(), "NULL");
}

TEST_F(ConnectionTest, Select) {
  EXPECT_EQ(Run("SELECT 15"), "+OK\r\n");
  EXPECT_EQ(client_->db, 15);
  EXPECT_EQ(Run("SELECT 16"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("SELECT -1"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("SELECT 1.5"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("SELECT \" 1\""), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("SELECT 99999999999999999999"), "-ERR value is not an integer or out of range\r\n");
}

TEST_F(ConnectionTest, ClientIdAndNames) {
  EXPECT_EQ(Run("CLIENT ID"), ":1\r\n");
  EXPECT_EQ(RunOn(NewClient(), "CLIENT ID"), ":2\r\n");
  EXPECT_EQ(Run("CLIENT GETNAME"), "$-1\r\n");
  EXPECT_EQ(Run("CLIENT SETNAME myname"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT GETNAME"), "$6\r\nmyname\r\n");
  for (const char* bad : {"\"a b\"", "\"a\\nb\"", "\"a\\x01b\"", "\"a\\x7fb\"", "\"a\\x80b\""}) {
    EXPECT_EQ(Run(std::string("CLIENT SETNAME ") + bad), kBadName) << bad;
  }
  EXPECT_EQ(Run("CLIENT GETNAME"), "$6\r\nmyname\r\n");
  EXPECT_EQ(Run("CLIENT SETNAME \"\""), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT GETNAME"), "$-1\r\n");
  EXPECT_EQ(Run("CLIENT SETNAME a b"),
            "-ERR wrong number of arguments for 'client|setname' command\r\n");
  EXPECT_EQ(Run("CLIENT GETNAME x"),
            "-ERR wrong number of arguments for 'client|getname' command\r\n");
}

TEST_F(ConnectionTest, ClientSetinfo) {
  EXPECT_EQ(Run("CLIENT SETINFO LIB-NAME redis-py(celery_v5.6.2)"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT SETINFO lib-ver 8.1.0"), "+OK\r\n");
  std::string info = Body(Run("CLIENT INFO"));
  EXPECT_EQ(Field(info, "lib-name"), "redis-py(celery_v5.6.2)");
  EXPECT_EQ(Field(info, "lib-ver"), "8.1.0");
  // Errors name the attribute as the client spelled it (Redis 7.2).
  EXPECT_EQ(Run("CLIENT SETINFO LIB-NAME \"a b\""),
            "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(Run("CLIENT SETINFO lib-ver \"1\\n2\""),
            "-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(Run("CLIENT SETINFO badger hamster"), "-ERR Unrecognized option 'badger'\r\n");
  EXPECT_EQ(Run("CLIENT SETINFO badger \"a b\""), "-ERR Unrecognized option 'badger'\r\n");
  EXPECT_EQ(Run("CLIENT SETINFO lib-name"),
            "-ERR wrong number of arguments for 'client|setinfo' command\r\n");
  EXPECT_EQ(Run("CLIENT SETINFO LIB-NAME \"\""), "+OK\r\n");
  EXPECT_EQ(Field(Body(Run("CLIENT INFO")), "lib-name"), "");
}

TEST_F(ConnectionTest, ClientInfoFieldsAndOrder) {
  clock_.AdvanceMs(5000);
  std::string reply = Run("CLIENT INFO");
  ASSERT_EQ(reply.substr(0, 1), "$");
  std::string line = Body(reply);
  EXPECT_EQ(line.back(), '\n');
  std::vector<std::string> names;
  for (const auto& [name, value] : Fields(line)) names.push_back(name);
  // Redis 7.0's fields in order, then Redis 7.2's lib-name and lib-ver.
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "id",        "addr", "laddr", "fd",   "name",     "age",    "idle",      "flags",
                "db",        "sub",  "psub",  "ssub", "multi",    "qbuf",   "qbuf-free", "argv-mem",
                "multi-mem", "rbs",  "rbp",   "obl",  "oll",      "omem",   "tot-mem",   "events",
                "cmd",       "user", "redir", "resp", "lib-name", "lib-ver"}));
  EXPECT_EQ(Field(line, "id"), "1");
  EXPECT_EQ(Field(line, "addr"), "127.0.0.1:50000");
  EXPECT_EQ(Field(line, "laddr"), "127.0.0.1:6379");
  EXPECT_EQ(Field(line, "fd"), "7");
  EXPECT_EQ(Field(line, "age"), "5");
  EXPECT_EQ(Field(line, "idle"), "0");
  EXPECT_EQ(Field(line, "flags"), "N");
  EXPECT_EQ(Field(line, "multi"), "-1");
  EXPECT_EQ(Field(line, "argv-mem"), "10");  // "CLIENT" + "INFO"
  EXPECT_EQ(Field(line, "events"), "r");
  EXPECT_EQ(Field(line, "cmd"), "client|info");
  EXPECT_EQ(Field(line, "user"), "default");
  EXPECT_EQ(Field(line, "redir"), "-1");
  EXPECT_EQ(Field(line, "resp"), "2");
  Resp3();
  reply = Run("CLIENT INFO");
  EXPECT_EQ(reply[0], '=');
  const size_t header_end = reply.find("\r\n");
  EXPECT_EQ(reply.substr(1, header_end - 1), std::to_string(reply.size() - header_end - 4));
  EXPECT_EQ(reply.substr(reply.find("\r\n") + 2, 4), "txt:");
  EXPECT_EQ(Field(Body(reply), "resp"), "3");
}

TEST_F(ConnectionTest, ClientListShowsEveryClientWithItsState) {
  Client* other = NewClient();
  EXPECT_EQ(RunOn(other, "SELECT 2"), "+OK\r\n");
  EXPECT_EQ(RunOn(other, "CLIENT SETNAME worker"), "+OK\r\n");
  clock_.AdvanceMs(3000);
  std::string list = Body(Run("CLIENT LIST"));
  size_t newline = list.find('\n');
  ASSERT_NE(newline, std::string::npos);
  std::string first = list.substr(0, newline + 1);
  std::string second = list.substr(newline + 1);
  EXPECT_EQ(second.find('\n'), second.size() - 1);
  EXPECT_EQ(Field(first, "id"), "1");
  EXPECT_EQ(Field(first, "cmd"), "client|list");
  EXPECT_EQ(Field(second, "id"), "2");
  EXPECT_EQ(Field(second, "name"), "worker");
  EXPECT_EQ(Field(second, "db"), "2");
  EXPECT_EQ(Field(second, "idle"), "3");
  EXPECT_EQ(Field(second, "argv-mem"), "0");
  EXPECT_EQ(Field(second, "cmd"), "client|setname");
}

TEST_F(ConnectionTest, ClientListFilters) {
  NewClient();
  EXPECT_EQ(Body(Run("CLIENT LIST TYPE normal")).size(), Body(Run("CLIENT LIST")).size());
  for (const char* type : {"pubsub", "master", "replica", "slave", "PUBSUB"}) {
    EXPECT_EQ(Run(std::string("CLIENT LIST TYPE ") + type), "$0\r\n\r\n") << type;
  }
  EXPECT_EQ(Run("CLIENT LIST TYPE foo"), "-ERR Unknown client type 'foo'\r\n");
  std::string by_id = Body(Run("CLIENT LIST ID 2 1 99"));
  EXPECT_EQ(Field(by_id.substr(0, by_id.find('\n')), "id"), "2");
  EXPECT_EQ(Field(by_id.substr(by_id.find('\n') + 1), "id"), "1");
  EXPECT_EQ(Run("CLIENT LIST ID 0"), "$0\r\n\r\n");
  EXPECT_EQ(Run("CLIENT LIST ID -5"), "$0\r\n\r\n");
  EXPECT_EQ(Run("CLIENT LIST ID 1 2 abc"), "-ERR Invalid client ID\r\n");
  EXPECT_EQ(Run("CLIENT LIST ID"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT LIST FOO"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT LIST TYPE normal ID 1"), "-ERR syntax error\r\n");
}

TEST_F(ConnectionTest, ClientFlags) {
  EXPECT_EQ(Run("CLIENT NO-EVICT on"), "+OK\r\n");
  EXPECT_EQ(Field(Body(Run("CLIENT INFO")), "flags"), "e");
  EXPECT_EQ(Run("CLIENT NO-TOUCH ON"), "+OK\r\n");
  EXPECT_EQ(Field(Body(Run("CLIENT INFO")), "flags"), "eT");
  EXPECT_EQ(Run("CLIENT NO-EVICT off"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT NO-TOUCH off"), "+OK\r\n");
  EXPECT_EQ(Field(Body(Run("CLIENT INFO")), "flags"), "N");
  EXPECT_EQ(Run("CLIENT NO-EVICT maybe"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT NO-EVICT"),
            "-ERR wrong number of arguments for 'client|no-evict' command\r\n");
  Client* unix_client = engine_->Connect(&observer_, "/unixsocket:0", "/tmp/d.sock:0", 9);
  EXPECT_EQ(Field(Body(RunOn(unix_client, "CLIENT INFO")), "flags"), "U");
}

TEST_F(ConnectionTest, ClientKillOldForm) {
  Client* other = NewClient();
  other->addr = "127.0.0.1:50001";
  EXPECT_EQ(Run("CLIENT KILL 1.2.3.4:5"), "-ERR No such client\r\n");
  EXPECT_EQ(Run("CLIENT KILL ID"), "-ERR No such client\r\n");
  EXPECT_EQ(Run("CLIENT KILL 127.0.0.1:50001"), "+OK\r\n");
  EXPECT_TRUE(other->close_asap);
  EXPECT_EQ(observer_.close_requested, 1);
  // The old form may kill the caller: it gets its reply, then the connection closes.
  EXPECT_EQ(Run("CLIENT KILL 127.0.0.1:50000"), "+OK\r\n");
  EXPECT_TRUE(client_->close_after_reply);
}

TEST_F(ConnectionTest, ClientKillFilters) {
  Client* second = NewClient();
  second->addr = "127.0.0.1:50001";
  Client* third = NewClient();
  third->addr = "127.0.0.1:50002";
  third->laddr = "127.0.0.1:7000";
  EXPECT_EQ(Run("CLIENT KILL ID 99999"), ":0\r\n");
  EXPECT_EQ(Run("CLIENT KILL ADDR 1.2.3.4:5"), ":0\r\n");
  EXPECT_EQ(Run("CLIENT KILL LADDR 127.0.0.1:7000"), ":1\r\n");
  EXPECT_TRUE(third->close_asap);
  // The last ID given wins; SKIPME defaults to yes.
  EXPECT_EQ(Run("CLIENT KILL ID 2 ID 1"), ":0\r\n");
  EXPECT_FALSE(second->close_asap);
  EXPECT_EQ(Run("CLIENT KILL ADDR 127.0.0.1:50001 TYPE normal USER default"), ":1\r\n");
  EXPECT_TRUE(second->close_asap);
  EXPECT_EQ(Run("CLIENT KILL TYPE pubsub"), ":0\r\n");
  EXPECT_FALSE(client_->close_after_reply);
  EXPECT_EQ(Run("CLIENT KILL ID 1 SKIPME no"), ":1\r\n");
  EXPECT_TRUE(client_->close_after_reply);
}

TEST_F(ConnectionTest, ClientKillErrors) {
  EXPECT_EQ(Run("CLIENT KILL"), "-ERR wrong number of arguments for 'client|kill' command\r\n");
  EXPECT_EQ(Run("CLIENT KILL ID abc"), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(Run("CLIENT KILL ID 0"), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(Run("CLIENT KILL ID -1"), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(Run("CLIENT KILL ID 1 2"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT KILL 1 2 3"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT KILL FOO bar"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT KILL MAXAGE 10"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT KILL SKIPME maybe"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT KILL TYPE foo"), "-ERR Unknown client type 'foo'\r\n");
  EXPECT_EQ(Run("CLIENT KILL USER nobody"), "-ERR No such user 'nobody'\r\n");
  EXPECT_EQ(observer_.close_requested, 0);
}

TEST_F(ConnectionTest, ClientUnknownSubcommandsAndHelp) {
  EXPECT_EQ(Run("CLIENT"), "-ERR wrong number of arguments for 'client' command\r\n");
  EXPECT_EQ(Run("CLIENT FOO"), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
  // redis-py 8 sends this on every TCP connection and ignores an error; Redis 7.0's answer:
  EXPECT_EQ(Run("CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type internal-ip"),
            "-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n");
  std::string help = Run("CLIENT HELP");
  EXPECT_EQ(help.substr(0, help.find("\r\n", help.find("\r\n") + 2) + 2),
            "*56\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n");
  EXPECT_NE(help.find("+SETNAME <name>\r\n+    Assign the name <name> to the current "
                      "connection.\r\n"),
            std::string::npos);
  const std::string tail = "+HELP\r\n+    Prints this help.\r\n";
  EXPECT_EQ(help.substr(help.size() - tail.size()), tail);
}

}  // namespace
}  // namespace drayman::testing

namespace drayman::testing {
namespace {

// State other families own shows in CLIENT LIST and is cleared by RESET (flags as Debian's
// redis-server 7.0.15 shows them for the same sequence).
TEST_F(ConnectionTest, FlagsAndCountsFromOtherFamilies) {
  Client* other = NewClient();
  auto other_line = [&] { return Body(Run("CLIENT LIST ID 2")); };
  RunOn(other, "SUBSCRIBE ch");
  RunOn(other, "PSUBSCRIBE p*");
  std::string line = other_line();
  EXPECT_EQ(Field(line, "flags"), "P");
  EXPECT_EQ(Field(line, "sub"), "1");
  EXPECT_EQ(Field(line, "psub"), "1");
  EXPECT_EQ(Field(Body(Run("CLIENT LIST TYPE pubsub")), "id"), "2");
  EXPECT_EQ(Run("CLIENT KILL TYPE pubsub"), ":1\r\n");
  EXPECT_TRUE(other->close_asap);

  Client* third = NewClient();
  RunOn(third, "WATCH k");
  RunOn(third, "MULTI");
  RunOn(third, "PING");
  RunOn(third, "ECHO hello");
  line = Body(Run("CLIENT LIST ID 3"));
  EXPECT_EQ(Field(line, "flags"), "x");
  EXPECT_EQ(Field(line, "multi"), "2");
  EXPECT_EQ(Field(line, "multi-mem"), "13");  // bytes of the queued arguments
  Run("SET k 1");
  EXPECT_EQ(Field(Body(Run("CLIENT LIST ID 3")), "flags"), "xd");
  EXPECT_EQ(RunOn(third, "RESET"), "+RESET\r\n");
  line = Body(Run("CLIENT LIST ID 3"));
  EXPECT_EQ(Field(line, "flags"), "N");
  EXPECT_EQ(Field(line, "multi"), "-1");
  EXPECT_EQ(RunOn(third, "EXEC"), "-ERR EXEC without MULTI\r\n");

  Client* fourth = NewClient();
  RunOn(fourth, "BLPOP nokey 0");
  EXPECT_EQ(Field(Body(Run("CLIENT LIST ID 4")), "flags"), "b");
  EXPECT_EQ(Field(Body(Run("CLIENT LIST ID 4")), "cmd"), "blpop");
}

TEST_F(ConnectionTest, ResetLeavesPubSubAndMonitor) {
  RunOn(client_, "SUBSCRIBE a b");
  EXPECT_EQ(Field(Body(RunOn(NewClient(), "CLIENT LIST ID 1")), "flags"), "P");
  EXPECT_EQ(Run("RESET"), "+RESET\r\n");
  EXPECT_EQ(Run("PING"), "+PONG\r\n");  // no longer in the subscribed context
  std::string line = Body(Run("CLIENT INFO"));
  EXPECT_EQ(Field(line, "flags"), "N");
  EXPECT_EQ(Field(line, "sub"), "0");
  EXPECT_EQ(Run("MONITOR"), "+OK\r\n");
  EXPECT_EQ(Field(Body(RunOn(NewClient(), "CLIENT LIST ID 1")), "flags"), "O");
  EXPECT_EQ(Run("RESET"), "+RESET\r\n");
  EXPECT_EQ(Field(Body(Run("CLIENT INFO")), "flags"), "N");
}

}  // namespace
}  // namespace drayman::testing

namespace drayman::testing {
namespace {

TEST_F(ConnectionTest, TheScriptClientIsNotAConnection) {
  Client* script = NewClient();
  script->is_script_client = true;
  std::string list = Body(Run("CLIENT LIST"));
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 1);
  EXPECT_EQ(Run("CLIENT LIST ID 2"), "$0\r\n\r\n");
  EXPECT_EQ(Run("CLIENT KILL ID 2"), ":0\r\n");
  EXPECT_FALSE(script->close_asap);
}

}  // namespace
}  // namespace drayman::testing

namespace drayman {
namespace {

// Fed through ProcessInput: a skip ends where a processed command ends.
class ClientReplyTest : public testing::EngineTest {};

TEST_F(ClientReplyTest, OffSuppressesUntilOnAndSkipLastsOneCommand) {
  EXPECT_EQ(Feed("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n"), "");
  EXPECT_EQ(Feed("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"), "");
  EXPECT_EQ(Feed("*1\r\n$6\r\nNOSUCH\r\n"), "");
  EXPECT_EQ(Feed("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n"), "+OK\r\n");
  EXPECT_EQ(Feed("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n"), "");
  EXPECT_EQ(Feed("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), "");
  EXPECT_EQ(Feed("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), "$1\r\nv\r\n");
  EXPECT_EQ(Feed("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$5\r\nmaybe\r\n"), "-ERR syntax error\r\n");
}

}  // namespace
}  // namespace drayman
