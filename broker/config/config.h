// Configuration: every parameter Drayman supports, with Redis's names, value formats and errors.
//
// Contract: parameters are set from a redis.conf-style file, from `--name value` flags, or at run
// time by CONFIG SET (only those marked mutable; protected ones such as `dir` are refused as Redis
// 7 refuses them by default). CONFIG SET of several parameters is atomic: names are checked first,
// then values are set one by one and, if one fails, the ones already set are restored from their
// previous values. Apply hooks (installed by the transport, e.g. to re-bind listeners on `port`)
// run after all values are set and roll everything back if they fail. CONFIG GET answers with
// Redis's formats: numbers in plain bytes, booleans as yes/no. Error texts are Redis 7.0's. The
// typed values live in `Settings`, which the engine and the server read directly; the registry
// only maps names to those fields.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
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
  int64_t maxclients = 10000;
  int hz = 10;  // CONFIG SET accepts 0..INT_MAX and stores it clamped to 1..500, as Redis does
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  // A sparse HyperLogLog growing past this many bytes (header included) turns dense.
  int64_t hll_sparse_max_bytes = 3000;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  int64_t slowlog_log_slower_than = 10000;  // microseconds; negative disables, 0 logs everything
  int64_t slowlog_max_len = 128;
  // Scripts running longer are "busy": other clients get BUSY and may SCRIPT KILL (0 = never).
  int64_t busy_reply_threshold_ms = 5000;
  // Indexed by ClientClass. Redis defaults: normal 0 0 0, slave 256mb 64mb 60, pubsub 32mb 8mb 60
  std::array<OutputBufferLimit, 3> client_output_buffer_limit = {{
      {0, 0, 0},
      {256LL * 1024 * 1024, 64LL * 1024 * 1024, 60},
      {32LL * 1024 * 1024, 8LL * 1024 * 1024, 60},
  }};
  // Memory limit (broker/eviction/eviction.h). 0 = no limit.
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int maxmemory_samples = 5;
  int maxmemory_eviction_tenacity = 10;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;  // minutes
  // Process.
  std::string dir = ".";
  std::string logfile;  // empty = stdout
  std::string loglevel = "notice";
  std::string pidfile;
  bool daemonize = false;
  // Save points as CONFIG GET shows them; save_points is the parsed form (seconds, changes).
  std::string save = "3600 1 300 100 60 10000";
  std::vector<std::pair<int64_t, int64_t>> save_points = {{3600, 1}, {300, 100}, {60, 10000}};
  bool stop_writes_on_bgsave_error = true;
  // The append-only log (server/aof_log.h). Redis's defaults here; drayman-server itself turns
  // appendonly on (server/main.cc), the in-process Python server does not.
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  std::string appendfsync = "everysec";  // always | everysec | no
  bool no_appendfsync_on_rewrite = false;
  int auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64LL * 1024 * 1024;
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;
  bool aof_timestamp_enabled = false;
  bool aof_rewrite_incremental_fsync = true;
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;  // LZF for RDB strings longer than 20 bytes
  bool rdbchecksum = true;     // write and verify the RDB's CRC-64 trailer
  // DEBUG (broker/families/debug_family.cc): no | yes | local (loopback and unix socket only).
  std::string enable_debug_command = "no";
  // --- ACL (broker/acl/) ---
  std::string aclfile;  // users file for ACL LOAD/SAVE; empty: users come from `user` lines
  int64_t acllog_max_len = 128;
  bool acl_pubsub_default_all = false;  // acl-pubsub-default: allchannels (true) | resetchannels
  std::vector<std::vector<std::string>> acl_users;  // `user name rule...` lines, in order
  // --- TLS (server/tls_context.h). Redis 7.0's names and defaults; empty strings are unset.
  int tls_port = 0;  // 0: no TLS listener
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_key_file_pass;
  std::string tls_client_cert_file;  // accepted for compatibility (Drayman makes no outgoing
  std::string tls_client_key_file;   // TLS connections: no replication or cluster)
  std::string tls_client_key_file_pass;
  std::string tls_dh_params_file;
  std::string tls_ca_cert_file;
  std::string tls_ca_cert_dir;
  std::string tls_auth_clients = "yes";  // yes | no | optional
  std::string tls_protocols;             // e.g. "TLSv1.2 TLSv1.3"; empty: OpenSSL's defaults
  std::string tls_ciphers;
  std::string tls_ciphersuites;
  bool tls_prefer_server_ciphers = false;
  bool tls_session_caching = true;
  int tls_session_cache_size = 20 * 1024;
  int tls_session_cache_timeout = 300;  // seconds
  bool tls_replication = false;
  bool tls_cluster = false;
  // --- HTTP admin listener (server/http/http_listener.h); http_port is with the network ---
  // Addresses the listener binds (Redis's bind syntax: "-addr" optional); loopback by default.
  std::vector<std::string> http_bind = {"127.0.0.1"};
  // --- Operations: drop-in redis.conf, syslog, supervision (broker/config/compat_parameters.h)
  bool syslog_enabled = false;
  std::string syslog_ident = "redis";
  std::string syslog_facility = "local0";
  std::string supervised = "no";  // upstart | systemd | auto | no
  int unixsocketperm = 0;         // 0 = leave the socket's mode to the umask
  // What SIGINT / SIGTERM do: "default" (save when save points are set), "save", "nosave",
  // optionally with "now" / "force" (accepted: there are no replicas to wait for).
  std::string shutdown_on_sigint = "default";
  std::string shutdown_on_sigterm = "default";
  std::string enable_protected_configs = "no";  // yes lets CONFIG SET change dir, dbfilename
  // Values of the parameters compat_parameters.cc registers, as CONFIG GET reports them, by
  // name (absent = Redis's default).
  std::map<std::string, std::string> compat_values;
  // --- Latency (broker/observability/latency_monitor.h, broker/stats/latency_histogram.h) ---
  int64_t latency_monitor_threshold = 0;  // ms; 0 = the latency monitor records nothing
  // CLIENT TRACKING's table of keys read by clients: its size limit, 0 for none.
  int64_t tracking_table_max_keys = 1000000;
  // maxmemory-clients (broker/eviction/client_eviction.h): bytes, or minus a percentage of
  // maxmemory ("10%" is -10), as Redis stores it; 0 = client eviction off (the default).
  int64_t maxmemory_clients = 0;
  bool latency_tracking = true;           // per-command histograms (LATENCY HISTOGRAM)
  std::vector<double> latency_tracking_info_percentiles = {50, 99, 99.9};  // INFO latencystats
  // --- Keyspace notifications (broker/pubsub/keyspace_events.h) ---
  // Redis's class flags (KeyspaceEventClass); 0 = off, the default.
  int notify_keyspace_events = 0;
};

class Config {
 public:
  // Runs after CONFIG SET stored new values; returns false with an error detail to roll back.
  using ApplyHook = std::function<bool(std::string* error)>;

  Config();
  // Copies the values; apply hooks are not copied (they belong to whoever installed them).
  Config(const Config& other);
  Config& operator=(const Config& other);

  Settings& settings() { return settings_; }
  const Settings& settings() const { return settings_; }

  // Sets one parameter. `at_startup` allows immutable and protected ones. On failure returns
  // false with the whole error text in *error, shaped as CONFIG SET reports it.
  bool Set(std::string_view name, const std::vector<std::string>& values, bool at_startup,
           std::string* error);
  // CONFIG SET name value [name value ...]: all or nothing. `args` alternates names and values.
  // On failure returns false with the whole error text ("ERR ...") in *error.
  bool SetMany(const std::vector<std::string>& args, std::string* error);
  // (name, value) pairs of every parameter matching the glob `pattern` (CONFIG GET).
  std::vector<std::pair<std::string, std::string>> Get(std::string_view pattern) const;
  // CONFIG GET pattern [pattern ...]: each parameter once; an exact name is reported as typed.
  std::vector<std::pair<std::string, std::string>> GetMany(
      const std::vector<std::string>& patterns) const;
  // Whether CONFIG SET / SLOWLOG must hide this parameter's value (requirepass).
  bool IsSensitive(std::string_view name) const;

  // Installs a hook that runs after CONFIG SET changes `name` (e.g. the server re-binding its
  // listeners for `port` and `bind`). Returns false if there is no such parameter.
  bool SetApplyHook(std::string_view name, ApplyHook hook);

  // Reads a redis.conf-style file. Returns false with a message on the first bad line.
  bool LoadFile(const std::string& path, std::string* error);
  // Parses a config text (lines of "name value ..."). On error, *error holds Redis's report:
  // "Reading the configuration file, at line N\n>>> 'line'\nreason".
  bool LoadText(std::string_view text, std::string* error);
  // Parses `drayman-server [configfile] [--name value ...]` the way redis-server does: the file's
  // text, then one line per `--name` with its values quoted.
  bool ParseCommandLine(int argc, const char* const* argv, std::string* error);

  // CONFIG REWRITE: rewrites the config file in place, keeping comments and unknown lines,
  // replacing the lines of every parameter whose value differs from its default and appending
  // the ones the file lacked. Returns false with the whole error text ("ERR ...").
  bool Rewrite(std::string* error) const;

  // Absolute path of the config file given at startup, empty if none.
  const std::string& config_file() const { return config_file_; }

 private:
  using Setter = std::function<bool(const std::vector<std::string>&, std::string*)>;
  struct Parameter {
    std::string name;
    std::vector<std::string> aliases;
    bool mutable_at_runtime;
    // Parses and stores; returns an error detail ("argument couldn't be parsed into an integer").
    Setter set;
    std::function<std::string()> get;
    // A config-file line must carry exactly one value ("wrong number of arguments"). Parameters
    // that take several words (bind) leave it false and check the count in their setter.
    bool single_value = false;
    // Redis 7 "protected" configs: CONFIG SET refuses them (enable-protected-configs is no).
    bool is_protected = false;
    // Hidden from SLOWLOG arguments.
    bool sensitive = false;
    ApplyHook apply;
  };
  void Register();
  // Appends the Redis 7.0 parameters not in the table above (broker/config/compat_parameters.cc):
  // those Drayman honours outside the table and those it accepts without effect or refuses.
  void RegisterCompatParameters();
  // Like LoadText; lines from `first_option_line` on came from command-line options and are
  // reported as such.
  bool LoadLines(std::string_view text, int first_option_line, std::string* error);
  // `include <path>`: loads another file's lines where the directive stands, as Redis does.
  bool LoadIncluded(const std::string& path, std::string* error);
  const Parameter* FindParameter(std::string_view name) const;
  Parameter* FindParameter(std::string_view name);

  Settings settings_;
  std::vector<Parameter> parameters_;
  std::string config_file_;
};

// Parses a Redis memory value: "1gb", "100mb", "64k", "2m", plain bytes (units case-insensitive;
// k/m/g are powers of 1000, kb/mb/gb powers of 1024). Negative values are not memory values.
bool ParseMemory(std::string_view text, int64_t* bytes);

}  // namespace drayman
