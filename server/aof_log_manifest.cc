// AofLog's manifest and the file changes of rewrites (aof_log.h): ReadManifest, persisting
// manifests through the ManifestStore (temp file, fsync, rename, fsync the directory, newest
// generation wins), CONFIG SET appendonly yes waiting for its first rewrite, SwitchToNewIncr
// at a rewrite's start and InstallBase at its end (old base and incr files become history).
#include "server/aof_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "broker/engine.h"
#include "server/aof_log_util.h"

namespace drayman {

using aof_log_util::FileSize;
using aof_log_util::WriteAll;

namespace {

bool FsyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool AofLog::ReadManifest(std::string* error) {
  const Settings& settings = engine_.settings();
  dir_ = settings.dir + "/" + settings.appenddirname;
  manifest_ = aof::Manifest();
  const std::string manifest_path = PathOf(aof::ManifestFileName(settings.appendfilename));
  const int fd = ::open(manifest_path.c_str(), O_RDONLY);
  if (fd < 0) {
    if (errno != ENOENT) {
      *error = "Fatal error: can't open the AOF manifest file " + manifest_path +
               " for reading: " + std::strerror(errno);
      return false;
    }
    return true;  // no manifest: a fresh directory
  }
  std::string text;
  char buffer[4096];
  ssize_t count;
  while ((count = ::read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, count);
  ::close(fd);
  aof::ManifestError parse_error;
  if (!aof::ParseManifest(text, &manifest_, &parse_error)) {
    *error = "\n*** FATAL AOF MANIFEST FILE ERROR ***\n" + parse_error.Describe();
    return false;
  }
  return true;
}

bool ManifestStore::Persist(const std::string& text, uint64_t generation, std::string* error) {
  std::lock_guard<std::mutex> lock(mutex);
  if (generation <= persisted) return true;  // a newer manifest is already on disk
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || !WriteAll(fd, text) || ::fsync(fd) != 0) {
    *error = "Can't write the AOF manifest file " + temp_path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0 || !FsyncDirectory(dir)) {
    *error = "Can't persist the AOF manifest file " + final_path + ": " + std::strerror(errno);
    return false;
  }
  persisted = generation;
  return true;
}

ManifestStore& AofLog::Store() {
  if (!store_) {
    const Settings& settings = engine_.settings();
    store_ = std::make_shared<ManifestStore>();
    store_->dir = dir_;
    store_->temp_path = PathOf(aof::TempManifestFileName(settings.appendfilename));
    store_->final_path = PathOf(aof::ManifestFileName(settings.appendfilename));
  }
  return *store_;
}

bool AofLog::PersistManifest(std::string* error) {
  return Store().Persist(aof::FormatManifest(manifest_), ++manifest_generation_, error);
}

std::string AofLog::TempIncrName() const {
  return "temp-" + engine_.settings().appendfilename + ".incr";
}

bool AofLog::StartWaitingForRewrite(std::string* error) {
  if (!ReadManifest(error)) return false;
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't open or create append-only dir " + dir_ + ": " + std::strerror(errno);
    return false;
  }
  waiting_for_rewrite_ = true;
  engine_.persistence().aof_enabled = true;
  engine_.persistence().aof_wait_rewrite = true;
  return true;
}

std::string AofLog::NextBaseName(bool rdb) const {
  return aof::BaseFileName(engine_.settings().appendfilename, manifest_.base_seq + 1, rdb);
}

bool AofLog::SwitchToNewIncr(std::string* error) {
  const Settings& settings = engine_.settings();
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't open or create append-only dir " + dir_ + ": " + std::strerror(errno);
    return false;
  }
  aof::Manifest updated = manifest_;
  std::string name;
  if (waiting_for_rewrite_) {
    // Everything before this rewrite is in its base: a new temp file (a new inode, so bytes the
    // writer still owes an earlier temp file cannot land in this one).
    name = TempIncrName();
    ::unlink(PathOf(name).c_str());
  } else {
    name = updated.AddIncr(settings.appendfilename).name;
  }
  const int fd = ::open(PathOf(name).c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_APPEND, 0644);
  if (fd < 0) {
    *error = "Can't open the append-only file " + name + ": " + std::strerror(errno);
    return false;
  }
  std::string manifest_text;
  if (!waiting_for_rewrite_) {
    std::swap(manifest_, updated);
    manifest_text = aof::FormatManifest(manifest_);
  }
  LogLine(LogLevel::kNotice, "Creating AOF incr file " + name + " on background rewrite");
  if (fd_ < 0) {
    if (!manifest_text.empty() && !PersistManifest(error)) {
      std::swap(manifest_, updated);
      ::close(fd);
      return false;
    }
    size_at_start_ = 0;
    incr_offset_at_switch_ = written_base_ = written_.load();
    StartThreads(fd);
    return true;
  }
  // Bytes appended so far belong to the old file (all of them handed over, even those a failing
  // disk left unwritten): whoever writes switches once they are written, after a thread has
  // persisted the manifest that lists the new file (replies to later writes wait for both).
  HandOver();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const uint64_t generation = manifest_text.empty() ? 0 : ++manifest_generation_;
    switches_.push_back(PendingSwitch{.at = handed_total_,
                                      .fd = fd,
                                      .manifest = std::move(manifest_text),
                                      .generation = generation});
    incr_offset_at_switch_ = handed_total_;
  }
  if (fsync_policy_.load() == 2) {
    RequestSync();
  } else {
    RequestWrite();
  }
  fd_ = fd;
  // The new file is replayed from database 0: its first command must say which one (Redis sets
  // aof_selected_db to -1 here). A sink added again starts with no database selected.
  engine_.RemovePropagationSink(this);
  engine_.AddPropagationSink(this);
  return true;
}

bool AofLog::InstallBase(const std::string& base_name, std::string* error) {
  const Settings& settings = engine_.settings();
  aof::Manifest updated = manifest_;
  const aof::FileInfo base =
      updated.NewBase(settings.appendfilename, aof::IsRdbFileName(base_name));
  if (base.name != base_name) {
    *error = "the AOF manifest changed during the rewrite";
    return false;
  }
  // The incr files the base covers become history: all of them but the one being written now.
  std::vector<aof::FileInfo> rewritten;
  const size_t keep = fd_ >= 0 && !waiting_for_rewrite_ ? 1 : 0;
  while (updated.incr.size() > keep) {
    aof::FileInfo info = updated.incr.front();
    updated.incr.erase(updated.incr.begin());
    info.type = aof::FileType::kHistory;
    rewritten.push_back(info);
  }
  updated.history.insert(updated.history.begin(), rewritten.rbegin(), rewritten.rend());
  std::string renamed_incr;
  if (waiting_for_rewrite_ && fd_ >= 0) {
    // The temp incr file, written since this rewrite began, becomes the first real incr file.
    renamed_incr = updated.AddIncr(settings.appendfilename).name;
    const int64_t rename_started_ms = engine_.clock().NowMs();
    const int renamed = ::rename(PathOf(TempIncrName()).c_str(), PathOf(renamed_incr).c_str());
    const int rename_errno = errno;
    engine_.AddLatencySample("aof-rename", engine_.clock().NowMs() - rename_started_ms);
    if (renamed != 0) {
      *error = "Error trying to rename the temporary AOF incr file " + TempIncrName() + " into " +
               renamed_incr + ": " + std::strerror(rename_errno);
      return false;
    }
  }
  std::swap(manifest_, updated);
  // Persisted and cleaned up off the loop (fsyncs take tens of milliseconds on a busy disk), in
  // Redis's order: the manifest with the history files, then their deletion, then the manifest
  // without them. Until the first is on disk the old manifest stays valid: every file it lists
  // still exists, and the new incr file only holds commands that follow the old ones.
  const std::string with_history = aof::FormatManifest(manifest_);
  const uint64_t first_generation = ++manifest_generation_;
  std::vector<std::string> doomed;
  for (const aof::FileInfo& info : manifest_.history) {
    LogLine(LogLevel::kNotice, "Removing the history file " + info.name + " in the background");
    doomed.push_back(PathOf(info.name));
  }
  manifest_.history.clear();
  const std::string without_history = aof::FormatManifest(manifest_);
  const uint64_t second_generation = ++manifest_generation_;
  std::shared_ptr<ManifestStore> store = store_;
  if (!store) {
    Store();
    store = store_;
  }
  {
    std::lock_guard<std::mutex> lock(store->mutex);
    ++store->outstanding;
  }
  Post post = post_;
  std::weak_ptr<bool> alive = alive_;
  Engine* engine = &engine_;
  std::thread([=, doomed = std::move(doomed)] {
    std::string failure;
    if (store->Persist(with_history, first_generation, &failure)) {
      for (const std::string& path : doomed) ::unlink(path.c_str());
      store->Persist(without_history, second_generation, &failure);
    } else {
      post([alive, engine, failure] {
        if (!alive.lock()) return;
        engine->Log(LogLevel::kWarning, failure);
        engine->persistence().aof_last_bgrewrite_ok = false;
      });
    }
    std::lock_guard<std::mutex> lock(store->mutex);
    --store->outstanding;
    store->idle.notify_all();
  }).detach();
  waiting_for_rewrite_ = false;
  engine_.persistence().aof_wait_rewrite = false;
  // Redis's aof_rewrite_base_size: the base plus what the new incr file holds already.
  const uint64_t base_bytes = FileSize(PathOf(base_name));
  const uint64_t written = written_.load();
  incr_offset_at_switch_ = incr_offset_at_switch_ > written ? written : incr_offset_at_switch_;
  base_size_ = base_bytes + (written - incr_offset_at_switch_);
  size_at_start_ = base_bytes;
  written_base_ = incr_offset_at_switch_;
  UpdateStatus();
  return true;
}

}  // namespace drayman
