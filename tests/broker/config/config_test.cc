// Config tests: every directive the README lists, from a config file, from --flags and through
// CONFIG GET/SET, with redis-server 7.0.15's error reports and mutability.
#include "broker/config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace drayman {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("drayman-config-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name) << content;
    return (path_ / name).string();
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string Read(const std::string& path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

bool ParseArgs(Config& config, std::vector<std::string> words, std::string* error) {
  words.insert(words.begin(), "drayman-server");
  std::vector<const char*> argv;
  for (const std::string& word : words) argv.push_back(word.c_str());
  return config.ParseCommandLine(static_cast<int>(argv.size()), argv.data(), error);
}

std::string Get(const Config& config, const std::string& name) {
  auto values = config.Get(name);
  return values.size() == 1 ? values[0].second : "<" + std::to_string(values.size()) + ">";
}

TEST(ConfigTest, EveryReadmeDirectiveFromAFile) {
  TempDir dir;
  Config config;
  std::string error;
  const std::string text =
      "# A redis.conf in Drayman's subset\n"
      "port 6390\n"
      "bind 127.0.0.1 -::1\n"
      "unixsocket /tmp/drayman-test.sock\n"
      "databases 4\n"
      "requirepass \"s3cret pass\"\n"
      "maxclients 50\n"
      "timeout 30\n"
      "tcp-backlog 128\n"
      "  hz 20\r\n"
      "proto-max-bulk-len 2mb\n"
      "client-query-buffer-limit 64mb\n"
      "dir " +
      dir.path().string() + "\n";
  ASSERT_TRUE(config.LoadText(text, &error)) << error;
  const Settings& s = config.settings();
  EXPECT_EQ(s.port, 6390);
  EXPECT_EQ(s.bind, (std::vector<std::string>{"127.0.0.1", "-::1"}));
  EXPECT_EQ(s.unixsocket, "/tmp/drayman-test.sock");
  EXPECT_EQ(s.databases, 4);
  EXPECT_EQ(s.requirepass, "s3cret pass");
  EXPECT_EQ(s.maxclients, 50);
  EXPECT_EQ(s.timeout_seconds, 30);
  EXPECT_EQ(s.tcp_backlog, 128);
  EXPECT_EQ(s.hz, 20);
  EXPECT_EQ(s.proto_max_bulk_len, 2 * 1024 * 1024);
  EXPECT_EQ(s.client_query_buffer_limit, 64 * 1024 * 1024);
  EXPECT_EQ(s.dir, fs::canonical(dir.path()).string());
  // CONFIG GET reports them in Redis's formats.
  EXPECT_EQ(Get(config, "bind"), "127.0.0.1 -::1");
  EXPECT_EQ(Get(config, "proto-max-bulk-len"), "2097152");
  EXPECT_EQ(Get(config, "requirepass"), "s3cret pass");
  EXPECT_EQ(Get(config, "dir"), fs::canonical(dir.path()).string());
}

TEST(ConfigTest, EveryReadmeDirectiveFromFlags) {
  TempDir dir;
  Config config;
  std::string error;
  ASSERT_TRUE(ParseArgs(config,
                        {"--port",
                         "6391",
                         "--bind",
                         "127.0.0.1",
                         "::1",
                         "--unixsocket",
                         "/tmp/d.sock",
                         "--databases",
                         "8",
                         "--requirepass",
                         "",
                         "--maxclients",
                         "7",
                         "--timeout",
                         "2",
                         "--tcp-backlog",
                         "64",
                         "--hz",
                         "50",
                         "--proto-max-bulk-len",
                         "1048576",
                         "--client-query-buffer-limit",
                         "1gb",
                         "--dir",
                         dir.path().string()},
                        &error))
      << error;
  const Settings& s = config.settings();
  EXPECT_EQ(s.port, 6391);
  EXPECT_EQ(s.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(s.unixsocket, "/tmp/d.sock");
  EXPECT_EQ(s.databases, 8);
  EXPECT_EQ(s.requirepass, "");
  EXPECT_EQ(s.maxclients, 7);
  EXPECT_EQ(s.timeout_seconds, 2);
  EXPECT_EQ(s.tcp_backlog, 64);
  EXPECT_EQ(s.hz, 50);
  EXPECT_EQ(s.proto_max_bulk_len, 1048576);
  EXPECT_EQ(s.client_query_buffer_limit, 1024LL * 1024 * 1024);
  EXPECT_EQ(config.config_file(), "");
}

TEST(ConfigTest, FlagsFollowTheFile) {
  TempDir dir;
  const std::string path = dir.Write("drayman.conf", "port 7000\nhz 15\n");
  Config config;
  std::string error;
  ASSERT_TRUE(ParseArgs(config, {path, "--port", "7001"}, &error)) << error;
  EXPECT_EQ(config.settings().port, 7001);
  EXPECT_EQ(config.settings().hz, 15);
  EXPECT_EQ(config.config_file(), fs::absolute(path).lexically_normal().string());
}

TEST(ConfigTest, ErrorsReadLikeRedisServer) {
  TempDir dir;
  std::string error;
  {
    Config config;
    const std::string path = dir.Write("bad.conf", "port 0\nhz abc\n");
    EXPECT_FALSE(ParseArgs(config, {path}, &error));
    EXPECT_EQ(error,
              "Reading the configuration file, at line 2\n>>> 'hz abc'\n"
              "argument couldn't be parsed into an integer");
  }
  {
    // redis-server would say "at line 3" of a file nobody gave it; Drayman names the option.
    Config config;
    EXPECT_FALSE(ParseArgs(config, {"--port", "0", "--hz", "abc"}, &error));
    EXPECT_EQ(error,
              "Reading the command line, at option --hz\n>>> 'hz \"abc\"'\n"
              "argument couldn't be parsed into an integer");
  }
  struct Case {
    std::string line;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {"nosuch \"1\"", "Bad directive or wrong number of arguments"},
           {"hz 5 6", "wrong number of arguments"},
           {"requirepass", "wrong number of arguments"},
           {"port \"1\" \"2\"", "wrong number of arguments"},
           {"databases 0", "argument must be between 1 and 2147483647 inclusive"},
           {"hz \"5", "Unbalanced quotes in configuration line"},
           {"dir /nonexistent-drayman-dir", "No such file or directory"},
           {"dir /etc/passwd", "Not a directory"},
           {"maxclients 0", "argument must be between 1 and 4294967295 inclusive"},
           {"proto-max-bulk-len 1k",
            "argument must be between 1048576 and 9223372036854775807 inclusive"},
           {"protected-mode maybe", "argument must be 'yes' or 'no'"},
           {"loglevel loud",
            "argument(s) must be one of the following: debug, verbose, notice, warning"},
           // The append-only log's parameters (texts from redis-server 7.0.15).
           {"appendfsync bogus", "argument(s) must be one of the following: everysec, always, no"},
           {"appendfilename a/b", "appendfilename can't be a path, just a filename"},
           {"appendfilename \"\"", "appendfilename can't be empty"},
           {"appenddirname x/y", "appenddirname can't be a path, just a dirname"},
           {"auto-aof-rewrite-min-size -1", "argument must be a memory value"},
           {"aof-load-truncated maybe", "argument must be 'yes' or 'no'"},
       }) {
    Config config;
    EXPECT_FALSE(config.LoadText("\n" + c.line + "\n", &error)) << c.line;
    EXPECT_EQ(error, "Reading the configuration file, at line 2\n>>> '" + c.line + "'\n" + c.reason)
        << c.line;
  }
  Config config;
  EXPECT_FALSE(ParseArgs(config, {"/nonexistent-drayman.conf"}, &error));
  EXPECT_EQ(error,
            "Fatal error, can't open config file '/nonexistent-drayman.conf': No such file or "
            "directory");
}

TEST(ConfigTest, CommentsBlankLinesAndCase) {
  Config config;
  std::string error;
  ASSERT_TRUE(config.LoadText("\n   \n# comment\n\tHZ 12\nTimeout 3\n", &error)) << error;
  EXPECT_EQ(config.settings().hz, 12);
  EXPECT_EQ(config.settings().timeout_seconds, 3);
}

TEST(ConfigTest, RuntimeMutabilityMatchesRedis) {
  TempDir dir;
  struct Case {
    std::string name, value, error;
  };
  const std::string failed = "ERR CONFIG SET failed (possibly related to argument ";
  for (const Case& c : std::vector<Case>{
           {"port", "6400", ""},
           {"bind", "127.0.0.1 ::1", ""},
           {"unixsocket", "/tmp/x.sock", failed + "'unixsocket') - can't set immutable config"},
           {"databases", "4", failed + "'databases') - can't set immutable config"},
           {"requirepass", "pw", ""},
           {"maxclients", "20", ""},
           {"timeout", "9", ""},
           {"tcp-backlog", "10", failed + "'tcp-backlog') - can't set immutable config"},
           {"hz", "30", ""},
           {"proto-max-bulk-len", "4mb", ""},
           {"client-query-buffer-limit", "2mb", ""},
           {"dir", dir.path().string(), failed + "'dir') - can't set protected config"},
       }) {
    Config config;
    std::string error;
    const bool ok = config.SetMany({c.name, c.value}, &error);
    EXPECT_EQ(ok, c.error.empty()) << c.name;
    EXPECT_EQ(error, c.error) << c.name;
  }
  Config config;
  std::string error;
  ASSERT_TRUE(config.SetMany({"bind", "127.0.0.1 ::1", "proto-max-bulk-len", "4mb"}, &error));
  EXPECT_EQ(config.settings().bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(Get(config, "proto-max-bulk-len"), "4194304");
}

TEST(ConfigTest, FailedApplyHookRollsEverythingBack) {
  Config config;
  int applied = 0;
  config.SetApplyHook("port", [&](std::string* error) {
    ++applied;
    if (config.settings().port == 1) {
      *error = "Unable to listen on this port. Check server logs.";
      return false;
    }
    return true;
  });
  std::string error;
  EXPECT_TRUE(config.SetMany({"port", "7000"}, &error));
  EXPECT_EQ(applied, 1);
  EXPECT_FALSE(config.SetMany({"hz", "40", "port", "1"}, &error));
  EXPECT_EQ(error,
            "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on "
            "this port. Check server logs.");
  EXPECT_EQ(config.settings().port, 7000);
  EXPECT_EQ(config.settings().hz, 10);
  // Startup settings do not run hooks (the server binds after reading its configuration).
  EXPECT_TRUE(config.LoadText("port 1\n", &error));
  EXPECT_EQ(applied, 2);
}

TEST(ConfigTest, CopiesAreIndependent) {
  Config original;
  std::string error;
  ASSERT_TRUE(original.LoadText("hz 33\n", &error));
  Config copy = original;
  ASSERT_TRUE(copy.SetMany({"hz", "44"}, &error));
  EXPECT_EQ(Get(original, "hz"), "33");
  EXPECT_EQ(Get(copy, "hz"), "44");
  Config assigned;
  assigned = copy;
  ASSERT_TRUE(assigned.SetMany({"hz", "55"}, &error));
  EXPECT_EQ(Get(copy, "hz"), "44");
  EXPECT_EQ(Get(assigned, "hz"), "55");
}

TEST(ConfigTest, GetManyPatterns) {
  Config config;
  auto matches = config.GetMany({"*max*", "maxclients", "MAXCLIENTS"});
  std::vector<std::string> names;
  for (const auto& [name, value] : matches) names.push_back(name);
  // Drayman's own table first, then the Redis parameters of compat_parameters.cc.
  ASSERT_GE(names.size(), 7u);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 7),
            (std::vector<std::string>{"maxclients", "proto-max-bulk-len", "hll-sparse-max-bytes",
                                      "slowlog-max-len", "maxmemory", "maxmemory-policy",
                                      "maxmemory-samples"}));
  EXPECT_NE(std::find(names.begin(), names.end(), "maxmemory-clients"), names.end());
  EXPECT_TRUE(config.GetMany({"nosuch"}).empty());
  EXPECT_TRUE(config.IsSensitive("requirepass"));
  EXPECT_FALSE(config.IsSensitive("hz"));
}

TEST(ConfigTest, ParseMemory) {
  int64_t bytes = 0;
  EXPECT_TRUE(ParseMemory("100", &bytes));
  EXPECT_EQ(bytes, 100);
  EXPECT_TRUE(ParseMemory("1k", &bytes));
  EXPECT_EQ(bytes, 1000);
  EXPECT_TRUE(ParseMemory("1KB", &bytes));
  EXPECT_EQ(bytes, 1024);
  EXPECT_TRUE(ParseMemory("2m", &bytes));
  EXPECT_EQ(bytes, 2000000);
  EXPECT_TRUE(ParseMemory("2Mb", &bytes));
  EXPECT_EQ(bytes, 2 * 1024 * 1024);
  EXPECT_TRUE(ParseMemory("1g", &bytes));
  EXPECT_EQ(bytes, 1000000000);
  EXPECT_TRUE(ParseMemory("1gb", &bytes));
  EXPECT_EQ(bytes, 1024LL * 1024 * 1024);
  EXPECT_TRUE(ParseMemory("7b", &bytes));
  EXPECT_EQ(bytes, 7);
  EXPECT_FALSE(ParseMemory("-1", &bytes));
  EXPECT_FALSE(ParseMemory("1.5mb", &bytes));
  EXPECT_FALSE(ParseMemory("1tb", &bytes));
  EXPECT_FALSE(ParseMemory("99999999999999999999", &bytes));
}

TEST(ConfigTest, RewriteKeepsCommentsAndUpdatesValues) {
  TempDir dir;
  const std::string path = dir.Write("drayman.conf",
                                     "# Drayman\n"
                                     "port 7000\n"
                                     "\n"
                                     "hz 15   # inline text is part of the value in Redis too\n"
                                     "hz 16\n"
                                     "timeout 0\n");
  Config config;
  std::string error;
  // The inline "comment" is not one: Redis would reject this line as well.
  EXPECT_FALSE(ParseArgs(config, {path}, &error));
  dir.Write("drayman.conf", "# Drayman\nport 7000\n\nhz 15\nhz 16\ntimeout 0\n");
  ASSERT_TRUE(ParseArgs(config, {path}, &error)) << error;
  ASSERT_TRUE(config.SetMany({"hz", "25", "maxclients", "99", "requirepass", "a b"}, &error));
  ASSERT_TRUE(config.Rewrite(&error)) << error;
  EXPECT_EQ(Read(path),
            "# Drayman\n"
            "port 7000\n"
            "\n"
            "hz 25\n"
            "timeout 0\n"
            "# Generated by CONFIG REWRITE\n"
            "requirepass \"a b\"\n"
            "maxclients 99\n");
  // The rewritten file loads back to the same values.
  Config reloaded;
  ASSERT_TRUE(ParseArgs(reloaded, {path}, &error)) << error;
  EXPECT_EQ(reloaded.settings().hz, 25);
  EXPECT_EQ(reloaded.settings().maxclients, 99);
  EXPECT_EQ(reloaded.settings().requirepass, "a b");
  Config without_file;
  EXPECT_FALSE(without_file.Rewrite(&error));
  EXPECT_EQ(error, "ERR The server is running without a config file");
}

}  // namespace
}  // namespace drayman
