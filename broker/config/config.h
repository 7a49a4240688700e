// Configuration: every parameter Drayman supports, with Redis's names, value formats and errors.
//
// Contract: parameters are set from a redis.conf-style file, from `--name value` flags, or at run
// time by CONFIG SET (only those marked mutable). CONFIG GET answers with Redis's formats: numbers
// in plain bytes, booleans as yes/no. Unknown names are answered as Redis answers them (nothing
// for GET, an error for SET). The typed values live in `Settings`, which the engine and the server
// read directly; the registry only maps names to those fields.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drayman {

// --- client-output-buffer-limit (broker/pubsub/output_limits.h) ---
// Client classes as Redis names them in client-output-buffer-limit, in CONFIG GET order.
enum class ClientClass : int { kNormal = 0, kReplica = 1, kPubSub = 2 };
// 0 disables a limit. A client over `hard_bytes`, or over `soft_bytes` for longer than
// `soft_seconds`, is disconnected.
struct OutputBufferLimit {
  int64_t hard_bytes = 0;
  int64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

struct Settings {
  // Network (read by the server; reported by CONFIG GET).
  int port = 6379;
  std::vector<std::string> bind = {"127.0.0.1"};
  int tcp_backlog = 511;
  int timeout_seconds = 0;  // idle client timeout, 0 = never
  int tcp_keepalive = 300;
  bool protected_mode = true;
  std::string unixsocket;
  int http_port = -1;  // admin HTTP endpoint, -1 = off
  // Engine.
  int databases = 16;
  std::string requirepass;
  int maxclients = 10000;
  int hz = 10;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  // Scripts running longer are "busy": other clients get BUSY and may SCRIPT KILL (0 = never).
  int64_t busy_reply_threshold_ms = 5000;
  // Indexed by ClientClass. Redis defaults: normal 0 0 0, slave 256mb 64mb 60, pubsub 32mb 8mb 60
  std::array<OutputBufferLimit, 3> client_output_buffer_limit = {{
      {0, 0, 0},
      {256LL * 1024 * 1024, 64LL * 1024 * 1024, 60},
      {32LL * 1024 * 1024, 8LL * 1024 * 1024, 60},
  }};
  // Process.
  std::string dir = ".";
  std::string logfile;  // empty = stdout
  std::string loglevel = "notice";
  std::string pidfile;
  bool daemonize = false;
  std::string save = "3600 1 300 100 60 10000";
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  std::string appendfsync = "everysec";
  std::string dbfilename = "dump.rdb";
};

class Config {
 public:
  Config();

  Settings& settings() { return settings_; }
  const Settings& settings() const { return settings_; }

  // Sets one parameter. `at_startup` allows immutable ones. On failure returns false with the
  // whole error text in *error, shaped as CONFIG SET reports it.
  bool Set(std::string_view name, const std::vector<std::string>& values, bool at_startup,
           std::string* error);
  // (name, value) pairs of every parameter matching the glob `pattern` (CONFIG GET).
  std::vector<std::pair<std::string, std::string>> Get(std::string_view pattern) const;

  // Reads a redis.conf-style file. Returns false with a message on the first bad line.
  bool LoadFile(const std::string& path, std::string* error);
  // Parses a config text (lines of "name value ...").
  bool LoadText(std::string_view text, std::string* error);
  // Parses `drayman-server [configfile] [--name value ...]`.
  bool ParseCommandLine(int argc, const char* const* argv, std::string* error);

  const std::string& config_file() const { return config_file_; }

 private:
  struct Parameter {
    std::string name;
    std::vector<std::string> aliases;
    bool mutable_at_runtime;
    // Parses and stores; returns an error detail ("argument couldn't be parsed into an integer").
    std::function<bool(const std::vector<std::string>&, std::string*)> set;
    std::function<std::string()> get;
  };
  void Register();
  const Parameter* FindParameter(std::string_view name) const;

  Settings settings_;
  std::vector<Parameter> parameters_;
  std::string config_file_;
};

// Parses a Redis memory value: "1gb", "100mb", "64k", plain bytes.
bool ParseMemory(std::string_view text, int64_t* bytes);

}  // namespace drayman
