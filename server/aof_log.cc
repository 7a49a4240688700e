// AofLog (aof_log.h), its lifecycle and appending: StartAppending (the first base and incr
// files), Append, the per-pass flush, the writer and the fsync threads with their group commit
// under appendfsync always, WhenDurable, INFO's figures and Stop. Loading is in
// aof_log_load.cc; the manifest and the file switches of rewrites in aof_log_manifest.cc.
#include "server/aof_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "broker/engine.h"
#include "broker/persistence/aof_replay.h"
#include "broker/persistence/rdb_decode.h"
#include "broker/persistence/rdb_encode.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"
#include "broker/stats/process_stats.h"
#include "server/aof_log_util.h"

namespace drayman {

using aof_log_util::FileSize;
using aof_log_util::NowMicros;
using aof_log_util::WriteAll;
using aof_log_util::WriteSome;

namespace {

// Group commit under appendfsync always waits for the released sessions at most about one
// fsync's duration (the last one measured), within these bounds.
constexpr int64_t kMinGatherMicros = 50;
constexpr int64_t kMaxGatherMicros = 2000;
// fdatasyncs that may run at once under always (pipelined group commit), and the threads that
// run them.
constexpr int kMaxSyncsInFlight = 2;
constexpr int kSyncThreads = kMaxSyncsInFlight;
// A second fdatasync overlaps the first only when the device is slow. On a fast one (an fsync
// of a few hundred microseconds) the loop is the bottleneck, and overlapping halves the batches:
// measured on a 0.2 ms disk, 8 writes per fdatasync and 15.1 us of CPU per LPUSH with two in
// flight against about 50 writes and 12.6 us with one (redis-server: 12.1 us).
constexpr int64_t kOverlapFsyncMicros = 1000;

int64_t NowMillis() { return NowMicros() / 1000; }

int64_t NowSeconds() { return static_cast<int64_t>(::time(nullptr)); }

int PolicyOf(const std::string& appendfsync) {
  if (appendfsync == "always") return 2;
  if (appendfsync == "no") return 0;
  return 1;
}

}  // namespace

AofLog::AofLog(Engine& engine, Post post) : engine_(engine), post_(std::move(post)) {}

AofLog::~AofLog() { Stop(); }

std::string AofLog::PathOf(const std::string& name) const { return dir_ + "/" + name; }

bool AofLog::fsync_always() const { return PolicyOf(engine_.settings().appendfsync) == 2; }

bool AofLog::StartAppending(std::string* error) {
  if (fd_ >= 0) return true;
  const Settings& settings = engine_.settings();
  dir_ = settings.dir + "/" + settings.appenddirname;
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't open or create append-only dir " + dir_ + ": " + std::strerror(errno);
    return false;
  }
  if (manifest_.empty()) {
    // As Redis on a start with nothing to load: a base holding the (empty) dataset first.
    if (engine_.keyspace().TotalKeys() != 0) {
      *error = "refusing to create an empty AOF base over a non-empty dataset";
      return false;
    }
    const aof::FileInfo& base =
        manifest_.NewBase(settings.appendfilename, settings.aof_use_rdb_preamble);
    std::string contents;
    if (settings.aof_use_rdb_preamble) {
      rdb::RdbWriter writer(
          {.compress = settings.rdbcompression, .checksum = settings.rdbchecksum});
      rdb::RdbAuxFields aux;
      aux.redis_ver = std::string(kRedisCompatVersion);
      aux.ctime_s = engine_.clock().NowMs() / 1000;
      aux.used_mem = UsedMemoryBytes();
      aux.aof_base = true;
      writer.WriteHeader(aux);
      writer.Finish();
      writer.TakeOutput(&contents);
    }
    const int base_fd = ::open(PathOf(base.name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (base_fd < 0 || !WriteAll(base_fd, contents) || ::fsync(base_fd) != 0) {
      *error = "Can't create the AOF base file " + base.name + ": " + std::strerror(errno);
      if (base_fd >= 0) ::close(base_fd);
      return false;
    }
    ::close(base_fd);
    LogLine(LogLevel::kNotice, "Creating AOF base file " + base.name + " on server start");
  }
  const bool had_incr = !manifest_.incr.empty();
  if (!had_incr) manifest_.AddIncr(settings.appendfilename);
  const std::string incr_name = manifest_.incr.back().name;
  const int fd = ::open(PathOf(incr_name).c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) {
    *error = "Can't open the append-only file " + incr_name + ": " + std::strerror(errno);
    return false;
  }
  if (!PersistManifest(error)) {
    ::close(fd);
    return false;
  }
  LogLine(LogLevel::kNotice, std::string(had_incr ? "Opening" : "Creating") + " AOF incr file " +
                                 incr_name + " on server start");
  base_size_ = manifest_.base ? FileSize(PathOf(manifest_.base->name)) : 0;
  size_at_start_ = base_size_;
  for (const aof::FileInfo& info : manifest_.incr) size_at_start_ += FileSize(PathOf(info.name));
  StartThreads(fd);
  return true;
}

void AofLog::StartThreads(int fd) {
  Store();  // before the writer may use it
  fd_ = fd;
  writer_fd_ = fd;
  fsync_policy_ = PolicyOf(engine_.settings().appendfsync);
  stopping_ = false;
  for (int i = 0; i < kSyncThreads; ++i) {
    syncers_.emplace_back([this, i] { SyncLoop(/*ticks=*/i == 0); });
  }
  engine_.AddPropagationSink(this);
  engine_.persistence().aof_enabled = true;
  UpdateStatus();
}

void AofLog::Append(std::string_view resp) {
  const size_t before = pending_.size();
  if (engine_.settings().aof_timestamp_enabled) {
    // Redis annotates at most once a second; an annotation per batch reads back the same.
    pending_ += "#TS:" + std::to_string(engine_.clock().NowMs() / 1000) + "\r\n";
  }
  pending_.append(resp);
  appended_ += pending_.size() - before;
  ScheduleFlush();
}

void AofLog::PostIfAlive(void (AofLog::*task)()) {
  std::weak_ptr<bool> alive = alive_;
  post_([this, alive, task] {
    if (alive.lock()) (this->*task)();
  });
}

void AofLog::ScheduleFlush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // After the handlers already queued: every command of this loop pass shares one write (and,
  // with appendfsync always, one fsync).
  PostIfAlive(&AofLog::Flush);
}

void AofLog::Flush() {
  flush_scheduled_ = false;
  fsync_policy_ = PolicyOf(engine_.settings().appendfsync);
  if (fsync_policy_.load() == 2) {
    // The fsync thread write()s and fdatasyncs the gathered bytes in one go: no syscall here.
    HandOver();
    RequestSync();
  } else {
    WritePending();
    ReleaseDurable();  // written is durable enough under everysec and no: no thread hop
  }
}

void AofLog::HandOver() {
  if (pending_.empty()) return;
  handed_total_ += pending_.size();
  std::lock_guard<std::mutex> lock(mutex_);
  if (handed_.empty()) {
    handed_.swap(pending_);
  } else {
    handed_.append(pending_);
  }
  pending_.clear();
}

bool AofLog::WritePending() {
  if (fd_ < 0) return true;
  HandOver();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (handed_.empty()) return true;
    // A rewrite's switch is due: its manifest must be on disk before the new file's first byte,
    // and that fsync does not belong on the loop. A thread writes until the switch is done.
    if (!switches_.empty()) {
      ++write_jobs_;
      sync_wake_.notify_one();
      return false;
    }
  }
  // On the loop, as Redis writes under everysec and no: one write() of a pass's bytes costs
  // microseconds (the page cache), and the replies are released right after it, without waking
  // another thread. Only the loop adds switches, so none can appear before this write.
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  // Redis's aof-write latency events: this write() stalls the loop as flushAppendOnlyFile's does,
  // classed by what else is hitting the disk (an fsync, or a background save or rewrite where
  // Redis has a child).
  const bool monitor = engine_.settings().latency_monitor_threshold > 0;
  const int64_t started_ms = monitor ? engine_.clock().NowMs() : 0;
  const bool done = WriteHanded(/*on_loop=*/true) == WriteResult::kDone;
  if (monitor) {
    const int64_t took_ms = engine_.clock().NowMs() - started_ms;
    const char* event = fsyncs_running_.load() > 0 ? "aof-write-pending-fsync"
                        : engine_.background_save() != nullptr || engine_.aof_rewrite() != nullptr
                            ? "aof-write-active-child"
                            : "aof-write-alone";
    engine_.AddLatencySample(event, took_ms);
    engine_.AddLatencySample("aof-write", took_ms);
  }
  return done;
}

void AofLog::RequestWrite() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++write_jobs_;
  sync_wake_.notify_one();
}

AofLog::WriteResult AofLog::WriteHanded(bool on_loop) {
  std::string batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(handed_);
    if (fsyncs_running_.load() > 0 && NowMillis() - fsync_started_ms_.load() >= 2000) {
      ++delayed_fsync_;
    }
  }
  size_t done = 0;
  WriteResult result = WriteResult::kDone;
  while (done < batch.size()) {
    int fd = -1;
    size_t take = batch.size() - done;
    std::string manifest;
    uint64_t generation = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // A rewrite's file switch: bytes handed before it go to the old file, the rest to the new,
      // once the manifest that lists the new file is on disk.
      const uint64_t at = written_.load();
      while (!switches_.empty() && switches_.front().at <= at) {
        if (!switches_.front().manifest.empty()) {
          manifest = switches_.front().manifest;
          generation = switches_.front().generation;
          break;
        }
        retired_fds_.push_back(writer_fd_);
        writer_fd_ = switches_.front().fd;
        switches_.pop_front();
      }
      if (manifest.empty() && !switches_.empty()) {
        take = std::min<uint64_t>(take, switches_.front().at - at);
      }
      fd = writer_fd_;
    }
    if (!manifest.empty()) {
      if (on_loop) {
        result = WriteResult::kNeedsThread;
        break;
      }
      std::string error;
      if (!store_->Persist(manifest, generation, &error)) {
        // Like a failed write: MISCONF until it works, retried a second later.
        last_errno_ = errno;
        LogLine(LogLevel::kWarning, error);
        write_failed_ = true;
        result = WriteResult::kFailed;
        break;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      switches_.front().manifest.clear();  // only the writer pops; the loop pushes behind
      continue;
    }
    const size_t count = WriteSome(fd, std::string_view(batch).substr(done, take));
    done += count;
    written_.fetch_add(count, std::memory_order_release);
    if (count < take) {
      const int write_errno = count > 0 && errno == 0 ? ENOSPC : errno;
      if (fsync_policy_.load() == 2) {
        // Redis exits here too: with always, a write it cannot make durable must not be
        // acknowledged, and the loop cannot take it back.
        // Logged from this thread: the process ends before the loop could write it.
        engine_.Log(LogLevel::kWarning,
                    std::string("Can't recover from AOF write error when the AOF fsync policy is "
                                "'always': ") +
                        std::strerror(write_errno) + ". Exiting...");
        std::_Exit(1);
      }
      if (NowSeconds() - last_error_log_s_ > 30) {  // Redis's AOF_WRITE_LOG_ERROR_RATE
        last_error_log_s_ = NowSeconds();
        LogLine(LogLevel::kWarning,
                std::string("Error writing to the AOF file: ") + std::strerror(write_errno));
      }
      // What was written stays (the file goes on from there); the rest is retried a second
      // later (the tick posts a Flush), as Redis retries from its cron, while writes are
      // refused (MISCONF).
      last_errno_ = write_errno;
      write_failed_ = true;
      result = WriteResult::kFailed;
      break;
    }
  }
  if (done > 0) sync_stats_.RecordWrite(done);
  if (result == WriteResult::kDone && write_failed_.exchange(false)) {
    LogLine(LogLevel::kWarning, "AOF write error looks solved, Redis can write again.");
  }
  if (done < batch.size()) {
    std::lock_guard<std::mutex> lock(mutex_);
    handed_.insert(0, batch, done, std::string::npos);  // goes first next time, in order
  }
  return result;
}

bool AofLog::Gathered() const { return waiting_.size() >= gather_target_; }

void AofLog::RequestSync() {
  if (fd_ < 0 || handed_total_ <= synced_.load()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (sync_jobs_ > 0) {
      // A requested fsync has not started yet: it takes every byte handed over until then.
      if (Gathered() && sync_not_before_us_ != 0) {
        sync_not_before_us_ = 0;
        sync_wake_.notify_one();
      }
      return;
    }
  }
  const int max_in_flight = last_fsync_us_.load() >= kOverlapFsyncMicros ? kMaxSyncsInFlight : 1;
  if (syncs_outstanding_ >= max_in_flight) return;  // SyncDone asks again
  // Pipelined group commit: a new fdatasync may start while the previous one still runs (the
  // kernel and the device overlap them), so commands read meanwhile need not wait for that one
  // to finish first. Each one gathers: the sessions the last fsync released are likely to send
  // their next write within a moment, so it starts once as many sessions wait on the log as
  // waited at that release, or after at most about one fsync's duration. The loop never waits.
  ++syncs_outstanding_;
  const int64_t window =
      std::clamp<int64_t>(last_fsync_us_.load(), kMinGatherMicros, kMaxGatherMicros);
  const int64_t not_before = Gathered() ? 0 : released_at_us_ + window;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++sync_jobs_;
    sync_not_before_us_ = not_before;
  }
  sync_wake_.notify_one();
}

void AofLog::HurrySync() {
  // The held sessions' bytes must be handed over before the fsync thread takes its batch.
  HandOver();
  RequestSync();
}

void AofLog::SyncDone() {
  // Redis's aof-fsync-always: under always the replies waited for this fdatasync (on a thread
  // here, on the loop in Redis), so its duration is the latency clients saw.
  if (fsync_policy_.load() == 2) {
    engine_.AddLatencySample("aof-fsync-always", last_fsync_us_.load() / 1000);
  }
  --syncs_outstanding_;
  gather_target_ = waiting_.size();
  released_at_us_ = NowMicros();
  ReleaseDurable();
  if (fsync_policy_.load() == 2) RequestSync();  // bytes handed over while that fsync ran
}

void AofLog::WriteHandedAndSync() {
  // On an fsync thread: the batch the loop handed over, written, then fdatasynced (possibly
  // while the other thread's fdatasync still runs). A batch that could not be written stays
  // handed over: the tick's retry (or the next request) writes it first.
  {
    std::lock_guard<std::mutex> write_lock(write_mutex_);
    WriteHanded(/*on_loop=*/false);
  }
  SyncUpTo(written_.load(std::memory_order_acquire));
}

void AofLog::SyncLoop(bool ticks) {
  // The fsync threads: under always they take requested fsyncs (group commits); under everysec
  // and no they write when the loop may not (a rewrite's manifest is due first). One of them
  // also fdatasyncs once a second under everysec (a slow fdatasync delays neither the loop nor
  // the replies, which wait only for write()).
  std::unique_lock<std::mutex> lock(mutex_);
  int64_t next_tick_us = NowMicros() + 1000 * 1000;
  while (!stopping_) {
    const int64_t now = NowMicros();
    if (sync_jobs_ > 0 && now >= sync_not_before_us_) {
      --sync_jobs_;
      lock.unlock();
      WriteHandedAndSync();
      PostIfAlive(&AofLog::SyncDone);
      lock.lock();
      continue;
    }
    if (write_jobs_ > 0) {
      write_jobs_ = 0;  // one write takes everything handed over so far
      lock.unlock();
      {
        std::lock_guard<std::mutex> write_lock(write_mutex_);
        WriteHanded(/*on_loop=*/false);
      }
      PostIfAlive(&AofLog::ReleaseDurable);
      lock.lock();
      continue;
    }
    if (ticks && now >= next_tick_us) {
      next_tick_us = now + 1000 * 1000;
      const uint64_t written = written_.load(std::memory_order_acquire);
      // Also under always: bytes written under everysec before CONFIG SET appendfsync always
      // get their fsync here even if no new write comes to carry it.
      if (fsync_policy_.load() != 0 && synced_.load() < written) {
        lock.unlock();
        SyncUpTo(written);
        PostIfAlive(&AofLog::ReleaseDurable);
        lock.lock();
      }
      if (write_failed_.load()) PostIfAlive(&AofLog::Flush);
      continue;
    }
    int64_t until = ticks ? next_tick_us : now + 1000 * 1000;
    if (sync_jobs_ > 0) until = std::min(until, sync_not_before_us_);
    sync_wake_.wait_for(lock, std::chrono::microseconds(until - now));
  }
}

void AofLog::SyncUpTo(uint64_t written) {
  if (synced_.load() >= written) return;
  int failed_errno = 0;
  int fd = -1;
  {
    // Files a rewrite switched away from first: their bytes come before the current file's.
    // Held to the end, so a concurrent fsync of the current file waits for them before it can
    // claim their bytes are durable.
    std::lock_guard<std::mutex> retired_lock(retired_sync_mutex_);
    std::vector<int> retired;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      retired.swap(retired_fds_);
      // A descriptor of our own: a switch may retire (and another fsync close) writer_fd_
      // while this fdatasync runs.
      fd = ::dup(writer_fd_);
    }
    if (fd < 0) failed_errno = errno;
    for (int old_fd : retired) {
      if (::fdatasync(old_fd) != 0) failed_errno = errno;
      ::close(old_fd);
    }
  }
  const int64_t started = NowMicros();
  fsync_started_ms_ = started / 1000;
  ++fsyncs_running_;
  if (fd >= 0) {
    if (::fdatasync(fd) != 0) failed_errno = errno;
    ::close(fd);
  }
  --fsyncs_running_;
  const int64_t took = NowMicros() - started;
  if (failed_errno != 0) {
    if (fsync_policy_.load() == 2) {
      // Logged from this thread: the process ends before the loop could write it.
      engine_.Log(LogLevel::kWarning,
                  std::string("Can't persist AOF for fsync error when the AOF fsync policy is "
                              "'always': ") +
                      std::strerror(failed_errno) + ". Exiting...");
      std::_Exit(1);
    }
    // Redis's aof_bio_fsync_status: writes are refused until an fsync succeeds again.
    last_errno_ = failed_errno;
    fsync_failed_ = true;
    return;
  }
  fsync_failed_ = false;
  last_fsync_us_ = took;
  // fdatasync covers every byte written before it began; a later one may end first.
  uint64_t synced = synced_.load();
  while (synced < written &&
         !synced_.compare_exchange_weak(synced, written, std::memory_order_release)) {
  }
  sync_stats_.RecordFsync(took, synced < written ? written - synced : 0);
}

uint64_t AofLog::durable_offset() const {
  const int policy = PolicyOf(engine_.settings().appendfsync);
  fsync_policy_ = policy;  // CONFIG SET appendfsync reaches the threads from here and Flush
  if (policy == 2) return synced_.load(std::memory_order_acquire);
  // everysec / no with a failing disk: Redis still sends the replies (and refuses the next
  // writes with MISCONF), so nothing waits for the retry.
  if (write_failed_.load()) return appended_;
  return written_.load(std::memory_order_acquire);
}

void AofLog::WhenDurable(uint64_t offset, std::function<void()> callback) {
  if (durable_offset() < offset && fsync_policy_.load() != 2) {
    // everysec and no: write now rather than at the end of the pass, so this reply leaves at
    // once, as it would without the log (the client works on it while the loop goes on). A
    // write() of what is pending costs a few microseconds; the pass's last one is often empty.
    WritePending();
  }
  if (durable_offset() >= offset) {
    callback();
    return;
  }
  waiting_.emplace(offset, std::move(callback));
  // The last of the gathered sessions is back: no reason to wait any longer.
  if (syncs_outstanding_ > 0 && Gathered()) HurrySync();
}

void AofLog::ReleaseDurable() {
  const uint64_t durable = durable_offset();
  while (!waiting_.empty() && waiting_.begin()->first <= durable) {
    auto callback = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    callback();
  }
  UpdateStatus();
}

void AofLog::UpdateStatus() {
  PersistenceStatus& status = engine_.persistence();
  status.aof_base_size = base_size_;
  status.aof_current_size = size_at_start_ + written_.load() - written_base_;
  status.aof_buffer_length = pending_.size() + (handed_total_ - written_.load());
  status.aof_pending_bio_fsync = fsyncs_running_.load();
  status.aof_delayed_fsync = delayed_fsync_.load();
  const bool failed = write_failed_.load() || fsync_failed_.load();
  status.aof_last_write_ok = !failed;
  if (failed) status.aof_last_write_errno = last_errno_.load();
}

void AofLog::Stop() {
  if (replayer_) {
    replayer_.reset();
    engine_.persistence().loading = false;
    engine_.persistence().loading_client = nullptr;
  }
  if (load_fd_ >= 0) ::close(load_fd_);
  load_fd_ = -1;
  if (store_) {  // a rewrite's manifest job still writing: let it finish (it is short)
    std::unique_lock<std::mutex> lock(store_->mutex);
    store_->idle.wait(lock, [this] { return store_->outstanding == 0; });
  }
  if (waiting_for_rewrite_ && fd_ < 0) {
    waiting_for_rewrite_ = false;
    engine_.persistence().aof_enabled = false;
    engine_.persistence().aof_wait_rewrite = false;
  }
  if (fd_ < 0) return;
  engine_.RemovePropagationSink(this);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  sync_wake_.notify_all();
  for (std::thread& syncer : syncers_) syncer.join();
  syncers_.clear();
  // What is left, written here (the threads are gone): a switch's manifest too, if one is due.
  HandOver();
  {
    std::lock_guard<std::mutex> write_lock(write_mutex_);
    WriteHanded(/*on_loop=*/false);
  }
  {
    // Switches no write reached (nothing was written after them).
    std::lock_guard<std::mutex> lock(mutex_);
    for (const PendingSwitch& pending : switches_) {
      retired_fds_.push_back(writer_fd_);
      writer_fd_ = pending.fd;
    }
    switches_.clear();
  }
  if (synced_.load() < written_.load()) {
    SyncUpTo(written_.load());  // whatever the policy, a clean stop leaves the log on disk
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : retired_fds_) ::close(fd);
    retired_fds_.clear();
    ::close(writer_fd_);
    writer_fd_ = -1;
  }
  fd_ = -1;
  if (waiting_for_rewrite_) ::unlink(PathOf(TempIncrName()).c_str());
  waiting_for_rewrite_ = false;
  engine_.persistence().aof_enabled = false;
  engine_.persistence().aof_wait_rewrite = false;
  // Everything appended is written and fsynced (or the log is being turned off): no reply
  // waits any more.
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [offset, callback] : waiting) callback();
  UpdateStatus();
}

void AofLog::LogLine(LogLevel level, std::string message) {
  if (std::this_thread::get_id() == loop_thread_) {
    engine_.Log(level, message);
    return;
  }
  std::weak_ptr<bool> alive = alive_;
  Engine* engine = &engine_;
  post_([alive, engine, level, message = std::move(message)] {
    if (alive.lock()) engine->Log(level, message);
  });
}

}  // namespace drayman
