// AofLog: the append-only log on disk in Redis 7.0's multi-part layout (formats in
// broker/persistence/aof_format.h): loading at start-up and appending afterwards.
//
// Contract: everything but the fsync threads runs on the event-loop thread that owns the Engine.
// Open() reads the manifest (throws std::runtime_error with Redis's report if it is bad).
// LoadSlice() replays a slice of the logged commands (a few milliseconds' worth) and is called
// again until it says done, so the loop keeps serving clients meanwhile (they get LOADING); a
// torn last record is dropped and the file cut there when aof-load-truncated is yes, anything
// else wrong fails with the file and offset. StartAppending() creates the base and the incr file
// when there are none, persists the manifest and installs the log as a PropagationSink.
//
// Appending: Append() only copies bytes into a buffer; once per loop pass (a posted flush) they
// move on. Under appendfsync everysec and no the loop write()s them (one syscall into the page
// cache, as Redis does) and releases the replies; under everysec an fsync thread fdatasyncs once
// a second, under no the kernel decides. Under always they are handed to an fsync thread, which
// write()s and fdatasyncs them in one go (group commit: one fsync covers every pass handed over
// before it starts) while the loop keeps reading and executing the next commands; up to two
// fdatasyncs overlap (pipelined), and each gathers the sessions the previous one released (see
// RequestSync). WhenDurable(offset, fn) runs fn on the loop once durable_offset() reaches
// offset: fsynced under always, written otherwise. The server holds a session's replies that
// way, so an acknowledged write is on disk (always) or at least in the kernel, surviving a crash
// of the process (everysec, no), as in Redis. Stop() writes what is left, joins the threads and
// fsyncs.
//
// Rewrites (server/aof_rewrite.h drives them): SwitchToNewIncr() makes every byte appended from
// then on go to a new incr file while bytes appended before still go to the old one (whoever
// writes switches files at that exact offset), and persists a manifest listing it; InstallBase()
// makes a finished base file the manifest's base, turns the old base and the rewritten incr
// files into history, persists the manifest (temp file, fsync, rename, fsync dir) and deletes
// history, as Redis 7.0's backgroundRewriteDoneHandler does. While a switch's manifest is not on
// disk yet, even everysec and no hand their bytes to a thread (the manifest's fsync never runs
// on the loop). CONFIG SET appendonly yes starts the log waiting for its first rewrite (Redis's
// AOF_WAIT_REWRITE): writes go to temp-<appendfilename>.incr, renamed to the next incr file when
// the base is installed.
//
// Write and fsync errors (everysec, no) keep the unwritten bytes and retry every second; the
// engine refuses writes with Redis's MISCONF text meanwhile (PersistenceStatus), and replies are
// not held back, as Redis sends them. Under always, Redis's rule: exit.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/log/log.h"
#include "broker/persistence/aof_format.h"
#include "broker/persistence/propagation.h"
#include "server/aof_sync_stats.h"

namespace drayman {

class AofReplayer;
class Engine;

// Writes manifests (temp file, fsync, rename, fsync dir) from any thread, in generation order: a
// generation older than the one on disk is skipped, since a newer manifest supersedes it. Shared
// with background jobs, so it outlives the log that made them.
struct ManifestStore {
  std::string dir;
  std::string temp_path;
  std::string final_path;
  std::mutex mutex;
  uint64_t persisted = 0;  // newest generation on disk (guarded by mutex)
  int outstanding = 0;     // background jobs still running (guarded by mutex)
  std::condition_variable idle;
  bool Persist(const std::string& text, uint64_t generation, std::string* error);
};

class AofLog : public PropagationSink {
 public:
  // `post` runs a function on the loop thread (asio::post).
  using Post = std::function<void(std::function<void()>)>;
  AofLog(Engine& engine, Post post);
  ~AofLog() override;
  AofLog(const AofLog&) = delete;
  AofLog& operator=(const AofLog&) = delete;

  void Open();
  // Reads the manifest without preparing a load (BGREWRITEAOF with appendonly no).
  bool ReadManifest(std::string* error);
  enum class LoadStep { kMore, kDone, kFailed };
  // `message` gets log lines (progress, truncation warnings) and, on kFailed, the reason.
  LoadStep LoadSlice(std::string* message);
  // Returns false with a message if the files cannot be created or opened.
  bool StartAppending(std::string* error);
  void Stop();
  bool appending() const { return fd_ >= 0; }

  // --- Rewrites ---
  // CONFIG SET appendonly yes on a live dataset: nothing is written until the first rewrite
  // begins (its base holds everything before).
  bool StartWaitingForRewrite(std::string* error);
  bool waiting_for_rewrite() const { return waiting_for_rewrite_; }
  // At a rewrite's start: later appends go to a new incr file.
  bool SwitchToNewIncr(std::string* error);
  // The name the next base file gets, and the directory the log's files live in.
  std::string NextBaseName(bool rdb) const;
  const std::string& dir() const { return dir_; }
  // The rewrite wrote `base_name` (in dir()): make it the base; false leaves the old manifest.
  bool InstallBase(const std::string& base_name, std::string* error);

  void Append(std::string_view resp) override;

  uint64_t appended_offset() const { return appended_; }
  // Where replies may be released: fsynced bytes under appendfsync always, written bytes
  // (in the kernel, safe from a crash of this process) otherwise, as Redis acknowledges.
  uint64_t durable_offset() const;
  bool fsync_always() const;
  void WhenDurable(uint64_t offset, std::function<void()> callback);
  // Copies the writer's figures into engine.persistence() for INFO.
  void UpdateStatus();
  // Writes and fsyncs, for /metrics (any thread may have recorded them).
  const AofSyncStats& sync_stats() const { return sync_stats_; }

 private:
  std::string PathOf(const std::string& name) const;
  // Persists manifest_ now, on the calling thread.
  bool PersistManifest(std::string* error);
  ManifestStore& Store();
  std::shared_ptr<ManifestStore> store_;
  uint64_t manifest_generation_ = 0;
  // Posts `task` to the loop, to run only if this log still exists then (CONFIG SET appendonly
  // no destroys it while a flush or a durability notice may still be queued).
  void PostIfAlive(void (AofLog::*task)());
  void ScheduleFlush();
  void Flush();
  // everysec/no: write()s what was handed over and pending_, on the loop; false if that could
  // not be done now (a write failed, or a rewrite's manifest is due first: then a thread writes).
  bool WritePending();
  // Moves pending_ to handed_ (no syscall): the fsync thread's batch under always.
  void HandOver();
  enum class WriteResult { kDone, kFailed, kNeedsThread };
  // With write_mutex_ held: writes handed_ to the files, switching files where a rewrite asked;
  // what is not written stays at handed_'s front. Only a thread may persist a switch's manifest
  // (`on_loop` returns kNeedsThread instead).
  WriteResult WriteHanded(bool on_loop);
  void WriteHandedAndSync();  // on an fsync thread
  // appendfsync always: asks the fsync thread for the next group commit (at once when the
  // sessions released by the last one are all waiting again, else after a short gather window).
  void RequestSync();
  void RequestWrite();  // everysec/no: a thread writes handed_
  void HurrySync();
  bool Gathered() const;
  void SyncDone();  // on the loop, after a requested fsync
  void SyncLoop(bool ticks);
  void SyncUpTo(uint64_t written);
  void ReleaseDurable();
  bool OpenNextLoadFile(std::string* message);
  // An RDB-format base (aof-use-rdb-preamble): loads it at once; the parser then goes on after it.
  bool LoadRdbPreamble(const aof::FileInfo& info, std::string* message);
  void StartThreads(int fd);
  std::string TempIncrName() const;

  Engine& engine_;
  Post post_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // Log lines go through the engine's sink (the server's Logger, single-threaded) on the loop;
  // the writer and fsync threads post theirs to the loop.
  void LogLine(LogLevel level, std::string message);
  const std::thread::id loop_thread_ = std::this_thread::get_id();
  std::string dir_;  // dir/appenddirname
  aof::Manifest manifest_;

  // --- Loading ---
  std::vector<aof::FileInfo> load_files_;
  size_t load_index_ = 0;
  int load_fd_ = -1;
  bool load_eof_ = false;
  std::unique_ptr<aof::AofRecordParser> parser_;
  std::unique_ptr<AofReplayer> replayer_;
  int64_t load_started_us_ = 0;
  int64_t file_started_us_ = 0;

  // --- Appending (loop thread) ---
  int fd_ = -1;
  std::string pending_;  // appended, not yet written nor handed over
  uint64_t appended_ = 0;
  uint64_t handed_total_ = 0;  // bytes moved to handed_ (written or not): written_'s offsets
  bool flush_scheduled_ = false;
  std::multimap<uint64_t, std::function<void()>> waiting_;
  int syncs_outstanding_ = 0;   // always: fsyncs requested or running
  size_t gather_target_ = 0;    // sessions waiting when the last fsync completed
  int64_t released_at_us_ = 0;  // when it completed

  // --- fsync threads ---
  // Lock order: write_mutex_ or retired_sync_mutex_ before mutex_; mutex_ is never held across a
  // syscall that may block (write, fsync).
  std::vector<std::thread> syncers_;
  std::mutex mutex_;  // guards the fields up to retired_fds_
  std::condition_variable sync_wake_;
  std::string handed_;  // appended, handed over (to a thread or the loop's write), not written
  bool stopping_ = false;
  int sync_jobs_ = 0;   // always: requested fsyncs no thread has taken yet
  int write_jobs_ = 0;  // everysec/no: requested writes (a switch's manifest is due first)
  int64_t sync_not_before_us_ = 0;
  // A file switch takes effect once `at` bytes were written.
  struct PendingSwitch {
    uint64_t at;
    int fd;
    // The manifest listing the new file, persisted by a thread before the file's first byte
    // (off the loop: an fsync can take tens of milliseconds); empty once persisted.
    std::string manifest;
    uint64_t generation = 0;
  };
  std::deque<PendingSwitch> switches_;
  int writer_fd_ = -1;            // the file bytes are written to now
  std::vector<int> retired_fds_;  // switched away from, not yet fsynced and closed
  // One writer at a time (a thread, or the loop under everysec/no), so the files get the bytes
  // in appended order; the writer also applies switches_.
  std::mutex write_mutex_;
  int64_t last_error_log_s_ = 0;  // a failing write is logged at most every 30 s (write_mutex_)
  // Held while the retired files are fsynced, so an fsync of the current file that completes
  // first cannot mark their bytes durable before they are.
  std::mutex retired_sync_mutex_;
  bool waiting_for_rewrite_ = false;
  std::atomic<bool> fsync_failed_{false};
  std::atomic<int> last_errno_{0};
  mutable std::atomic<int> fsync_policy_{1};  // 0 no, 1 everysec, 2 always
  std::atomic<uint64_t> written_{0};          // bytes of the incr files written this run
  std::atomic<uint64_t> synced_{0};           // of those, fdatasynced
  std::atomic<int> fsyncs_running_{0};
  std::atomic<int64_t> fsync_started_ms_{0};
  std::atomic<int64_t> last_fsync_us_{0};
  std::atomic<uint64_t> delayed_fsync_{0};
  std::atomic<bool> write_failed_{false};
  uint64_t base_size_ = 0;
  uint64_t size_at_start_ = 0;  // base + incr sizes when appending started (or base at a rewrite)
  // aof_current_size is size_at_start_ + written_ - written_base_ (written_ counts every file).
  uint64_t written_base_ = 0;
  uint64_t incr_offset_at_switch_ = 0;  // written_ where the current incr file begins
  AofSyncStats sync_stats_;
};

}  // namespace drayman
