// ACL users, rules and checks through the engine (broker/acl/). Texts are redis-server 7.0.15's
// (tests/python/test_acl.py compares the same sequences with a live redis-server).
#include "broker/acl/acl.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "broker/acl/redis_command_acl.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kNoPermKey =
    "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n";
constexpr std::string_view kNoPermChannel =
    "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n";
constexpr std::string_view kWrongPass =
    "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

std::string Bulk(std::string_view text) {
  return "$" + std::to_string(text.size()) + "\r\n" + std::string(text) + "\r\n";
}

std::string NoPermCommand(std::string_view name) {
  return "-NOPERM this user has no permissions to run the '" + std::string(name) + "' command\r\n";
}

class AclTest : public EngineTest {
 protected:
  // A new connection authenticated as `user` (password "pw").
  Client* As(std::string_view user) {
    Client* client = NewClient();
    EXPECT_EQ(RunOn(client, "AUTH " + std::string(user) + " pw"), "+OK\r\n");
    return client;
  }
  std::string List() { return Run("ACL LIST"); }
};

TEST_F(AclTest, DefaultUserIsPermissiveAndDescribedAsRedisDoes) {
  EXPECT_EQ(Run("ACL LIST"), "*1\r\n" + Bulk("user default on nopass ~* &* +@all"));
  EXPECT_EQ(Run("ACL WHOAMI"), Bulk("default"));
  EXPECT_EQ(Run("ACL USERS"), "*1\r\n" + Bulk("default"));
  EXPECT_TRUE(engine_->acl().default_user()->unrestricted);
}

TEST_F(AclTest, NewUserIsOffWithNoPermissions) {
  EXPECT_EQ(Run("ACL SETUSER u"), "+OK\r\n");
  EXPECT_EQ(Run("ACL DRYRUN u get k"),
            Bulk("This user has no permissions to run the 'get' command"));
  EXPECT_EQ(Run("ACL LIST"), "*2\r\n" + Bulk("user default on nopass ~* &* +@all") +
                                 Bulk("user u off resetchannels -@all"));
  EXPECT_EQ(Run("AUTH u x"), kWrongPass);
}

TEST_F(AclTest, PasswordsAreStoredAsSha256) {
  EXPECT_EQ(Run("ACL SETUSER u on >p1 >p1 #" + std::string(64, 'a')), "+OK\r\n");
  const acl::User* user = engine_->acl().FindUser("u");
  ASSERT_EQ(user->passwords.size(), 2u);
  EXPECT_EQ(user->passwords[0], acl::HashPassword("p1"));
  EXPECT_EQ(acl::HashPassword("p1"),
            "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a");
  Client* client = NewClient();
  EXPECT_EQ(RunOn(client, "AUTH u p1"), "+OK\r\n");
  EXPECT_EQ(client->user, engine_->acl().FindUser("u"));
  EXPECT_EQ(Run("ACL SETUSER u <p1 !" + std::string(64, 'a')), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "AUTH u p1"), kWrongPass);
  EXPECT_EQ(Run("ACL SETUSER u <p1"),
            "-ERR Error in ACL SETUSER modifier '<p1': The password you are trying to remove "
            "from the user does not exist\r\n");
  EXPECT_EQ(Run("ACL SETUSER u #abc"),
            "-ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 "
            "characters and contain only lowercase hexadecimal characters\r\n");
  EXPECT_EQ(Run("ACL SETUSER u nopass"), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "AUTH u anything"), "+OK\r\n");
  EXPECT_EQ(Run("ACL SETUSER u resetpass"), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "AUTH u anything"), kWrongPass);
  EXPECT_EQ(Run("ACL SETUSER u >pw off"), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "AUTH u pw"), kWrongPass);  // disabled users cannot log in
}

TEST_F(AclTest, CommandRules) {
  Run("ACL SETUSER u on >pw allkeys +@string -set +client|id +select|0");
  Client* client = As("u");
  EXPECT_EQ(RunOn(client, "GET k"), "$-1\r\n");
  EXPECT_EQ(RunOn(client, "SET k v"), NoPermCommand("set"));
  EXPECT_EQ(RunOn(client, "CLIENT ID"), ":" + std::to_string(client->id()) + "\r\n");
  EXPECT_EQ(RunOn(client, "CLIENT INFO").substr(0, 1), "-");
  EXPECT_EQ(RunOn(client, "SELECT 0"), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "SELECT 1"), NoPermCommand("select"));
  EXPECT_EQ(RunOn(client, "LPUSH l a"), NoPermCommand("lpush"));
  Run("ACL SETUSER u allcommands -flushall");
  EXPECT_EQ(RunOn(client, "LPUSH l a"), ":1\r\n");
  EXPECT_EQ(RunOn(client, "FLUSHALL"), NoPermCommand("flushall"));
  Run("ACL SETUSER u nocommands +@list");
  EXPECT_EQ(RunOn(client, "LPUSH l a"), ":2\r\n");
  EXPECT_EQ(RunOn(client, "GET k"), NoPermCommand("get"));
  EXPECT_EQ(Run("ACL SETUSER u +@nosuch"),
            "-ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in "
            "ACL\r\n");
  EXPECT_EQ(Run("ACL SETUSER u +nosuch"),
            "-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in "
            "ACL\r\n");
  EXPECT_EQ(Run("ACL SETUSER u +client|id|x"),
            "-ERR Error in ACL SETUSER modifier '+client|id|x': Allowing first-arg of a "
            "subcommand is not supported\r\n");
  EXPECT_EQ(Run("ACL SETUSER u bogus"),
            "-ERR Error in ACL SETUSER modifier 'bogus': Syntax error\r\n");
}

TEST_F(AclTest, DescribeUsesCategoriesThenSingleCommands) {
  Run("ACL SETUSER u -@all +@list +get -lpush");
  const acl::Selector& root = engine_->acl().FindUser("u")->selectors[0];
  EXPECT_EQ(engine_->acl().DescribeCommandRules(root), "-@all +@list +get -lpush");
  Run("ACL SETUSER v +@all -@dangerous");
  EXPECT_EQ(engine_->acl().DescribeCommandRules(engine_->acl().FindUser("v")->selectors[0]),
            "+@all -@dangerous");
}

TEST_F(AclTest, KeyPatternsWithReadAndWritePermissions) {
  Run("ACL SETUSER u on >pw +@all %R~in:* %W~out:* ~both:*");
  Client* client = As("u");
  EXPECT_EQ(RunOn(client, "GET in:1"), "$-1\r\n");
  EXPECT_EQ(RunOn(client, "SET in:1 v"), kNoPermKey);
  EXPECT_EQ(RunOn(client, "SET out:1 v"), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "SET out:1 v GET"), kNoPermKey);  // GET reads the key too
  EXPECT_EQ(RunOn(client, "GET out:1"), kNoPermKey);
  EXPECT_EQ(RunOn(client, "LMOVE in:1 out:1 LEFT RIGHT"), kNoPermKey);  // source is deleted from
  EXPECT_EQ(RunOn(client, "SET both:1 v GET"), "$-1\r\n");
  EXPECT_EQ(RunOn(client, "EVAL \"return 1\" 1 other"), kNoPermKey);
  EXPECT_EQ(RunOn(client, "ZUNIONSTORE out:z 1 in:1"), ":0\r\n");
  EXPECT_EQ(Run("ACL GETUSER u").find("%R~in:* %W~out:* ~both:*") != std::string::npos, true);
  Run("ACL SETUSER u %W~in:*");  // the same pattern again: permissions merge into ~in:*
  EXPECT_NE(Run("ACL GETUSER u").find("~in:* %W~out:*"), std::string::npos);
  EXPECT_EQ(Run("ACL SETUSER u allkeys ~x"),
            "-ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or "
            "the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to "
            "start with an empty list of patterns\r\n");
  Run("ACL SETUSER u resetkeys");
  EXPECT_EQ(RunOn(client, "GET in:1"), kNoPermKey);
  EXPECT_EQ(RunOn(client, "PING"), "+PONG\r\n");
}

TEST_F(AclTest, ChannelPatterns) {
  Run("ACL SETUSER u on >pw +@all allkeys resetchannels &news.*");
  Client* client = As("u");
  EXPECT_EQ(RunOn(client, "PUBLISH news.a m"), ":0\r\n");
  EXPECT_EQ(RunOn(client, "PUBLISH sport m"), kNoPermChannel);
  EXPECT_EQ(RunOn(client, "PSUBSCRIBE news.x"), kNoPermChannel);  // patterns match literally
  EXPECT_EQ(RunOn(client, "SUBSCRIBE news.a sport"), kNoPermChannel);
  EXPECT_EQ(Run("ACL SETUSER u allchannels &x"),
            "-ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern (or "
            "the 'allchannels' flag) is not valid and does not have any effect. Try "
            "'resetchannels' to start with an empty list of channels\r\n");
  // acl-pubsub-default allchannels: new users start with &*.
  Run("CONFIG SET acl-pubsub-default allchannels");
  Run("ACL SETUSER w");
  EXPECT_EQ(Run("ACL GETUSER w").find("&*") != std::string::npos, true);
}

TEST_F(AclTest, SelectorsAllowWhatTheRootDoesNot) {
  EXPECT_EQ(Run("ACL SETUSER u on >pw +get ~a (+set ~b) (+set %R~c)"), "+OK\r\n");
  Client* client = As("u");
  EXPECT_EQ(RunOn(client, "GET a"), "$-1\r\n");
  EXPECT_EQ(RunOn(client, "SET b v"), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "GET b"), kNoPermKey);
  EXPECT_EQ(RunOn(client, "SET c v"), kNoPermKey);
  EXPECT_EQ(RunOn(client, "LPUSH a x"), NoPermCommand("lpush"));
  EXPECT_EQ(Run("ACL SETUSER u (+get"),
            "-ERR Unmatched parenthesis in acl selector starting at '(+get'.\r\n");
  Run("ACL SETUSER u clearselectors");
  EXPECT_EQ(RunOn(client, "SET b v"), NoPermCommand("set"));
  Run("ACL SETUSER u reset");
  EXPECT_EQ(
      Run("ACL LIST").find("user u off sanitize-payload resetchannels -@all") != std::string::npos,
      true);
}

TEST_F(AclTest, RequirepassIsTheDefaultUsersPassword) {
  EXPECT_EQ(Run("CONFIG SET requirepass secret"), "+OK\r\n");
  Client* fresh = NewClient();
  EXPECT_EQ(RunOn(fresh, "GET k"), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(RunOn(fresh, "AUTH secret"), "+OK\r\n");
  EXPECT_EQ(RunOn(fresh, "AUTH default secret"), "+OK\r\n");
  EXPECT_NE(Run("ACL LIST").find("user default on #" + acl::HashPassword("secret") + " ~* &*"),
            std::string::npos);
  EXPECT_EQ(Run("CONFIG SET requirepass \"\""), "+OK\r\n");
  EXPECT_EQ(Run("ACL LIST"), "*1\r\n" + Bulk("user default on nopass ~* &* +@all"));
  EXPECT_EQ(Run("AUTH x"),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?\r\n");
}

TEST_F(AclTest, MultiChecksAtQueueAndExecTime) {
  Run("ACL SETUSER u on >pw +@all ~a*");
  Client* client = As("u");
  EXPECT_EQ(RunOn(client, "MULTI"), "+OK\r\n");
  EXPECT_EQ(RunOn(client, "GET b"), kNoPermKey);
  EXPECT_EQ(RunOn(client, "EXEC"),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  RunOn(client, "MULTI");
  EXPECT_EQ(RunOn(client, "SET a1 v"), "+QUEUED\r\n");
  Run("ACL SETUSER u resetkeys ~b*");
  EXPECT_EQ(RunOn(client, "EXEC"),
            "*1\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated "
            "and the EXEC call. This command is no longer allowed for the following reason: no "
            "permission to touch the specified keys\r\n");
  EXPECT_EQ(Run("ACL LOG 1").find("multi") != std::string::npos, true);
}

TEST_F(AclTest, ScriptsCheckTheCallersUser) {
  Run("ACL SETUSER u on >pw +@all ~a*");
  Client* client = As("u");
  EXPECT_EQ(RunOn(client, "EVAL \"return redis.call('get', 'a1')\" 0"), "$-1\r\n");
  const std::string denied = RunOn(client, "EVAL \"return redis.call('get', 'b1')\" 0");
  EXPECT_EQ(denied.rfind("-ERR The user executing the script can't access at least one of the keys "
                         "mentioned in the command arguments",
                         0),
            0u);
  EXPECT_NE(Run("ACL LOG 1").find("lua"), std::string::npos);
}

TEST_F(AclTest, LogEntriesGroupAndReset) {
  Run("ACL SETUSER u on >pw +get ~a*");
  Client* client = As("u");
  RunOn(client, "GET b");
  RunOn(client, "GET b");
  RunOn(client, "SET a v");
  RunOn(client, "AUTH u wrong");
  const std::string log = Run("ACL LOG");
  EXPECT_EQ(log.substr(0, 4), "*3\r\n");
  // Newest first: the failed AUTH, then SET, then the two GETs counted once.
  EXPECT_NE(log.find("$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\n"
                     "object\r\n$4\r\nAUTH\r\n$8\r\nusername\r\n$1\r\nu\r\n"),
            std::string::npos);
  EXPECT_NE(log.find("$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n"), std::string::npos);
  clock_.AdvanceMs(61000);  // past Redis's 60 s grouping window: a new entry
  RunOn(client, "GET b");
  EXPECT_EQ(Run("ACL LOG").substr(0, 4), "*4\r\n");
  EXPECT_EQ(Run("ACL LOG 1").substr(0, 4), "*1\r\n");
  EXPECT_EQ(Run("ACL LOG RESET"), "+OK\r\n");
  EXPECT_EQ(Run("ACL LOG"), "*0\r\n");
}

TEST_F(AclTest, DeletingAUserClosesItsClientsAndRevokingChannelsClosesSubscribers) {
  Run("ACL SETUSER u on >pw +@all ~* &chat.*");
  Client* worker = As("u");
  Client* subscriber = As("u");
  RunOn(subscriber, "SUBSCRIBE chat.1");
  observer_.close_requested = 0;
  Run("ACL SETUSER u &chat.* &other");  // still covered: nobody closed
  EXPECT_EQ(observer_.close_requested, 0);
  Run("ACL SETUSER u resetchannels &other");
  EXPECT_TRUE(subscriber->close_asap);
  EXPECT_FALSE(worker->close_asap);
  EXPECT_EQ(Run("ACL DELUSER u nobody"), ":1\r\n");
  EXPECT_TRUE(worker->close_asap);
  EXPECT_EQ(worker->user, engine_->acl().default_user());
  EXPECT_EQ(Run("ACL DELUSER default"), "-ERR The 'default' user cannot be removed\r\n");
}

TEST_F(AclTest, GeneratedTableHasRedisCategories) {
  const acl::RedisCommandAcl* get = acl::FindRedisCommandAcl("get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->categories,
            acl::CategoryBit("read") | acl::CategoryBit("string") | acl::CategoryBit("fast"));
  EXPECT_NE(acl::FindRedisCommandAcl("config|get"), nullptr);
  EXPECT_EQ(acl::FindRedisCommandAcl("nosuch"), nullptr);
  EXPECT_EQ(Run("ACL CAT").substr(0, 5), "*21\r\n");
  EXPECT_EQ(Run("ACL CAT nosuch"), "-ERR Unknown category 'nosuch'\r\n");
  EXPECT_NE(Run("ACL CAT pubsub").find(Bulk("publish")), std::string::npos);
}

TEST_F(AclTest, SetuserArgumentsAreRedactedInTheSlowlog) {
  Run("CONFIG SET slowlog-log-slower-than 0");
  Run("ACL SETUSER u on >topsecret");
  const std::string entries = Run("SLOWLOG GET 1");
  EXPECT_EQ(entries.find("topsecret"), std::string::npos);
  EXPECT_NE(entries.find("$3\r\nACL\r\n$7\r\nSETUSER\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)"),
            std::string::npos);
}

TEST_F(AclTest, AclLoadReplacesUsersAndClosesTheirClients) {
  const std::string path = ::testing::TempDir() + "/acl_test_users.acl";
  {
    std::ofstream file(path, std::ios::trunc);
    file << "user u on >pw ~* &* +@all\n";
  }
  config_.settings().aclfile = path;
  Restart();
  Client* client = As("u");
  EXPECT_EQ(Run("ACL SETUSER v on nopass +ping"), "+OK\r\n");
  EXPECT_EQ(Run("ACL SAVE"), "+OK\r\n");
  EXPECT_EQ(Run("ACL LOAD"), "+OK\r\n");
  EXPECT_TRUE(client->close_asap);  // Redis frees every old user, so their clients go
  EXPECT_EQ(Run("ACL USERS"), "*3\r\n" + Bulk("default") + Bulk("u") + Bulk("v"));
  {
    std::ofstream file(path, std::ios::app);
    file << "user w on +nosuch\n";
  }
  EXPECT_EQ(Run("ACL LOAD"), "-ERR " + path +
                                 ":4: Error in applying operation '+nosuch': Unknown command or "
                                 "category name in ACL. WARNING: ACL errors detected, no change "
                                 "to the previously active ACL rules was performed\r\n");
  std::remove(path.c_str());
}

TEST_F(AclTest, GenpassLengths) {
  EXPECT_EQ(Run("ACL GENPASS").size(), 5u + 64u + 2u);  // $64 + 64 hex digits
  EXPECT_EQ(Run("ACL GENPASS 5").size(), 8u);           // (5 + 3) / 4 = 2 hex digits
  EXPECT_EQ(Run("ACL GENPASS 0"),
            "-ERR ACL GENPASS argument must be the number of bits for the output password, a "
            "positive number up to 4096\r\n");
}

}  // namespace
}  // namespace drayman::testing
