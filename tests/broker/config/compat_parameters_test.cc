// Redis 7.0's parameters outside Drayman's own table (broker/config/compat_parameters.h): types,
// defaults, CONFIG SET/GET, refusals with a reason, directives, and command-line error wording.
#include "broker/config/compat_parameters.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "broker/config/config.h"

namespace drayman {
namespace {

namespace fs = std::filesystem;

bool ParseArgs(Config& config, std::vector<std::string> args, std::string* error) {
  std::vector<const char*> argv = {"drayman-server"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return config.ParseCommandLine(static_cast<int>(argv.size()), argv.data(), error);
}

std::string Get(const Config& config, const std::string& name) {
  auto values = config.Get(name);
  return values.size() == 1 ? values[0].second : "<" + std::to_string(values.size()) + ">";
}

TEST(CompatParametersTest, EncodingThresholdsAreSettableAndReported) {
  Config config;
  std::string error;
  EXPECT_EQ(Get(config, "list-max-listpack-size"), "-2");
  EXPECT_EQ(Get(config, "hash-max-listpack-entries"), "512");
  EXPECT_EQ(Get(config, "hash-max-listpack-value"), "64");
  ASSERT_TRUE(config.SetMany(
      {"list-max-listpack-size", "128", "hash-max-ziplist-entries", "1000",
       "zset-max-listpack-value", "1kb", "activedefrag", "YES", "lazyfree-lazy-user-del", "yes"},
      &error))
      << error;
  EXPECT_EQ(Get(config, "list-max-listpack-size"), "128");
  EXPECT_EQ(Get(config, "list-max-ziplist-size"), "128");  // the alias reads the same value
  EXPECT_EQ(Get(config, "hash-max-listpack-entries"), "1000");
  EXPECT_EQ(Get(config, "zset-max-listpack-value"), "1024");
  EXPECT_EQ(Get(config, "activedefrag"), "yes");
  // Redis's validation texts.
  EXPECT_FALSE(config.SetMany({"hash-max-listpack-entries", "abc"}, &error));
  EXPECT_EQ(error,
            "ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - "
            "argument couldn't be parsed into an integer");
  EXPECT_FALSE(config.SetMany({"active-defrag-cycle-max", "100"}, &error));
  EXPECT_EQ(error,
            "ERR CONFIG SET failed (possibly related to argument 'active-defrag-cycle-max') - "
            "argument must be between 1 and 99 inclusive");
  EXPECT_FALSE(config.SetMany({"io-threads", "4"}, &error));
  EXPECT_EQ(error,
            "ERR CONFIG SET failed (possibly related to argument 'io-threads') - can't set "
            "immutable config");
  EXPECT_FALSE(config.SetMany({"repl-diskless-load", "maybe"}, &error));
  EXPECT_EQ(error,
            "ERR CONFIG SET failed (possibly related to argument 'repl-diskless-load') - "
            "argument(s) must be one of the following: disabled, on-empty-db, swapdb");
}

TEST(CompatParametersTest, GetStarListsAliasesAndRedisFormats) {
  Config config;
  std::map<std::string, std::string> all;
  for (const auto& [name, value] : config.Get("*")) all[name] = value;
  EXPECT_EQ(all.at("lua-time-limit"), "5000");
  EXPECT_EQ(all.at("slave-read-only"), "yes");
  EXPECT_EQ(all.at("oom-score-adj-values"), "0 200 800");
  EXPECT_EQ(all.at("latency-tracking-info-percentiles"), "50 99 99.9");
  EXPECT_EQ(all.at("proc-title-template"), "{title} {listen-addr} {server-mode}");
  EXPECT_EQ(all.at("active-defrag-ignore-bytes"), "104857600");
  EXPECT_EQ(all.at("shutdown-on-sigterm"), "default");
  EXPECT_EQ(all.at("unixsocketperm"), "0");
  std::string error;
  ASSERT_TRUE(
      config.LoadText("unixsocketperm 700\nmaxmemory-clients 10%\n"
                      "shutdown-on-sigint nosave now\n"
                      "latency-tracking-info-percentiles \"50 99.99\"\n",
                      &error))
      << error;
  EXPECT_EQ(Get(config, "unixsocketperm"), "700");
  EXPECT_EQ(config.settings().unixsocketperm, 0700);
  EXPECT_EQ(Get(config, "maxmemory-clients"), "10%");
  EXPECT_EQ(Get(config, "shutdown-on-sigint"), "nosave now");
  EXPECT_EQ(config.settings().shutdown_on_sigint, "nosave now");
  EXPECT_EQ(Get(config, "latency-tracking-info-percentiles"), "50 99.99");
}

TEST(CompatParametersTest, HonouredOnesFillTheirSettings) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseArgs(
      config,
      {"--syslog-enabled", "yes", "--syslog-ident", "broker", "--syslog-facility", "local4",
       "--supervised", "systemd", "--daemonize", "yes", "--enable-protected-configs", "yes"},
      &error))
      << error;
  EXPECT_TRUE(config.settings().syslog_enabled);
  EXPECT_EQ(config.settings().syslog_ident, "broker");
  EXPECT_EQ(config.settings().syslog_facility, "local4");
  EXPECT_EQ(config.settings().supervised, "systemd");
  EXPECT_TRUE(config.settings().daemonize);
  // enable-protected-configs yes lets CONFIG SET change dir (protected by default).
  const std::string temp = fs::temp_directory_path().string();
  EXPECT_TRUE(config.SetMany({"dir", temp}, &error)) << error;
  Config guarded;
  EXPECT_FALSE(guarded.SetMany({"dir", temp}, &error));
  EXPECT_EQ(error,
            "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
            "config");
}

TEST(CompatParametersTest, WhatWouldLoseDataOrSecurityIsRefusedWithItsReason) {
  struct Case {
    std::string line;
    std::string starts_with;
  };
  for (const Case& c : std::vector<Case>{
           {"replicaof 10.0.0.1 6379", "replicaof is not supported: Drayman has no replication"},
           {"slaveof 10.0.0.1 6379", "replicaof is not supported"},
           {"cluster-enabled yes", "cluster-enabled is not supported"},
           {"min-replicas-to-write 1", "min-replicas-to-write is not supported"},
           {"rename-command CONFIG \"\"", "rename-command is not supported"},
           {"loadmodule /usr/lib/redis/modules/x.so", "loadmodule is not supported"},
       }) {
    Config config;
    std::string error;
    EXPECT_FALSE(config.LoadText(c.line + "\n", &error)) << c.line;
    const std::string prefix =
        "Reading the configuration file, at line 1\n>>> '" + c.line + "'\n" + c.starts_with;
    EXPECT_EQ(error.substr(0, prefix.size()), prefix) << error;
  }
  // Their defaults (what Debian's redis.conf writes) are fine.
  Config config;
  std::string error;
  EXPECT_TRUE(
      config.LoadText("replicaof no one\ncluster-enabled no\nnotify-keyspace-events \"\"\n"
                      "min-replicas-to-write 0\ntls-port 0\naclfile \"\"\n",
                      &error))
      << error;
  EXPECT_EQ(Get(config, "replicaof"), "");
}

TEST(CompatParametersTest, CommandLineErrorsNameTheOptionNotALine) {
  Config config;
  std::string error;
  EXPECT_FALSE(ParseArgs(config, {"--port", "0", "--cluster-enabled", "yes"}, &error));
  EXPECT_EQ(error.find("at line"), std::string::npos) << error;
  EXPECT_EQ(error.rfind("Reading the command line, at option --cluster-enabled\n"
                        ">>> 'cluster-enabled \"yes\"'\ncluster-enabled is not supported",
                        0),
            0u)
      << error;
  // `--save ""` and `--appendonly no` (as redis-server's own tests pass them) start.
  Config plain;
  EXPECT_TRUE(ParseArgs(plain, {"--save", "", "--appendonly", "no"}, &error)) << error;
  EXPECT_TRUE(plain.settings().save_points.empty());
  EXPECT_FALSE(plain.settings().appendonly);
}

TEST(CompatParametersTest, IncludeAndDeprecatedDirectives) {
  const fs::path dir =
      fs::temp_directory_path() / ("drayman-compat-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "extra.conf") << "hz 42\nlist-max-ziplist-entries 512\n";
  Config config;
  std::string error;
  EXPECT_TRUE(config.LoadText(
      "include " + (dir / "extra.conf").string() + "\nlua-replicate-commands yes\nmaxclients 99\n",
      &error))
      << error;
  EXPECT_EQ(config.settings().hz, 42);
  EXPECT_EQ(config.settings().maxclients, 99);
  EXPECT_FALSE(config.LoadText("include " + (dir / "missing.conf").string() + "\n", &error));
  EXPECT_EQ(error.rfind("Fatal error, can't open config file '", 0), 0u) << error;
  fs::remove_all(dir);
}

TEST(CompatParametersTest, EveryRowHasADefaultItsOwnParserAccepts) {
  for (const CompatParameter& row : CompatParameters()) {
    std::string normalized, error;
    std::vector<std::string> values = {std::string(row.default_value)};
    EXPECT_TRUE(ParseCompatValue(row, values, &normalized, &error)) << row.name << ": " << error;
    EXPECT_EQ(normalized, row.default_value) << row.name;
    EXPECT_FALSE(row.why.empty()) << row.name;
  }
}

}  // namespace
}  // namespace drayman
