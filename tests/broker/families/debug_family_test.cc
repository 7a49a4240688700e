// DEBUG through the engine: enable-debug-command, DIGEST, DIGEST-VALUE, RELOAD and its options.
// Replies and error texts are redis-server 7.0.15's.
#include <string>

#include "tests/broker/engine_fixture.h"
#include "tests/broker/memory_files.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kZeros = "+0000000000000000000000000000000000000000\r\n";

class DebugFamilyTest : public EngineTest {
 protected:
  DebugFamilyTest() {
    config_.settings().enable_debug_command = "yes";
    engine_->rdb_files = &files_;
  }
  MemoryFiles files_;
};

TEST_F(DebugFamilyTest, RefusedUnlessEnableDebugCommandAllowsIt) {
  const std::string refused =
      "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
      "you can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.\r\n";
  config_.settings().enable_debug_command = "no";
  EXPECT_EQ(Run("DEBUG DIGEST"), refused);
  // Checked after arity, before AUTH (as Redis 7.0's processCommand orders them).
  EXPECT_EQ(Run("DEBUG"), "-ERR wrong number of arguments for 'debug' command\r\n");
  config_.settings().requirepass = "secret";
  Client* stranger = NewClient();
  EXPECT_EQ(RunOn(stranger, "DEBUG DIGEST"), refused);
  config_.settings().requirepass.clear();

  config_.settings().enable_debug_command = "local";
  EXPECT_EQ(Run("DEBUG DIGEST"), kZeros);  // the fixture's client is 127.0.0.1
  Client* remote = engine_->Connect(&observer_, "10.1.2.3:5000", "10.0.0.1:6379", 8);
  EXPECT_EQ(RunOn(remote, "DEBUG DIGEST"), refused);
  Client* unix_socket = engine_->Connect(&observer_, "/unixsocket:0", "/tmp/d.sock:0", 9);
  EXPECT_EQ(RunOn(unix_socket, "DEBUG DIGEST"), kZeros);
  EXPECT_EQ(Run("CONFIG GET enable-debug-command"),
            "*2\r\n$20\r\nenable-debug-command\r\n$5\r\nlocal\r\n");
  EXPECT_EQ(Run("CONFIG SET enable-debug-command yes"),
            "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't "
            "set immutable config\r\n");
}

TEST_F(DebugFamilyTest, DigestAndDigestValue) {
  EXPECT_EQ(Run("DEBUG DIGEST"), kZeros);
  Run("SET a 1");
  EXPECT_EQ(Run("DEBUG DIGEST"), "+943d800368fb9c0e951138f1bc0e313ac769d91f\r\n");
  EXPECT_EQ(Run("DEBUG digest-value a nokey"),
            "*2\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n" + std::string(kZeros));
  EXPECT_EQ(Run("DEBUG DIGEST-VALUE"), "*0\r\n");
  EXPECT_EQ(Run("DEBUG DIGEST x"),
            "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG "
            "HELP.\r\n");
  EXPECT_EQ(Run("DEBUG nosuch"),
            "-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG "
            "HELP.\r\n");
}

TEST_F(DebugFamilyTest, DigestValueSeesALogicallyExpiredKey) {
  Run("SET e v PX 100");
  const std::string before = Run("DEBUG DIGEST-VALUE e");
  clock_.AdvanceMs(1000);
  EXPECT_EQ(Run("DEBUG DIGEST-VALUE e"), before);
  EXPECT_NE(before, "*1\r\n" + std::string(kZeros));
}

TEST_F(DebugFamilyTest, ReloadKeepsTheDatasetAndResetsTheChangeCount) {
  Run("SET s v");
  Run("RPUSH l a b c");
  Run("HSET h f v");
  Run("ZADD z 1 a 2 b");
  Run("SADD set 1 2 x");
  Run("PEXPIRE l 100000");
  Run("SELECT 7");
  Run("SET other 1");
  const std::string digest = Run("DEBUG DIGEST");
  EXPECT_EQ(Run("DEBUG RELOAD"), "+OK\r\n");
  EXPECT_EQ(Run("DEBUG DIGEST"), digest);
  EXPECT_EQ(Run("PTTL l"), ":-2\r\n");  // db 7 is still selected
  Run("SELECT 0");
  EXPECT_EQ(Run("PTTL l"), ":100000\r\n");
  const std::string info = Run("INFO persistence");
  EXPECT_NE(info.find("rdb_changes_since_last_save:0\r\n"), std::string::npos);
  EXPECT_NE(info.find("rdb_saves:0\r\n"), std::string::npos);  // SAVE's count, not RELOAD's
  EXPECT_NE(info.find("rdb_last_load_keys_loaded:6\r\n"), std::string::npos);
}

TEST_F(DebugFamilyTest, ReloadOptions) {
  EXPECT_EQ(Run("DEBUG RELOAD foo"),
            "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n");
  // NOSAVE without a file: the dataset is flushed and the load fails, as in Redis.
  Run("SET k v");
  EXPECT_EQ(Run("DEBUG RELOAD NOSAVE"), "-ERR Error trying to load the RDB dump\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":0\r\n");

  Run("SET k file");
  EXPECT_EQ(Run("DEBUG RELOAD"), "+OK\r\n");  // the file holds k=file
  Run("SET k memory");
  Run("SET extra 1");
  EXPECT_EQ(Run("DEBUG RELOAD NOSAVE"), "+OK\r\n");  // replaces memory with the file
  EXPECT_EQ(Run("GET k"), "$4\r\nfile\r\n");
  EXPECT_EQ(Run("EXISTS extra"), ":0\r\n");

  Run("SET k memory");
  Run("SET extra 1");
  EXPECT_EQ(Run("DEBUG RELOAD NOSAVE NOFLUSH MERGE"), "+OK\r\n");  // adds the file, its k wins
  EXPECT_EQ(Run("GET k"), "$4\r\nfile\r\n");
  EXPECT_EQ(Run("GET extra"), "$1\r\n1\r\n");

  // NOFLUSH without MERGE and a clashing key: Redis stops the server; Drayman answers the load
  // error and never keeps half a dataset.
  EXPECT_EQ(Run("DEBUG RELOAD NOSAVE NOFLUSH"), "-ERR Error trying to load the RDB dump\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":0\r\n");
}

TEST_F(DebugFamilyTest, ReloadFailsWhenTheSaveFails) {
  engine_->rdb_files = nullptr;  // a host that keeps no files
  Run("SET k v");
  EXPECT_EQ(Run("DEBUG RELOAD"), "-ERR\r\n");
  EXPECT_EQ(Run("GET k"), "$1\r\nv\r\n");  // nothing was flushed
}

TEST_F(DebugFamilyTest, HelpListsTheSupportedSubcommands) {
  const std::string help = Run("DEBUG HELP");
  EXPECT_EQ(help.substr(0, help.find("\r\n", 5) + 2),
            "*26\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n");
  for (std::string_view line : {"+DIGEST\r\n", "+DIGEST-VALUE <key> [<key> ...]\r\n",
                                "+RELOAD [option ...]\r\n", "+HELP\r\n",
                                "+SLEEP <seconds>\r\n"}) {
    EXPECT_NE(help.find(line), std::string::npos) << line;
  }
}

TEST_F(DebugFamilyTest, SleepStopsTheLoopForItsSeconds) {
  int64_t slept_us = 0;
  engine_->sleep_us = [&](int64_t us) {
    slept_us += us;
    clock_.AdvanceUs(us);
  };
  EXPECT_EQ(Run("DEBUG SLEEP 0.25"), "+OK\r\n");
  EXPECT_EQ(slept_us, 250000);
  // Redis reads the time with strtod: garbage and negative times sleep not at all.
  EXPECT_EQ(Run("DEBUG SLEEP abc"), "+OK\r\n");
  EXPECT_EQ(Run("DEBUG SLEEP -1"), "+OK\r\n");
  EXPECT_EQ(Run("DEBUG SLEEP 1e300"), "+OK\r\n");
  EXPECT_EQ(slept_us, 250000);
  EXPECT_EQ(Run("DEBUG SLEEP"),
            "-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG "
            "HELP.\r\n");
  // The command's duration is the time slept (SLOWLOG sees it).
  EXPECT_EQ(Run("SLOWLOG LEN"), ":1\r\n");
}

}  // namespace
}  // namespace drayman::testing
