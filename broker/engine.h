// Engine: the whole broker behind one event loop: keyspace, command table, clients, statistics.
//
// Contract: single-threaded. Every entry point (Connect, Disconnect, ProcessInput, Execute, Cron)
// must be called from the thread that owns the engine; the engine does no I/O and starts no
// threads, so it runs identically inside the server, the Python module and unit tests. Time comes
// from the injected Clock; each command sees one "now". ProcessInput runs every complete command
// buffered in a client's parser and appends replies to the client's output; the caller writes that
// output. A protocol error answers once and marks the client close_after_reply.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/container/btree_map.h"
#include "broker/blocking/blocked_clients.h"
#include "broker/blocking/client_pause.h"
#include "broker/client.h"
#include "broker/clock.h"
#include "broker/command/command_table.h"
#include "broker/command/context.h"
#include "broker/config/config.h"
#include "broker/eviction/client_eviction.h"
#include "broker/eviction/evictor.h"
#include "broker/keyspace/database.h"
#include "broker/log/log.h"
#include "broker/observability/latency_monitor.h"
#include "broker/persistence/persistence_status.h"
#include "broker/persistence/propagator.h"
#include "broker/pubsub/pubsub.h"
#include "broker/slowlog/slowlog.h"
#include "broker/stats/process_stats.h"
#include "broker/tracking/tracking.h"
#include "broker/transaction/watched_keys.h"

namespace drayman {

// The one source of the version is project(VERSION) in the top CMakeLists.txt: broker/CMakeLists
// passes it as DRAYMAN_VERSION, and python/pyproject.toml reads it from there too.
inline constexpr std::string_view kDraymanVersion = DRAYMAN_VERSION;
// The Redis version Drayman reports for compatibility (redis-cli and clients gate features on it).
inline constexpr std::string_view kRedisCompatVersion = "7.0.15";

struct EngineStats {
  int64_t start_time_ms = 0;
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t dirty = 0;  // changes since the last save
  int64_t last_save_time_s = 0;
  uint64_t rdb_saves = 0;          // SAVE/BGSAVE attempts (INFO rdb_saves)
  bool rdb_last_bgsave_ok = true;  // INFO rdb_last_bgsave_status (SAVE sets it too, as Redis)
  uint64_t rdb_last_load_keys_loaded = 0;
  uint64_t rdb_last_load_keys_expired = 0;
  // BGSAVE (broker/persistence/background_save.h).
  int64_t rdb_last_bgsave_time_sec = -1;
  uint64_t rdb_last_cow_size = 0;  // bytes the last BGSAVE encoded early because writes came first
  int64_t last_bgsave_try_s = 0;
  uint64_t dirty_before_bgsave = 0;
  std::map<std::string, uint64_t> error_counts;  // by code, for INFO errorstats
  // --- INFO rates and memory (server family) ---
  // Sampled by Cron: instantaneous_ops_per_sec, instantaneous_input/output_kbps.
  RateSampler ops_rate, input_rate, output_rate;
  uint64_t used_memory_startup = 0;
  uint64_t used_memory_peak = 0;
  uint64_t evicted_keys = 0;  // maxmemory evictions (INFO stats; CONFIG RESETSTAT clears it)
  uint64_t evicted_clients = 0;  // maxmemory-clients evictions (INFO stats; RESETSTAT clears it)
  // INFO stats' I/O counters, kept by the host: read passes over a client's socket (Redis's
  // readQueryFromClient calls), writes of replies, and reply buffers grown or released.
  uint64_t total_reads_processed = 0;
  uint64_t total_writes_processed = 0;
  uint64_t reply_buffer_shrinks = 0;
  uint64_t reply_buffer_expands = 0;
  // Error replies sent to the AOF replayer's client (Redis's stat_unexpected_error_replies).
  uint64_t unexpected_error_replies = 0;
  // Active expiry (Cron): Redis's smoothed fraction of the volatile keys found stale per cycle,
  // the cycles cut short by their time budget and the time spent in them.
  double expired_stale_perc = 0;
  uint64_t expired_time_cap_reached_count = 0;
  uint64_t expire_cycle_time_used_us = 0;
  // /metrics (broker/stats/redis_metrics.h): clients closed, by cause.
  DisconnectionCounts disconnections;
};

class ScriptEngine;
class AsyncFileSink;
namespace acl {
class Acl;
}
class QueueTracker;
class QueueHistory;
class BackgroundSave;
class BackgroundRewrite;
class AofRewriteHost;
namespace rdb {
class RdbFileSystem;
}

class Engine : private KeyspaceObserver {
 public:
  // Throws std::runtime_error when the `user` lines or the `aclfile` are invalid (Redis exits).
  Engine(Config& config, const Clock& clock);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // A new connection. The engine owns the Client until Disconnect.
  Client* Connect(ClientObserver* observer, std::string addr = "?:0", std::string laddr = "?:0",
                  int fd = -1);
  void Disconnect(Client* client);

  // Executes every complete command buffered in the client's parser.
  void ProcessInput(Client& client);
  // Executes one command for `client`, appending its reply to the client's output.
  void Execute(Client& client, std::vector<std::string>& args);
  // Periodic work (active expiry, idle timeouts); call about `hz` times a second.
  void Cron();

  Keyspace& keyspace() { return keyspace_; }
  const CommandTable& commands() const { return commands_; }
  Config& config() { return config_; }
  SlowLog& slowlog() { return slowlog_; }
  const Settings& settings() const { return config_.settings(); }
  const Clock& clock() const { return clock_; }
  EngineStats& stats() { return stats_; }
  const absl::btree_map<uint64_t, std::unique_ptr<Client>>& clients() const { return clients_; }
  Client* FindClient(uint64_t id);
  // Asks the client's transport to close it (CLIENT KILL, idle timeout).
  void KillClient(Client& client, DisconnectCause cause = DisconnectCause::kClientKill);
  // Pub/sub channels and patterns, MONITOR clients, output buffer limits (broker/pubsub/).
  PubSub& pubsub() { return pubsub_; }
  // Client-side caching: CLIENT TRACKING's tables and invalidations (broker/tracking/).
  Tracking& tracking() { return tracking_; }
  const Tracking& tracking() const { return tracking_; }

  // --- Blocking commands and transactions ---
  // Clients blocked in BLPOP & co. (broker/blocking/). INFO's blocked_clients is
  // blocked_clients().blocked_count(), clients_in_timeout_table its timeout_count().
  BlockedClients& blocked_clients() { return blocked_clients_; }
  const BlockedClients& blocked_clients() const { return blocked_clients_; }
  WatchedKeys& watched_keys() { return watched_keys_; }
  // The nearest blocked client's deadline on the engine clock (ms), or 0 when none waits with a
  // timeout; also the first millisecond after a CLIENT PAUSE's end. The transport arms one timer
  // for it and calls TimeOutBlockedClients when it fires.
  int64_t NextBlockingDeadline() const;
  // Answers every blocked client whose deadline has passed as timed out, ends a CLIENT PAUSE whose
  // time is up, then resumes their pipelined input. Does nothing while a command runs (a busy
  // script serving other clients).
  void TimeOutBlockedClients();
  // --- CLIENT PAUSE (broker/blocking/client_pause.h) ---
  // Pauses clients until `end_ms` (engine clock), never weakening a running pause.
  void PauseClients(PauseType type, int64_t end_ms);
  // Ends the pause; held clients run their held commands, in the order they were held, as soon as
  // no command runs (after the current one).
  void UnpauseClients();
  // Redis's checkClientPauseTimeoutAndReturnIfPaused: ends a pause whose end is before `now_ms`
  // and answers whether clients are paused.
  bool ClientsPaused(int64_t now_ms);
  const ClientPause& client_pause() const { return client_pause_; }
  // Redis's getCommandFlags: the row's flags, or for EVAL/EVALSHA(_RO) and FCALL(_RO) of a script
  // that declares flags, those flags turned into command flags (scriptFlagsToCmdFlags).
  uint32_t CommandFlags(const CommandSpec& spec, const std::vector<std::string>& args) const;
  // --- maxmemory (broker/eviction/evictor.h) ---
  Evictor& evictor() { return evictor_; }
  // The one way keys leave for memory: deleted like DEL (WATCH sees it; blocked clients are not
  // woken, nothing was pushed) and counted in evicted_keys.
  void EvictKey(Database& db, std::string_view key);
  // --- maxmemory-clients (broker/eviction/client_eviction.h) ---
  ClientEviction& client_eviction() { return client_eviction_; }
  // Called by the transport after it wrote some of a client's output: the client's memory
  // shrank (one test while maxmemory-clients is off).
  void NoteOutputWritten(Client& client) { client_eviction_.Update(client); }
  // Whether the current client command started over maxmemory with nothing left to evict (a
  // script may then run no denyoom command before its first write, as in Redis).
  bool pre_command_oom() const { return pre_command_oom_; }

  // Ends MULTI without running it and forgets WATCHed keys (DISCARD, EXEC, RESET).
  void DiscardTransaction(Client& client);
  // Lua scripting (EVAL, SCRIPT): broker/script/script_engine.h.
  ScriptEngine& scripts() { return *scripts_; }
  // Set by the transport: called from a script's hook while the script runs past
  // busy-reply-threshold, so other clients are served meanwhile (they get BUSY except for
  // allow-busy commands such as SCRIPT KILL). Must not block. The engine keeps the script's
  // caller out of ProcessInput and defers freeing it if it disconnects meanwhile.
  std::function<void()> serve_while_busy;
  // Set by the transport: SHUTDOWN calls it to stop the server once the current command is
  // done (every connection closes, the SHUTDOWN caller's with no reply, as in Redis). Unset in
  // engine-only hosts, where SHUTDOWN answers that it failed.
  std::function<void()> shutdown_requested;
  // Set by the transport: where the engine's log messages go (broker/log/log.h); unset, they are
  // dropped. Log() hands a message to it.
  LogSink log_sink;
  void Log(LogLevel level, std::string_view message) const {
    if (log_sink) log_sink(level, message);
  }

  // Loading and the append-only log: set by the host that does the file I/O (server/aof_log.h),
  // read by INFO persistence and by dispatch (LOADING).
  PersistenceStatus& persistence() { return persistence_; }

  // --- Propagation (broker/persistence/propagation.h) ---
  // Installs a sink for the propagation stream (broker/persistence/propagation.h). A sink
  // added again after removal starts with no database selected.
  void AddPropagationSink(PropagationSink* sink);
  void RemovePropagationSink(PropagationSink* sink);
  // Propagates `DEL key` in `db` at once, as a unit of its own: for deletions no command
  // propagates, such as eviction under maxmemory (call it before the command's handler runs, as
  // Redis 7.0 writes evicted keys' DELs alone, ahead of the command). Called while a unit has
  // commands pending, the DEL joins that unit instead.
  void PropagateDel(int db, std::string_view key);
  Propagator& propagator() { return propagator_; }

  // Set by the host: the files SAVE, DEBUG RELOAD and start-up loading use
  // (broker/persistence/rdb_file.h). Unset in hosts without files; SAVE then fails.
  rdb::RdbFileSystem* rdb_files = nullptr;

  // --- BGSAVE: a snapshot written while the loop keeps serving (broker/persistence/) ---
  // Set by the host: opens `path` for writing in the background (the server writes on its own
  // thread). Unset: BGSAVE writes through rdb_files on the engine's thread as it encodes.
  std::function<std::unique_ptr<AsyncFileSink>(const std::string& path, std::string* error)>
      open_background_file;
  // Starts a BGSAVE (the command, save points). False with *error when one runs or the file
  // cannot be opened.
  bool StartBackgroundSave(std::string* error);
  // Advances a running BGSAVE for about `budget_us` and settles it when done. Returns whether one
  // is still running: the host calls it again soon (between other events) until false.
  bool StepBackgroundSave(int64_t budget_us);
  // Stops a running BGSAVE, discarding its file (SHUTDOWN, which then saves synchronously).
  void CancelBackgroundSave();
  const BackgroundSave* background_save() const { return background_save_.get(); }
  // BGSAVE inside EXEC is scheduled for the next Cron, as Redis does.
  bool background_save_scheduled = false;
  // Set by hosts that step a running BGSAVE themselves between events (the server): Cron then
  // leaves it alone, so a Cron pass never adds a slice of its own to theirs.
  bool host_steps_background_save = false;
  // Redis's writeCommandsDeniedByDiskError: the last BGSAVE failed, saving is configured and
  // stop-writes-on-bgsave-error is on, or the log cannot write or fsync (aof_last_write_ok), so
  // writes (and PING) answer MISCONF. Returns the error text, empty when writes are allowed.
  std::string WritesDeniedByDiskError() const;
  // Execute's cheap test before asking that: false while the last save and the last log write
  // both succeeded, so the string-building check runs only after a failure.
  bool WritesMayBeDeniedByDiskError() const {
    return !stats_.rdb_last_bgsave_ok || !persistence_.aof_last_write_ok;
  }

  // --- BGREWRITEAOF: a new log base from a snapshot (broker/persistence/aof_rewrite.h) ---
  // Set by the host that owns the log's files; unset, BGREWRITEAOF fails as a failed fork does.
  AofRewriteHost* aof_rewrite_host = nullptr;
  // Starts a rewrite now (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes). False
  // with *error when one runs, a BGSAVE runs, or the host cannot begin.
  bool StartAofRewrite(std::string* error);
  // Advances a running rewrite for about `budget_us`, settling it when done; whether it still runs.
  bool StepAofRewrite(int64_t budget_us);
  // Stops a running rewrite, discarding its base (appendonly no, SHUTDOWN).
  void CancelAofRewrite();
  const BackgroundRewrite* aof_rewrite() const { return aof_rewrite_.get(); }
  // Cron's part: scheduled rewrites and Redis's auto-aof-rewrite-percentage rule.
  void AofRewriteCron();

  // --- ACL users (broker/acl/) ---
  acl::Acl& acl() { return *acl_; }
  const acl::Acl& acl() const { return *acl_; }
  // The client whose command is running (innermost), or null between commands.
  Client* current_client() const { return current_client_; }
  // --- Queue insight (broker/observability/): kombu and channels_redis queues, their history ---
  QueueTracker& queue_tracker() { return *queue_tracker_; }
  QueueHistory& queue_history() { return *queue_history_; }

  // DEBUG SET-ACTIVE-EXPIRE: Cron's active expiry sweep runs only while set (lazy expiry always).
  bool active_expire_enabled = true;
  // DEBUG SLEEP: stops the loop for `us` microseconds. Tests replace it with one that advances
  // their ManualClock, so the command's duration is seen without sleeping.
  std::function<void(int64_t us)> sleep_us;

  // --- The latency monitor (broker/observability/latency_monitor.h) ---
  LatencyMonitor& latency_monitor() { return latency_monitor_; }
  // Records `latency_ms` for `event` at the engine clock's second when latency-monitor-threshold
  // is set and reached (Redis's latencyAddSampleIfNeeded). Hosts feed their own events (the
  // append-only log's writes and fsyncs) through it, on the engine's thread.
  void AddLatencySample(std::string_view event, int64_t latency_ms) {
    latency_monitor_.AddIfNeeded(event, latency_ms, config_.settings().latency_monitor_threshold,
                                 clock_.NowUs() / 1'000'000);
  }

  // Facts about the hosting process, filled in by the transport for INFO.
  std::string executable;
  std::string process_role = "master";
  std::string run_id;

 private:
  void CheckThread() const;
  // MULTI: queues a command and counts its argument bytes (Client::multi_mem).
  void QueueMultiCommand(Client& client, const std::vector<std::string>& args);
  // Whether `spec` is refused while over maxmemory with nothing left to evict.
  bool DeniedWhenOutOfMemory(const Client& client, const CommandSpec& spec,
                             const std::vector<std::string>& args) const;

  // KeyspaceObserver: WATCH invalidation and blocked-client wake-ups.
  void OnKeyModified(int db, std::string_view key) override;
  void OnDatabaseModified(int db) override;
  void OnDatabasesSwapped(int first, int second) override;
  void OnKeyReady(int db, std::string_view key) override;
  // Propagation: an expired key is written as DEL.
  void OnKeyExpired(int db, std::string_view key) override;
  // Keyspace notifications: `new` (broker/pubsub/keyspace_events.h).
  void OnKeyCreated(int db, std::string_view key) override;
  // Client-side caching: FLUSHDB/FLUSHALL invalidate every tracking client's cache.
  void OnFlush() override;
  // Execute's error accounting, when the command answered `emitted` errors of its own: the
  // client's and INFO's totals, and errorstats by the last error's code.
  void CountErrorReplies(Client& client, uint64_t emitted);
  // After each command a client sent: CLIENT CACHING's flag ends unless MULTI or CLIENT follows.
  void EndCommandTrackingMode(Client& client);
  // Runs the pipelined input of clients whose blocking command ended (served, timed out,
  // unblocked) or whose pause ended, iteratively, so wake-up chains never recurse.
  void ResumeUnblockedClients();
  // A pause ended (or changed): the keyspace's expiry pause follows it, and a pause that is over
  // queues its held clients for resumption.
  void OnPauseChanged();
  // Whether a WRITE pause holds this command (Redis's is_may_replicate_command).
  bool MayReplicate(const Client& client, const CommandSpec& spec,
                    const std::vector<std::string>& args) const;

  Config& config_;
  const Clock& clock_;
  CommandTable commands_;
  Keyspace keyspace_;
  PubSub pubsub_{*this};
  Tracking tracking_{*this};
  const CommandSpec* client_command_ = nullptr;  // CLIENT: CLIENT CACHING lasts past it
  const CommandSpec* ping_command_ = nullptr;    // PING: refused after a failed BGSAVE, as writes
  bool evicting_ = false;                        // EvictKey: a change no client made
  EngineStats stats_;
  PersistenceStatus persistence_;
  SlowLog slowlog_;
  LatencyMonitor latency_monitor_;
  absl::btree_map<uint64_t, std::unique_ptr<Client>> clients_;
  uint64_t next_client_id_ = 1;
  std::thread::id owner_thread_;
  BlockedClients blocked_clients_;
  ClientPause client_pause_;
  WatchedKeys watched_keys_;
  Evictor evictor_{*this};
  ClientEviction client_eviction_{*this, config_.settings()};
  bool pre_command_oom_ = false;
  Propagator propagator_;
  int call_depth_ = 0;     // Execute nesting: 1 for a client's command, more inside EXEC/scripts
  int input_depth_ = 0;    // ProcessInput nesting
  bool resuming_ = false;  // inside ResumeUnblockedClients
  std::vector<uint64_t> resuming_ids_;  // ResumeUnblockedClients' batch (keeps its capacity)
  // A busy script's caller that disconnected; freed by the next Cron once the script is over.
  std::unique_ptr<Client> detached_script_caller_;
  std::unique_ptr<BackgroundSave> background_save_;
  std::unique_ptr<acl::Acl> acl_;
  Client* current_client_ = nullptr;
  std::unique_ptr<QueueTracker> queue_tracker_;  // observes lists of keyspace_
  std::unique_ptr<QueueHistory> queue_history_;
  std::unique_ptr<BackgroundRewrite> aof_rewrite_;
  int64_t aof_rewrite_next_allowed_s_ = 0;  // Redis's aofRewriteLimited back-off
  int aof_rewrite_delay_minutes_ = 0;
  std::unique_ptr<ScriptEngine> scripts_;  // last: destroyed first, it holds a Client
};

}  // namespace drayman
