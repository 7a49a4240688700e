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

namespace drayman {

namespace {

constexpr size_t kLoadChunk = 1024 * 1024;
constexpr int64_t kSliceMicros = 10 * 1000;  // loading yields to the loop this often
// Group commit under appendfsync always waits for the released sessions at most about one
// fsync's duration (the last one measured), within these bounds.
constexpr int64_t kMinGatherMicros = 50;
constexpr int64_t kMaxGatherMicros = 2000;
// fdatasyncs that may run at once under always (pipelined group commit), and the threads that
// run them.
constexpr int kMaxSyncsInFlight = 2;
constexpr int kSyncThreads = kMaxSyncsInFlight;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t NowMillis() { return NowMicros() / 1000; }

uint64_t FileSize(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t count = ::write(fd, bytes.data(), bytes.size());
    if (count < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(count));
  }
  return true;
}

bool FsyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

int PolicyOf(const std::string& appendfsync) {
  if (appendfsync == "always") return 2;
  if (appendfsync == "no") return 0;
  return 1;
}

std::string Seconds(int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", static_cast<double>(micros) / 1e6);
  return text;
}

}  // namespace

AofLog::AofLog(Engine& engine, Post post) : engine_(engine), post_(std::move(post)) {}

AofLog::~AofLog() { Stop(); }

std::string AofLog::PathOf(const std::string& name) const { return dir_ + "/" + name; }

bool AofLog::fsync_always() const { return PolicyOf(engine_.settings().appendfsync) == 2; }

void AofLog::Open() {
  const Settings& settings = engine_.settings();
  dir_ = settings.dir + "/" + settings.appenddirname;
  const std::string manifest_path = PathOf(aof::ManifestFileName(settings.appendfilename));
  const int fd = ::open(manifest_path.c_str(), O_RDONLY);
  if (fd < 0) {
    if (errno != ENOENT) {
      throw std::runtime_error("Fatal error: can't open the AOF manifest file " + manifest_path +
                               " for reading: " + std::strerror(errno));
    }
    return;  // no manifest: nothing to load (a fresh directory)
  }
  std::string text;
  char buffer[4096];
  ssize_t count;
  while ((count = ::read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, count);
  ::close(fd);
  aof::ManifestError error;
  if (!aof::ParseManifest(text, &manifest_, &error)) {
    throw std::runtime_error("\n*** FATAL AOF MANIFEST FILE ERROR ***\n" + error.Describe());
  }
  if (manifest_.base) load_files_.push_back(*manifest_.base);
  load_files_.insert(load_files_.end(), manifest_.incr.begin(), manifest_.incr.end());
  uint64_t total = 0;
  for (const aof::FileInfo& info : load_files_) {
    struct stat file_info;
    if (::stat(PathOf(info.name).c_str(), &file_info) != 0) {
      throw std::runtime_error("The append log file " + info.name +
                               " doesn't exist: " + std::strerror(errno));
    }
    total += static_cast<uint64_t>(file_info.st_size);
  }
  if (load_files_.empty() || total == 0) {
    load_files_.clear();
    return;
  }
  PersistenceStatus& status = engine_.persistence();
  replayer_ = std::make_unique<AofReplayer>(engine_);
  status.loading = true;
  status.loading_client = &replayer_->client();
  status.loading_start_time_s = engine_.clock().NowMs() / 1000;
  status.loading_total_bytes = total;
  status.loading_loaded_bytes = 0;
  load_started_us_ = NowMicros();
}

bool AofLog::OpenNextLoadFile(std::string* message) {
  const aof::FileInfo& info = load_files_[load_index_];
  load_fd_ = ::open(PathOf(info.name).c_str(), O_RDONLY);
  if (load_fd_ < 0) {
    *message = "Fatal error: can't open the append log file " + info.name +
               " for reading: " + std::strerror(errno);
    return false;
  }
  load_eof_ = false;
  parser_ = std::make_unique<aof::AofRecordParser>();
  replayer_->StartFile();
  file_started_us_ = NowMicros();
  return true;
}

AofLog::LoadStep AofLog::LoadSlice(std::string* message) {
  if (!replayer_) return LoadStep::kDone;
  const Settings& settings = engine_.settings();
  PersistenceStatus& status = engine_.persistence();
  const int64_t deadline = NowMicros() + kSliceMicros;
  std::vector<std::string> args;
  auto fail = [&](std::string text) {
    *message = std::move(text);
    if (load_fd_ >= 0) ::close(load_fd_);
    load_fd_ = -1;
    return LoadStep::kFailed;
  };
  while (NowMicros() < deadline) {
    if (!parser_) {
      if (load_index_ >= load_files_.size()) {
        replayer_.reset();
        status.loading = false;
        status.loading_client = nullptr;
        *message += "DB loaded from append only file: " + Seconds(NowMicros() - load_started_us_) +
                    " seconds\n";
        return LoadStep::kDone;
      }
      if (!OpenNextLoadFile(message)) return fail(*message);
    }
    const aof::FileInfo& info = load_files_[load_index_];
    const aof::AofRecordParser::Result result = parser_->Next(&args);
    if (result == aof::AofRecordParser::Result::kCommand) {
      std::string error;
      if (!replayer_->Replay(args, parser_->offset(), &error)) {
        return fail(error + " " + info.name);
      }
      continue;
    }
    if (result == aof::AofRecordParser::Result::kDamaged) {
      return fail("Bad file format reading the append only file " + info.name + " at offset " +
                  std::to_string(parser_->error_offset()) + " (" + parser_->error() +
                  "): make a backup of your AOF file, then use ./redis-check-aof --fix "
                  "<filename.manifest>");
    }
    if (!load_eof_) {
      char chunk[64 * 1024];
      size_t read_now = 0;
      while (read_now < kLoadChunk) {
        const ssize_t count = ::read(load_fd_, chunk, sizeof(chunk));
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) {
          return fail("Unrecoverable error reading the append only file " + info.name + ": " +
                      std::strerror(errno));
        }
        if (count == 0) {
          load_eof_ = true;
          break;
        }
        if (parser_->offset() == 0 && parser_->buffered() == 0 && read_now == 0 && count >= 5 &&
            std::memcmp(chunk, "REDIS", 5) == 0) {
          return fail("The AOF file " + info.name +
                      " is in RDB format (written with aof-use-rdb-preamble yes); this build of "
                      "Drayman cannot load RDB files yet: rewrite it with redis-server's "
                      "aof-use-rdb-preamble no (BGREWRITEAOF) first");
        }
        parser_->Feed(std::string_view(chunk, static_cast<size_t>(count)));
        read_now += static_cast<size_t>(count);
        status.loading_loaded_bytes += static_cast<uint64_t>(count);
      }
      continue;
    }
    // End of this file.
    const bool last_file = load_index_ + 1 == load_files_.size();
    const char* kind = info.type == aof::FileType::kBase ? "base" : "incr";
    if (parser_->buffered() > 0 || replayer_->in_multi()) {
      if (parser_->buffered() == 0) {
        *message += "Revert incomplete MULTI/EXEC transaction in AOF file " + info.name + "\n";
      }
      const uint64_t valid = replayer_->valid_offset();
      replayer_->DiscardOpenTransaction();
      if (!settings.aof_load_truncated) {
        return fail("Unexpected end of file reading the append only file " + info.name +
                    ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof "
                    "--fix <filename.manifest>. 2) Alternatively you can set the "
                    "'aof-load-truncated' configuration option to yes and restart the server.");
      }
      if (!last_file) return fail("Fatal error: the truncated file is not the last file");
      *message += "!!! Warning: short read while loading the AOF file " + info.name + "!!!\n";
      *message +=
          "!!! Truncating the AOF " + info.name + " at offset " + std::to_string(valid) + " !!!\n";
      if (::truncate(PathOf(info.name).c_str(), static_cast<off_t>(valid)) != 0) {
        return fail("Error truncating the AOF file " + info.name + ": " + std::strerror(errno));
      }
      *message += "AOF " + info.name + " loaded anyway because aof-load-truncated is enabled\n";
    }
    *message += std::string("DB loaded from ") + kind + " file " + info.name + ": " +
                Seconds(NowMicros() - file_started_us_) + " seconds\n";
    ::close(load_fd_);
    load_fd_ = -1;
    parser_.reset();
    ++load_index_;
  }
  return LoadStep::kMore;
}

bool AofLog::PersistManifest(std::string* error) {
  const Settings& settings = engine_.settings();
  const std::string temporary = PathOf(aof::TempManifestFileName(settings.appendfilename));
  const std::string final_path = PathOf(aof::ManifestFileName(settings.appendfilename));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || !WriteAll(fd, aof::FormatManifest(manifest_)) || ::fsync(fd) != 0) {
    *error = "Can't write the AOF manifest file " + temporary + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), final_path.c_str()) != 0 || !FsyncDirectory(dir_)) {
    *error = "Can't persist the AOF manifest file " + final_path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool AofLog::StartAppending(std::string* error) {
  if (fd_ >= 0) return true;
  const Settings& settings = engine_.settings();
  dir_ = settings.dir + "/" + settings.appenddirname;
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't open or create append-only dir " + dir_ + ": " + std::strerror(errno);
    return false;
  }
  std::string notes;
  if (manifest_.empty()) {
    // A fresh log starts from a base holding the dataset, which is empty here: nothing was
    // loaded. Drayman writes AOF-format bases (it has no RDB writer yet), whatever
    // aof-use-rdb-preamble says.
    if (engine_.keyspace().TotalKeys() != 0) {
      *error = "refusing to create an empty AOF base over a non-empty dataset";
      return false;
    }
    const aof::FileInfo& base = manifest_.NewBase(settings.appendfilename, /*rdb=*/false);
    const int base_fd = ::open(PathOf(base.name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (base_fd < 0 || ::fsync(base_fd) != 0) {
      *error = "Can't create the AOF base file " + base.name + ": " + std::strerror(errno);
      if (base_fd >= 0) ::close(base_fd);
      return false;
    }
    ::close(base_fd);
    std::printf("Creating AOF base file %s on server start\n", base.name.c_str());
  }
  const bool had_incr = !manifest_.incr.empty();
  if (!had_incr) manifest_.AddIncr(settings.appendfilename);
  const std::string incr_name = manifest_.incr.back().name;
  fd_ = ::open(PathOf(incr_name).c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd_ < 0) {
    *error = "Can't open the append-only file " + incr_name + ": " + std::strerror(errno);
    return false;
  }
  if (!PersistManifest(error)) {
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  std::printf("%s AOF incr file %s on server start\n", had_incr ? "Opening" : "Creating",
              incr_name.c_str());
  std::fflush(stdout);
  base_size_ = manifest_.base ? FileSize(PathOf(manifest_.base->name)) : 0;
  size_at_start_ = base_size_;
  for (const aof::FileInfo& info : manifest_.incr) size_at_start_ += FileSize(PathOf(info.name));
  fsync_policy_ = PolicyOf(settings.appendfsync);
  stopping_ = false;
  for (int i = 0; i < kSyncThreads; ++i) {
    syncers_.emplace_back([this, i] { SyncLoop(/*ticks=*/i == 0); });
  }
  engine_.AddPropagationSink(this);
  engine_.persistence().aof_enabled = true;
  UpdateStatus();
  return true;
}

bool AofLog::StartFresh(std::string* error) {
  try {
    Open();
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
  if (replayer_) {  // Open prepared a load; the log is being replaced instead
    replayer_.reset();
    engine_.persistence().loading = false;
    engine_.persistence().loading_client = nullptr;
  }
  load_files_.clear();
  if (!manifest_.empty()) {
    for (aof::FileInfo info : manifest_.incr) {
      info.type = aof::FileType::kHistory;
      manifest_.history.push_back(info);
    }
    manifest_.incr.clear();
    const aof::FileInfo& base = manifest_.NewBase(engine_.settings().appendfilename, /*rdb=*/false);
    const int base_fd = ::open(PathOf(base.name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (base_fd < 0 || ::fsync(base_fd) != 0) {
      *error = "Can't create the AOF base file " + base.name + ": " + std::strerror(errno);
      if (base_fd >= 0) ::close(base_fd);
      return false;
    }
    ::close(base_fd);
  }
  return StartAppending(error);
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
  std::lock_guard<std::mutex> lock(sync_mutex_);
  handed_.append(pending_);
  pending_.clear();
}

bool AofLog::WriteBytes(std::string* bytes) {
  // Callers hold write_mutex_, so the file gets the bytes in appended order.
  if (fsyncs_running_.load() > 0 && NowMillis() - fsync_started_ms_.load() >= 2000)
    ++delayed_fsync_;
  size_t done = 0;
  int error = 0;
  while (done < bytes->size()) {
    const ssize_t count = ::write(fd_, bytes->data() + done, bytes->size() - done);
    if (count < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    done += static_cast<size_t>(count);
  }
  bytes->erase(0, done);  // what was written stays written; the rest is retried, in order
  written_.fetch_add(done, std::memory_order_release);
  if (error == 0) {
    write_failed_ = false;
    return true;
  }
  write_failed_ = true;
  if (fsync_policy_.load() == 2) {
    // Redis exits here too: with always, a write it cannot make durable must not be
    // acknowledged, and the loop cannot take it back.
    std::fprintf(stderr,
                 "Can't recover from AOF write error when the AOF fsync policy is 'always': %s. "
                 "Exiting...\n",
                 std::strerror(error));
    std::_Exit(1);
  }
  return false;  // the fsync thread's once-a-second tick posts a retry, as Redis retries
}

bool AofLog::WritePending() {
  if (fd_ < 0) return true;
  // On the loop, as Redis writes under everysec and no: one write() of a pass's bytes costs
  // microseconds (the page cache), and the replies are released right after it, without waking
  // another thread. Bytes handed to the fsync thread under always go first.
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  std::string handed;
  {
    std::lock_guard<std::mutex> lock(sync_mutex_);
    handed.swap(handed_);
  }
  if (handed.empty() && pending_.empty()) return true;
  handed_total_ += pending_.size();
  handed.append(pending_);
  pending_.clear();
  const bool ok = WriteBytes(&handed);
  if (!ok) pending_.swap(handed);  // not written: retried first next time
  handed_total_ -= pending_.size();
  return ok;
}

bool AofLog::Gathered() const { return waiting_.size() >= gather_target_; }

void AofLog::RequestSync() {
  if (fd_ < 0 || handed_total_ <= synced_.load()) return;
  {
    std::lock_guard<std::mutex> lock(sync_mutex_);
    if (sync_jobs_ > 0) {
      // A requested fsync has not started yet: it takes every byte handed over until then.
      if (Gathered() && sync_not_before_us_ != 0) {
        sync_not_before_us_ = 0;
        sync_wake_.notify_one();
      }
      return;
    }
  }
  if (syncs_outstanding_ >= kMaxSyncsInFlight) return;  // SyncDone asks again
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
    std::lock_guard<std::mutex> lock(sync_mutex_);
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
  --syncs_outstanding_;
  gather_target_ = waiting_.size();
  released_at_us_ = NowMicros();
  ReleaseDurable();
  if (fsync_policy_.load() == 2) RequestSync();  // bytes handed over while that fsync ran
}

void AofLog::WriteHandedAndSync() {
  // On an fsync thread: the batch the loop handed over, written, then fdatasynced (possibly
  // while the other thread's fdatasync still runs).
  {
    std::lock_guard<std::mutex> write_lock(write_mutex_);
    std::string batch;
    {
      std::lock_guard<std::mutex> lock(sync_mutex_);
      batch.swap(handed_);
    }
    if (!batch.empty() && !WriteBytes(&batch)) {
      std::lock_guard<std::mutex> lock(sync_mutex_);
      handed_.insert(0, batch);  // the loop's next write (or the tick's retry) goes first
    }
  }
  SyncUpTo(written_.load(std::memory_order_acquire));
}

void AofLog::SyncLoop(bool ticks) {
  // The fsync threads: under always they take requested fsyncs (group commits); one of them
  // also fdatasyncs once a second under everysec (a slow fdatasync delays neither the loop nor
  // the replies, which wait only for write()).
  std::unique_lock<std::mutex> lock(sync_mutex_);
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
  const int64_t started = NowMicros();
  fsync_started_ms_ = started / 1000;
  ++fsyncs_running_;
  ::fdatasync(fd_);
  --fsyncs_running_;
  last_fsync_us_ = NowMicros() - started;
  // fdatasync covers every byte written before it began; a later one may end first.
  uint64_t synced = synced_.load();
  while (synced < written &&
         !synced_.compare_exchange_weak(synced, written, std::memory_order_release)) {
  }
}

uint64_t AofLog::durable_offset() const {
  const int policy = PolicyOf(engine_.settings().appendfsync);
  fsync_policy_ = policy;  // CONFIG SET appendfsync reaches the thread from here and Flush
  return policy == 2 ? synced_.load(std::memory_order_acquire)
                     : written_.load(std::memory_order_acquire);
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
  status.aof_current_size = size_at_start_ + written_.load();
  status.aof_buffer_length = pending_.size() + (handed_total_ - written_.load());
  status.aof_pending_bio_fsync = fsyncs_running_.load();
  status.aof_delayed_fsync = delayed_fsync_.load();
  status.aof_last_write_ok = !write_failed_;
}

void AofLog::Stop() {
  if (replayer_) {
    replayer_.reset();
    engine_.persistence().loading = false;
    engine_.persistence().loading_client = nullptr;
  }
  if (load_fd_ >= 0) ::close(load_fd_);
  load_fd_ = -1;
  if (fd_ < 0) return;
  engine_.RemovePropagationSink(this);
  WritePending();
  {
    std::lock_guard<std::mutex> lock(sync_mutex_);
    stopping_ = true;
  }
  sync_wake_.notify_all();
  for (std::thread& syncer : syncers_) syncer.join();
  syncers_.clear();
  SyncUpTo(written_.load());  // whatever the policy, a clean stop leaves the log on disk
  ::close(fd_);
  fd_ = -1;
  engine_.persistence().aof_enabled = false;
  // Everything appended is written and fsynced (or the log is being turned off): no reply
  // waits any more.
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [offset, callback] : waiting) callback();
  UpdateStatus();
}

}  // namespace drayman
