// AofLog: the append-only log on disk in Redis 7.0's multi-part layout (formats in
// broker/persistence/aof_format.h): loading at start-up and appending afterwards.
//
// Contract: everything but the writer thread runs on the event-loop thread that owns the Engine.
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
// a second, under no the kernel decides. Under always they are handed to the fsync thread, which
// write()s and fdatasyncs them in one go (group commit: one fsync covers every pass handed over
// before it starts) while the loop keeps reading and executing the next commands; each fsync
// gathers the sessions the previous one released (see RequestSync). WhenDurable(offset, fn) runs
// fn on the loop once durable_offset() reaches offset: fsynced under always, written otherwise.
// The server holds a session's replies that way, so an acknowledged write is on disk (always) or
// at least in the kernel, surviving a crash of the process (everysec, no), as in Redis. Stop()
// writes what is left, joins the thread and fsyncs.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/persistence/aof_format.h"
#include "broker/persistence/propagation.h"

namespace drayman {

class AofReplayer;
class Engine;

class AofLog : public PropagationSink {
 public:
  // `post` runs a function on the loop thread (asio::post).
  using Post = std::function<void(std::function<void()>)>;
  AofLog(Engine& engine, Post post);
  ~AofLog() override;
  AofLog(const AofLog&) = delete;
  AofLog& operator=(const AofLog&) = delete;

  void Open();
  enum class LoadStep { kMore, kDone, kFailed };
  // `message` gets log lines (progress, truncation warnings) and, on kFailed, the reason.
  LoadStep LoadSlice(std::string* message);
  // Returns false with a message if the files cannot be created or opened.
  bool StartAppending(std::string* error);
  // CONFIG SET appendonly yes on an empty dataset: the files listed so far become history, and
  // a new empty base and a new incr file start the log.
  bool StartFresh(std::string* error);
  void Stop();
  bool appending() const { return fd_ >= 0; }

  void Append(std::string_view resp) override;

  uint64_t appended_offset() const { return appended_; }
  // Where replies may be released: fsynced bytes under appendfsync always, written bytes
  // (in the kernel, safe from a crash of this process) otherwise, as Redis acknowledges.
  uint64_t durable_offset() const;
  bool fsync_always() const;
  void WhenDurable(uint64_t offset, std::function<void()> callback);
  // Copies the writer's figures into engine.persistence() for INFO.
  void UpdateStatus();

 private:
  std::string PathOf(const std::string& name) const;
  bool PersistManifest(std::string* error);
  // Posts `task` to the loop, to run only if this log still exists then (CONFIG SET appendonly
  // no destroys it while a flush or a durability notice may still be queued).
  void PostIfAlive(void (AofLog::*task)());
  void ScheduleFlush();
  void Flush();
  // write()s what was handed over and pending_, on the loop; false if a write failed (the rest
  // stays pending).
  bool WritePending();
  // appendfsync always: moves pending_ to the fsync thread's batch (no syscall).
  void HandOver();
  bool WriteBytes(std::string* bytes);  // with write_mutex_ held
  void WriteHandedAndSync();            // on the fsync thread
  // appendfsync always: asks the fsync thread for the next group commit (at once when the
  // sessions released by the last one are all waiting again, else after a short gather window).
  void RequestSync();
  void HurrySync();
  bool Gathered() const;
  void SyncDone();  // on the loop, after a requested fsync
  void SyncLoop(bool ticks);
  void SyncUpTo(uint64_t written);
  void ReleaseDurable();
  bool OpenNextLoadFile(std::string* message);

  Engine& engine_;
  Post post_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
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
  uint64_t handed_total_ = 0;  // bytes written or handed to the fsync thread
  bool flush_scheduled_ = false;
  std::multimap<uint64_t, std::function<void()>> waiting_;
  int syncs_outstanding_ = 0;   // always: fsyncs requested or running
  size_t gather_target_ = 0;    // sessions waiting when the last fsync completed
  int64_t released_at_us_ = 0;  // when it completed

  // --- fsync thread ---
  std::vector<std::thread> syncers_;
  std::mutex sync_mutex_;  // guards the four fields below
  std::condition_variable sync_wake_;
  std::string handed_;  // always: appended, handed to the fsync thread, not yet written
  bool stopping_ = false;
  int sync_jobs_ = 0;  // requested fsyncs no thread has taken yet
  int64_t sync_not_before_us_ = 0;
  std::mutex write_mutex_;  // one writer at a time (the thread under always, else the loop)
  mutable std::atomic<int> fsync_policy_{1};  // 0 no, 1 everysec, 2 always
  std::atomic<uint64_t> written_{0};          // bytes of the incr file written this run
  std::atomic<uint64_t> synced_{0};           // of those, fdatasynced
  std::atomic<int> fsyncs_running_{0};
  std::atomic<int64_t> fsync_started_ms_{0};
  std::atomic<int64_t> last_fsync_us_{0};
  std::atomic<uint64_t> delayed_fsync_{0};
  std::atomic<bool> write_failed_{false};
  uint64_t base_size_ = 0;
  uint64_t size_at_start_ = 0;  // base + incr sizes when appending started
};

}  // namespace drayman
