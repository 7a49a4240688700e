// Server family tests: INFO, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, CONFIG, COMMAND,
// SLOWLOG. Replies and error texts were taken from Debian's redis-server 7.0.15 (RESP2 and RESP3).
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "broker/keyspace/value.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

// Body of a bulk (RESP2) or verbatim (RESP3) reply.
std::string Body(const std::string& reply) {
  size_t start = reply.find("\r\n") + 2;
  std::string body = reply.substr(start, reply.size() - start - 2);
  if (reply[0] == '=') body = body.substr(4);
  return body;
}

std::string Bulk(std::string_view text) {
  return "$" + std::to_string(text.size()) + "\r\n" + std::string(text) + "\r\n";
}

// "name:value" of an INFO text, or "<missing>".
std::string InfoField(const std::string& info, const std::string& name) {
  size_t pos = info.find("\r\n" + name + ":");
  if (pos == std::string::npos) {
    if (info.rfind(name + ":", 0) != 0) return "<missing>";
    pos = 0;
  } else {
    pos += 2;
  }
  size_t start = pos + name.size() + 1;
  return info.substr(start, info.find("\r\n", start) - start);
}

std::vector<std::string> Headers(const std::string& info) {
  std::vector<std::string> headers;
  for (size_t pos = 0; (pos = info.find("# ", pos)) != std::string::npos; pos += 2) {
    if (pos == 0 || info[pos - 1] == '\n') {
      headers.push_back(info.substr(pos + 2, info.find("\r\n", pos) - pos - 2));
    }
  }
  return headers;
}

class ServerTest : public EngineTest {
 protected:
  void Put(int db, const std::string& key, int64_t ttl_ms = -1) {
    Database& database = engine_->keyspace().db(db);
    Entry& entry = database.Put(key, Value(std::string("v")));
    if (ttl_ms >= 0) database.SetExpire(key, entry, clock_.NowMs() + ttl_ms);
  }
};

// INFO stats' active-expiry figures: the share of volatile keys a sweep found expired, smoothed
// by Redis's 5% step; CONFIG RESETSTAT clears them.
TEST_F(ServerTest, InfoStatsExpiryFigures) {
  for (int i = 0; i < 4; ++i) Put(0, "gone" + std::to_string(i), 100);
  for (int i = 0; i < 4; ++i) Put(0, "kept" + std::to_string(i), 100000);
  clock_.AdvanceMs(200);
  engine_->Cron();
  std::string info = Body(Run("INFO stats"));
  EXPECT_EQ(InfoField(info, "expired_keys"), "4");
  EXPECT_EQ(InfoField(info, "expired_stale_perc"), "2.50");  // 50% * 0.05
  EXPECT_EQ(InfoField(info, "expired_time_cap_reached_count"), "0");
  EXPECT_EQ(InfoField(info, "sync_full"), "0");
  EXPECT_EQ(InfoField(info, "unexpected_error_replies"), "0");
  EXPECT_EQ(Run("CONFIG RESETSTAT"), "+OK\r\n");
  info = Body(Run("INFO stats"));
  EXPECT_EQ(InfoField(info, "expired_stale_perc"), "0.00");
  EXPECT_EQ(InfoField(info, "expire_cycle_cpu_milliseconds"), "0");
}

TEST_F(ServerTest, InfoDefaultSectionsInRedisOrder) {
  std::string reply = Run("INFO");
  ASSERT_EQ(reply[0], '$');
  std::string info = Body(reply);
  EXPECT_EQ(info.rfind("# Server\r\nredis_version:7.0.15\r\n", 0), 0u);
  EXPECT_EQ(Headers(info), (std::vector<std::string>{"Server", "Clients", "Memory", "Persistence",
                                                     "Stats", "Replication", "CPU", "Modules",
                                                     "Errorstats", "Cluster", "Keyspace"}));
  // Every line ends with CRLF; sections are separated by one empty line.
  for (size_t pos = info.find('\n'); pos != std::string::npos; pos = info.find('\n', pos + 1)) {
    ASSERT_EQ(info[pos - 1], '\r') << pos;
  }
  EXPECT_NE(info.find("\r\n\r\n# Clients\r\n"), std::string::npos);
  EXPECT_EQ(info.substr(info.size() - 12), "# Keyspace\r\n");
  EXPECT_EQ(Headers(Body(Run("INFO default"))), Headers(info));
}

TEST_F(ServerTest, InfoHasTheFieldsRedisCliStatParses) {
  std::string info = Body(Run("INFO"));
  for (const char* field :
       {"used_memory", "connected_clients", "blocked_clients", "total_commands_processed",
        "total_connections_received", "rdb_bgsave_in_progress", "aof_rewrite_in_progress",
        "loading", "drayman_version", "process_id", "run_id", "tcp_port", "used_memory_rss",
        "used_memory_peak", "used_cpu_sys", "used_cpu_user", "role", "cluster_enabled"}) {
    EXPECT_NE(InfoField(info, field), "<missing>") << field;
  }
  EXPECT_EQ(InfoField(info, "drayman_version"), std::string(kDraymanVersion));
  EXPECT_EQ(InfoField(info, "connected_clients"), "1");
  EXPECT_EQ(InfoField(info, "blocked_clients"), "0");
  EXPECT_EQ(InfoField(info, "loading"), "0");
  EXPECT_EQ(InfoField(info, "redis_mode"), "standalone");
  EXPECT_EQ(InfoField(info, "role"), "master");
  EXPECT_TRUE(std::regex_match(InfoField(info, "run_id"), std::regex("[0-9a-f]{40}")));
  EXPECT_GT(std::stoll(InfoField(info, "used_memory")), 0);
  EXPECT_GT(std::stoll(InfoField(info, "used_memory_rss")), 0);
  EXPECT_TRUE(std::regex_match(InfoField(info, "used_memory_human"),
                               std::regex("[0-9]+(\\.[0-9]{2}[KMG]|B)")));
  EXPECT_TRUE(std::regex_match(InfoField(info, "used_cpu_user"), std::regex("[0-9]+\\.[0-9]{6}")));
  // redis-cli finds the version after a newline (it searches "\nredis_version:").
  EXPECT_NE(("\n" + info).find("\nredis_version:7.0.15\r"), std::string::npos);
}

TEST_F(ServerTest, InfoServerTimes) {
  clock_.AdvanceMs(90061 * 1000LL);
  clock_.AdvanceUs(250);
  std::string info = Body(Run("INFO server"));
  EXPECT_EQ(InfoField(info, "uptime_in_seconds"), "90061");
  EXPECT_EQ(InfoField(info, "uptime_in_days"), "1");
  EXPECT_EQ(InfoField(info, "server_time_usec"), std::to_string(clock_.NowUs()));
  EXPECT_EQ(InfoField(info, "hz"), "10");
  EXPECT_EQ(Headers(info), (std::vector<std::string>{"Server"}));
}

TEST_F(ServerTest, InfoSelectedSections) {
  EXPECT_EQ(Run("INFO foo"), "$0\r\n\r\n");
  EXPECT_EQ(Run("INFO a b c d e f"), "$0\r\n\r\n");
  EXPECT_EQ(Run("INFO modules"), "$11\r\n# Modules\r\n\r\n");
  EXPECT_EQ(Run("INFO keyspace"), "$12\r\n# Keyspace\r\n\r\n");
  EXPECT_EQ(Headers(Body(Run("INFO KEYSPACE CLIENTS"))),
            (std::vector<std::string>{"Clients", "Keyspace"}));
  EXPECT_EQ(Headers(Body(Run("INFO server foo keyspace"))),
            (std::vector<std::string>{"Server", "Keyspace"}));
  std::vector<std::string> all = Headers(Body(Run("INFO all")));
  // Redis 7.0.15's order, Latencystats included (not in the default sections).
  EXPECT_EQ(all, (std::vector<std::string>{"Server", "Clients", "Memory", "Persistence", "Stats",
                                           "Replication", "CPU", "Modules", "Commandstats",
                                           "Errorstats", "Latencystats", "Cluster",
                                           "Keyspace"}));
  EXPECT_EQ(Headers(Body(Run("INFO everything"))), all);
  EXPECT_EQ(Run("INFO cluster"), "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_F(ServerTest, InfoIsVerbatimInResp3) {
  Resp3();
  EXPECT_EQ(Run("INFO foo"), "=4\r\ntxt:\r\n");
  EXPECT_EQ(Run("INFO keyspace"), "=16\r\ntxt:# Keyspace\r\n\r\n");
}

TEST_F(ServerTest, InfoKeyspace) {
  Put(0, "a");
  Put(0, "b", 10000);
  Put(3, "c", 4000);
  Put(3, "d", 6000);
  std::string body =
      "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=10000\r\ndb3:keys=2,expires=2,avg_ttl=5000\r\n";
  EXPECT_EQ(Run("INFO keyspace"), Bulk(body));
}

TEST_F(ServerTest, InfoStatsAndErrorStats) {
  Run("PING");
  Run("NOSUCH");
  Run("SELECT x");
  Run("HELLO 9");
  std::string info = Body(Run("INFO"));
  EXPECT_EQ(InfoField(info, "total_connections_received"), "1");
  EXPECT_EQ(InfoField(info, "total_commands_processed"), "3");  // PING, SELECT, HELLO
  EXPECT_EQ(InfoField(info, "total_error_replies"), "3");
  EXPECT_EQ(InfoField(info, "errorstat_ERR"), "count=2");
  EXPECT_EQ(InfoField(info, "errorstat_NOPROTO"), "count=1");
}

TEST_F(ServerTest, InfoCommandStats) {
  Run("PING");
  Run("PING");
  Run("CLIENT FOO");
  Run("CLIENT ID x");
  Run("SELECT x");
  std::string info = Body(Run("INFO commandstats"));
  EXPECT_TRUE(std::regex_match(
      InfoField(info, "cmdstat_ping"),
      std::regex("calls=2,usec=[0-9]+,usec_per_call=[0-9]+\\.[0-9]{2},rejected_calls=0,"
                 "failed_calls=0")));
  // An unknown subcommand leaves no cmdstat line (checked against redis-server 7.0.15).
  EXPECT_EQ(InfoField(info, "cmdstat_client"), "<missing>");
  EXPECT_EQ(InfoField(info, "cmdstat_client|id"),
            "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
  EXPECT_TRUE(std::regex_match(InfoField(info, "cmdstat_select"),
                               std::regex("calls=1,.*,rejected_calls=0,failed_calls=1")));
  EXPECT_EQ(InfoField(info, "cmdstat_dbsize"), "<missing>");
}

TEST_F(ServerTest, ConfigResetstat) {
  Run("PING");
  Run("NOSUCH");
  EXPECT_EQ(Run("CONFIG RESETSTAT"), "+OK\r\n");
  std::string info = Body(Run("INFO all"));
  EXPECT_EQ(InfoField(info, "total_commands_processed"), "1");  // RESETSTAT itself
  EXPECT_EQ(InfoField(info, "total_connections_received"), "0");
  EXPECT_EQ(InfoField(info, "total_error_replies"), "0");
  EXPECT_EQ(InfoField(info, "errorstat_ERR"), "<missing>");
  EXPECT_EQ(InfoField(info, "cmdstat_ping"), "<missing>");
  EXPECT_EQ(Run("CONFIG RESETSTAT x"),
            "-ERR wrong number of arguments for 'config|resetstat' command\r\n");
}

TEST_F(ServerTest, DbsizeFlushdbFlushall) {
  Put(0, "a");
  Put(0, "b");
  Put(1, "c");
  EXPECT_EQ(Run("DBSIZE"), ":2\r\n");
  EXPECT_EQ(Run("DBSIZE x"), "-ERR wrong number of arguments for 'dbsize' command\r\n");
  EXPECT_EQ(Run("FLUSHDB x"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("FLUSHDB ASYNC x"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("FLUSHDB async"), "+OK\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":0\r\n");
  EXPECT_EQ(Run("SELECT 1"), "+OK\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":1\r\n");
  EXPECT_EQ(Run("FLUSHALL x"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("FLUSHALL SYNC"), "+OK\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":0\r\n");
  EXPECT_EQ(Run("FLUSHALL"), "+OK\r\n");
  // Two keys from FLUSHDB, one key plus one from each FLUSHALL, as Redis counts them.
  EXPECT_EQ(InfoField(Body(Run("INFO persistence")), "rdb_changes_since_last_save"), "5");
}

TEST_F(ServerTest, Swapdb) {
  Put(0, "a");
  EXPECT_EQ(Run("SWAPDB 0 1"), "+OK\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":0\r\n");
  EXPECT_EQ(Run("SELECT 1"), "+OK\r\n");
  EXPECT_EQ(Run("DBSIZE"), ":1\r\n");
  EXPECT_EQ(Run("SWAPDB 0 0"), "+OK\r\n");
  EXPECT_EQ(Run("SWAPDB 0 x"), "-ERR invalid second DB index\r\n");
  EXPECT_EQ(Run("SWAPDB x 0"), "-ERR invalid first DB index\r\n");
  EXPECT_EQ(Run("SWAPDB 0 16"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("SWAPDB -1 0"), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run("SWAPDB 0"), "-ERR wrong number of arguments for 'swapdb' command\r\n");
}

TEST_F(ServerTest, TimeAndLastsave) {
  clock_.AdvanceUs(123456);
  EXPECT_EQ(Run("TIME"), "*2\r\n$10\r\n1700000000\r\n$6\r\n123456\r\n");
  Resp3();
  EXPECT_EQ(Run("TIME"), "*2\r\n$10\r\n1700000000\r\n$6\r\n123456\r\n");
  EXPECT_EQ(Run("LASTSAVE"), ":1700000000\r\n");
  EXPECT_EQ(Run("TIME x"), "-ERR wrong number of arguments for 'time' command\r\n");
}

TEST_F(ServerTest, ConfigGet) {
  EXPECT_EQ(Run("CONFIG GET maxclients"), "*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
  EXPECT_EQ(Run("CONFIG GET nosuch"), "*0\r\n");
  EXPECT_EQ(Run("CONFIG GET requirepass"), "*2\r\n$11\r\nrequirepass\r\n$0\r\n\r\n");
  EXPECT_EQ(Run("CONFIG GET bind"), "*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n");
  // Exact names come back as typed, each parameter once.
  EXPECT_EQ(Run("CONFIG GET HZ hz"), "*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n");
  EXPECT_EQ(Run("CONFIG GET maxclients databases"),
            "*4\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
  EXPECT_EQ(Run("CONFIG GET slowlog*"),
            "*4\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n$15\r\nslowlog-max-len\r\n"
            "$3\r\n128\r\n");
  EXPECT_EQ(Run("CONFIG GET h? hz"), "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  EXPECT_EQ(Run("CONFIG GET"), "-ERR wrong number of arguments for 'config|get' command\r\n");
  Resp3();
  EXPECT_EQ(Run("CONFIG GET hz timeout"),
            "%2\r\n$2\r\nhz\r\n$2\r\n10\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
  EXPECT_EQ(Run("CONFIG GET nosuch"), "%0\r\n");
}

TEST_F(ServerTest, ConfigSet) {
  EXPECT_EQ(Run("CONFIG SET hz 20 timeout 5"), "+OK\r\n");
  EXPECT_EQ(Run("CONFIG GET hz"), "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
  EXPECT_EQ(engine_->settings().timeout_seconds, 5);
  // Redis clamps hz into 1..500.
  EXPECT_EQ(Run("CONFIG SET hz 0"), "+OK\r\n");
  EXPECT_EQ(Run("CONFIG GET hz"), "*2\r\n$2\r\nhz\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run("CONFIG SET hz 1000"), "+OK\r\n");
  EXPECT_EQ(Run("CONFIG GET hz"), "*2\r\n$2\r\nhz\r\n$3\r\n500\r\n");
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len 2m"), "+OK\r\n");
  EXPECT_EQ(Run("CONFIG GET proto-max-bulk-len"),
            "*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n2000000\r\n");
  EXPECT_EQ(Run("CONFIG SET maxclients 100"), "+OK\r\n");
  EXPECT_EQ(engine_->settings().maxclients, 100);
}

TEST_F(ServerTest, ConfigSetIsAtomic) {
  EXPECT_EQ(Run("CONFIG SET hz 20 timeout abc"),
            "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't "
            "be parsed into an integer\r\n");
  EXPECT_EQ(Run("CONFIG GET hz"), "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  EXPECT_EQ(Run("CONFIG SET hz 20 nosuch 30"),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  EXPECT_EQ(Run("CONFIG GET hz"), "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
}

TEST_F(ServerTest, ConfigSetErrors) {
  const std::string failed = "-ERR CONFIG SET failed (possibly related to argument ";
  EXPECT_EQ(Run("CONFIG SET"), "-ERR wrong number of arguments for 'config|set' command\r\n");
  EXPECT_EQ(Run("CONFIG SET port"), "-ERR wrong number of arguments for 'config|set' command\r\n");
  EXPECT_EQ(Run("CONFIG SET port 1 2"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CONFIG SET nosuch 1"),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  EXPECT_EQ(Run("CONFIG SET DATABASES 1"),
            failed + "'DATABASES') - can't set immutable config\r\n");
  EXPECT_EQ(Run("CONFIG SET tcp-backlog 100"),
            failed + "'tcp-backlog') - can't set immutable config\r\n");
  EXPECT_EQ(Run("CONFIG SET unixsocket /tmp/x"),
            failed + "'unixsocket') - can't set immutable config\r\n");
  EXPECT_EQ(Run("CONFIG SET dir /tmp"), failed + "'dir') - can't set protected config\r\n");
  EXPECT_EQ(Run("CONFIG SET databases 1 nosuch 2"),
            failed + "'databases') - can't set immutable config\r\n");
  EXPECT_EQ(Run("CONFIG SET nosuch 2 databases 1"),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  EXPECT_EQ(Run("CONFIG SET hz abc databases 1"),
            failed + "'databases') - can't set immutable config\r\n");
  EXPECT_EQ(Run("CONFIG SET hz 5 HZ 6"), failed + "'HZ') - duplicate parameter\r\n");
  // Value errors name the parameter in lower case.
  EXPECT_EQ(Run("CONFIG SET HZ abc"),
            failed + "'hz') - argument couldn't be parsed into an integer\r\n");
  EXPECT_EQ(Run("CONFIG SET hz -1"),
            failed + "'hz') - argument must be between 0 and 2147483647 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET timeout 010"),
            failed + "'timeout') - argument couldn't be parsed into an integer\r\n");
  EXPECT_EQ(Run("CONFIG SET maxclients 0"),
            failed + "'maxclients') - argument must be between 1 and 4294967295 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET maxclients -1"),
            failed + "'maxclients') - argument must be between 1 and 4294967295 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET port 70000"),
            failed + "'port') - argument must be between 0 and 65535 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len 1.5mb"),
            failed + "'proto-max-bulk-len') - argument must be a memory value\r\n");
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len -1"),
            failed + "'proto-max-bulk-len') - argument must be a memory value\r\n");
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len 1kb"),
            failed +
                "'proto-max-bulk-len') - argument must be between 1048576 and "
                "9223372036854775807 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET proto-max-bulk-len 99999999999999999999"),
            failed +
                "'proto-max-bulk-len') - argument must be between 1048576 and "
                "9223372036854775807 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET client-query-buffer-limit 1048575"),
            failed +
                "'client-query-buffer-limit') - argument must be between 1048576 and "
                "9223372036854775807 inclusive\r\n");
  EXPECT_EQ(Run("CONFIG SET slowlog-max-len -1"),
            failed +
                "'slowlog-max-len') - argument must be between 0 and 9223372036854775807 "
                "inclusive\r\n");
  EXPECT_EQ(Run("CONFIG FOO"), "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
  EXPECT_EQ(Run("CONFIG REWRITE"), "-ERR The server is running without a config file\r\n");
}

TEST_F(ServerTest, ConfigHelp) {
  EXPECT_EQ(Run("CONFIG HELP"),
            "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+GET <pattern>\r\n"
            "+    Return parameters matching the glob-like <pattern> and their values.\r\n"
            "+SET <directive> <value>\r\n+    Set the configuration <directive> to <value>.\r\n"
            "+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n"
            "+REWRITE\r\n+    Rewrite the configuration file.\r\n"
            "+HELP\r\n+    Prints this help.\r\n");
}

TEST_F(ServerTest, CommandInfo) {
  EXPECT_EQ(Run("COMMAND INFO echo"),
            "*1\r\n*10\r\n$4\r\necho\r\n:2\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n"
            ":0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n");
  const std::string config_get =
      "*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n"
      ":0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";
  EXPECT_EQ(Run("COMMAND INFO nosuch CONFIG|GET"), "*2\r\n$-1\r\n" + config_get);
  std::string container = Run("COMMAND INFO config");
  EXPECT_EQ(container.rfind("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n"
                            "+@slow\r\n*0\r\n*0\r\n*5\r\n",
                            0),
            0u);
  EXPECT_NE(container.find("*5\r\n*10\r\n$10\r\nconfig|get\r\n"), std::string::npos);
  Resp3();
  EXPECT_EQ(Run("COMMAND INFO echo"),
            "*1\r\n*10\r\n$4\r\necho\r\n:2\r\n~3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n"
            ":0\r\n~2\r\n+@fast\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n");
  EXPECT_EQ(Run("COMMAND INFO nosuch"), "*1\r\n_\r\n");
}

TEST_F(ServerTest, CommandCountAndList) {
  EXPECT_EQ(Run("COMMAND COUNT"), ":" + std::to_string(engine_->commands().size()) + "\r\n");
  EXPECT_EQ(Run("COMMAND COUNT x"),
            "-ERR wrong number of arguments for 'command|count' command\r\n");
  std::string all = Run("COMMAND");
  EXPECT_EQ(all.substr(0, all.find("\r\n")), "*" + std::to_string(engine_->commands().size()));
  EXPECT_EQ(Run("COMMAND LIST FILTERBY PATTERN CONFIG*"),
            "*6\r\n$6\r\nconfig\r\n$10\r\nconfig|get\r\n$11\r\nconfig|help\r\n$16\r\n"
            "config|resetstat\r\n$14\r\nconfig|rewrite\r\n$10\r\nconfig|set\r\n");
  std::string connection = Run("COMMAND LIST FILTERBY ACLCAT connection");
  EXPECT_NE(connection.find("$5\r\nhello\r\n"), std::string::npos);
  EXPECT_NE(connection.find("$11\r\nclient|list\r\n"), std::string::npos);
  EXPECT_EQ(connection.find("$4\r\ninfo\r\n"), std::string::npos);
  EXPECT_EQ(Run("COMMAND LIST FILTERBY ACLCAT nosuch"), "*0\r\n");
  EXPECT_EQ(Run("COMMAND LIST FILTERBY MODULE x"), "*0\r\n");
  EXPECT_EQ(Run("COMMAND LIST FILTERBY FOO x"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("COMMAND LIST FILTERBY"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("COMMAND LIST FOO"), "-ERR syntax error\r\n");
  EXPECT_NE(Run("COMMAND LIST").find("$13\r\nslowlog|reset\r\n"), std::string::npos);
  EXPECT_EQ(Run("COMMAND FOO"), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
}

TEST_F(ServerTest, CommandDocs) {
  const std::string echo_docs =
      "$4\r\necho\r\n*8\r\n$7\r\nsummary\r\n$21\r\nEcho the given string\r\n$5\r\nsince\r\n"
      "$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n";
  EXPECT_EQ(Run("COMMAND DOCS echo nosuch"), "*2\r\n" + echo_docs);
  EXPECT_EQ(Run("COMMAND DOCS nosuch"), "*0\r\n");
  std::string config = Run("COMMAND DOCS config");
  EXPECT_NE(config.find("$11\r\nsubcommands\r\n*10\r\n$10\r\nconfig|get\r\n*8\r\n$7\r\nsummary\r\n"
                        "$42\r\nGet the values of configuration parameters\r\n"),
            std::string::npos);
  std::string all = Run("COMMAND DOCS");
  EXPECT_EQ(all.substr(0, all.find("\r\n")), "*" + std::to_string(2 * engine_->commands().size()));
  Resp3();
  EXPECT_EQ(
      Run("COMMAND DOCS echo"),
      "%1\r\n$4\r\necho\r\n%4\r\n$7\r\nsummary\r\n$21\r\nEcho the given string\r\n$5\r\n"
      "since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\n"
      "O(1)\r\n");
}

TEST_F(ServerTest, CommandGetkeys) {
  EXPECT_EQ(Run("COMMAND GETKEYS"),
            "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS ping"),
            "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS nosuch a"), "-ERR Invalid command specified\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS config foo"), "-ERR Invalid command specified\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS config get"), "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS echo a"), "-ERR The command has no key arguments\r\n");
  // Redis 7.0.15's answers (redis-server): shard channels are key specs marked not_key; key
  // specs win over the key functions (both STORE keywords, XREAD's half of what follows STREAMS).
  EXPECT_EQ(Run("COMMAND GETKEYS ssubscribe ch"), "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS georadius g 0 0 1 km STORE a STOREDIST b"),
            "*3\r\n$1\r\ng\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS xread STREAMS a b c 0 0"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  // This branch's families name no keys, so a row shaped like MSET (keys 1, 3, 5...) is added.
  const_cast<CommandTable&>(engine_->commands())
      .Add({.name = "testmset",
            .arity = -3,
            .flags = kCmdWrite,
            .first_key = 1,
            .last_key = -1,
            .key_step = 2,
            .handler = [](CommandContext& ctx) { ctx.reply.Ok(); },
            .group = "string"});
  EXPECT_EQ(Run("COMMAND GETKEYS testmset a 1 b 2"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS testmset a"),
            "-ERR Invalid number of arguments specified for command\r\n");
}

TEST_F(ServerTest, CommandHelp) {
  std::string help = Run("COMMAND HELP");
  EXPECT_EQ(help.substr(0, help.find("\r\n", 5) + 2),
            "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n");
  EXPECT_NE(help.find("+GETKEYS <full-command>\r\n+    Return the keys from a full Redis "
                      "command.\r\n"),
            std::string::npos);
}

TEST_F(ServerTest, CommandGetkeysandflags) {
  EXPECT_EQ(Run("COMMAND GETKEYSANDFLAGS lmove a b left right"),
            "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n"
            "*2\r\n$1\r\nb\r\n*2\r\n+RW\r\n+insert\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYSANDFLAGS set a b get"),
            "*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYSANDFLAGS eval x 0"), "*0\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYSANDFLAGS nosuch a"), "-ERR Invalid command specified\r\n");
}

TEST_F(ServerTest, CommandInfoHasKeySpecsAndTips) {
  const std::string info = Run("COMMAND INFO keys");
  EXPECT_NE(info.find("*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\n"
                      "nondeterministic_output_order\r\n*0\r\n"),
            std::string::npos)
      << info;
  EXPECT_NE(Run("COMMAND INFO set").find("$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the "
                                          "optional `GET` argument\r\n"),
            std::string::npos);
}

class SlowlogTest : public ServerTest {
 protected:
  SlowlogTest() { EXPECT_EQ(Run("CONFIG SET slowlog-log-slower-than 0"), "+OK\r\n"); }
  // One entry as a regex: any duration, this test's client address and the given name.
  static std::string Entry(int id, const std::vector<std::string>& args, const std::string& name) {
    std::string pattern = "\\*6\r\n:" + std::to_string(id) + "\r\n:1700000000\r\n:[0-9]+\r\n\\*" +
                          std::to_string(args.size()) + "\r\n";
    for (const std::string& arg : args) {
      pattern += "\\$" + std::to_string(arg.size()) + "\r\n" +
                 std::regex_replace(arg, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + "\r\n";
    }
    pattern += "\\$15\r\n127\\.0\\.0\\.1:50000\r\n\\$" + std::to_string(name.size()) + "\r\n" +
               name + "\r\n";
    return pattern;
  }
};

TEST_F(SlowlogTest, RecordsCommandsNewestFirst) {
  EXPECT_EQ(Run("CLIENT SETNAME me"), "+OK\r\n");
  std::string reply = Run("SLOWLOG GET");
  EXPECT_TRUE(std::regex_match(
      reply, std::regex("\\*2\r\n" + Entry(1, {"CLIENT", "SETNAME", "me"}, "me") +
                        Entry(0, {"CONFIG", "SET", "slowlog-log-slower-than", "0"}, ""))))
      << reply;
  EXPECT_TRUE(std::regex_match(Run("SLOWLOG GET 1"),
                               std::regex("\\*1\r\n" + Entry(2, {"SLOWLOG", "GET"}, "me"))));
  EXPECT_EQ(Run("SLOWLOG LEN"), ":4\r\n");
  EXPECT_EQ(Run("SLOWLOG GET 0"), "*0\r\n");
  std::string all = Run("SLOWLOG GET -1");
  EXPECT_EQ(all.substr(0, 4), "*6\r\n");
  EXPECT_EQ(Run("SLOWLOG RESET"), "+OK\r\n");
  EXPECT_EQ(Run("SLOWLOG LEN"), ":1\r\n");  // the RESET itself
}

TEST_F(SlowlogTest, TruncatesLongCommandsAndRedactsSecrets) {
  std::string ping = "PING";
  std::vector<std::string> expected = {"PING"};
  for (int i = 1; i <= 35; ++i) {
    ping += " " + std::to_string(i);
    if (i <= 30) expected.push_back(std::to_string(i));
  }
  expected.push_back("... (5 more arguments)");
  Run(ping);
  EXPECT_TRUE(
      std::regex_match(Run("SLOWLOG GET 1"), std::regex("\\*1\r\n" + Entry(1, expected, ""))));
  Run("ECHO " + std::string(147, 'a'));
  EXPECT_TRUE(std::regex_match(
      Run("SLOWLOG GET 1"),
      std::regex("\\*1\r\n" +
                 Entry(3, {"ECHO", std::string(128, 'a') + "... (19 more bytes)"}, ""))));
  Run("AUTH a");
  EXPECT_TRUE(std::regex_match(Run("SLOWLOG GET 1"),
                               std::regex("\\*1\r\n" + Entry(5, {"AUTH", "(redacted)"}, ""))));
  Run("HELLO 3 SETNAME x AUTH default secret");
  Resp3();
  EXPECT_TRUE(std::regex_match(
      Run("SLOWLOG GET 1"),
      std::regex(
          "\\*1\r\n" +
          Entry(7, {"HELLO", "3", "SETNAME", "x", "AUTH", "(redacted)", "(redacted)"}, "x"))));
  Run("CONFIG SET requirepass pw hz 10");
  EXPECT_TRUE(std::regex_match(
      Run("SLOWLOG GET 1"),
      std::regex("\\*1\r\n" +
                 Entry(9, {"CONFIG", "SET", "requirepass", "(redacted)", "hz", "10"}, "x"))));
}

TEST_F(SlowlogTest, ThresholdAndLength) {
  EXPECT_EQ(Run("CONFIG SET slowlog-max-len 2"), "+OK\r\n");
  Run("PING");
  Run("PING");
  EXPECT_EQ(Run("SLOWLOG LEN"), ":2\r\n");
  EXPECT_EQ(Run("CONFIG SET slowlog-max-len 0"), "+OK\r\n");
  EXPECT_EQ(Run("SLOWLOG LEN"), ":0\r\n");
  EXPECT_EQ(Run("CONFIG SET slowlog-max-len 128 slowlog-log-slower-than -1"), "+OK\r\n");
  Run("PING");
  EXPECT_EQ(Run("SLOWLOG LEN"), ":0\r\n");
  EXPECT_EQ(Run("CONFIG SET slowlog-log-slower-than 1000000000"), "+OK\r\n");
  Run("PING");
  EXPECT_EQ(Run("SLOWLOG LEN"), ":0\r\n");
}

TEST_F(SlowlogTest, Errors) {
  EXPECT_EQ(Run("SLOWLOG"), "-ERR wrong number of arguments for 'slowlog' command\r\n");
  EXPECT_EQ(Run("SLOWLOG FOO"), "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n");
  EXPECT_EQ(Run("SLOWLOG GET -2"), "-ERR count should be greater than or equal to -1\r\n");
  EXPECT_EQ(Run("SLOWLOG GET abc"), "-ERR count should be greater than or equal to -1\r\n");
  EXPECT_EQ(Run("SLOWLOG GET 1 2"),
            "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG "
            "HELP.\r\n");
  EXPECT_EQ(Run("SLOWLOG LEN x"), "-ERR wrong number of arguments for 'slowlog|len' command\r\n");
  EXPECT_EQ(Run("SLOWLOG RESET x"),
            "-ERR wrong number of arguments for 'slowlog|reset' command\r\n");
  EXPECT_EQ(Run("SLOWLOG HELP"),
            "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+GET [<count>]\r\n"
            "+    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n"
            "+    Entries are made of:\r\n"
            "+    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n"
            "+    client name\r\n+LEN\r\n+    Return the length of the slowlog.\r\n"
            "+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints this help.\r\n");
}

}  // namespace
}  // namespace drayman::testing

namespace drayman::testing {
namespace {

TEST_F(ServerTest, InfoCountsBlockedClientsAndSubscriptions) {
  Client* blocked = NewClient();
  RunOn(blocked, "BLPOP q1 0");
  Client* timed = NewClient();
  RunOn(timed, "BRPOP q2 5");
  Client* subscriber = NewClient();
  RunOn(subscriber, "SUBSCRIBE c1 c2");
  RunOn(subscriber, "PSUBSCRIBE p*");
  std::string info = Body(Run("INFO"));
  EXPECT_EQ(InfoField(info, "connected_clients"), "4");
  EXPECT_EQ(InfoField(info, "blocked_clients"), "2");
  EXPECT_EQ(InfoField(info, "clients_in_timeout_table"), "1");
  EXPECT_EQ(InfoField(info, "pubsub_channels"), "2");
  EXPECT_EQ(InfoField(info, "pubsub_patterns"), "1");
  Run("LPUSH q1 x");
  EXPECT_EQ(InfoField(Body(Run("INFO clients")), "blocked_clients"), "1");
}

TEST_F(ServerTest, InfoKeyspaceWithStringCommands) {
  EXPECT_EQ(Run("SET a 1"), "+OK\r\n");
  EXPECT_EQ(Run("SET b 2 PX 2500"), "+OK\r\n");
  EXPECT_EQ(Run("INFO keyspace"), Bulk("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=2500\r\n"));
  EXPECT_EQ(Run("DBSIZE"), ":2\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS set a b"), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS mset a b c d"), "*2\r\n$1\r\na\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS get a b"),
            "-ERR Invalid number of arguments specified for command\r\n");
  EXPECT_EQ(Run("COMMAND GETKEYS subscribe a"), "-ERR The command has no key arguments\r\n");
}

// SHUTDOWN: texts recorded from redis-server 7.0.15.
TEST_F(ServerTest, ShutdownOptionErrors) {
  EXPECT_EQ(Run("SHUTDOWN foo"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("SHUTDOWN SAVE NOSAVE"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("SHUTDOWN NOW FORCE NOSAVE ABORT"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("SHUTDOWN ABORT"), "-ERR No shutdown in progress.\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SHUTDOWN"), "-ERR Command not allowed inside a transaction\r\n");
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST_F(ServerTest, ShutdownAsksTheTransportToStopAndDoesNotReply) {
  // No transport installed: nothing can stop, and SHUTDOWN says it failed.
  EXPECT_EQ(Run("SHUTDOWN NOSAVE"), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  int requests = 0;
  engine_->shutdown_requested = [&requests] { ++requests; };
  EXPECT_EQ(Run("SHUTDOWN"), "");
  EXPECT_EQ(Run("shutdown nosave now force"), "");
  EXPECT_EQ(requests, 2);
}

}  // namespace
}  // namespace drayman::testing
