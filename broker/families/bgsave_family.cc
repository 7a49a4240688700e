// BGSAVE and the engine's side of background saving: starting, stepping and settling a
// BackgroundSave (broker/persistence/background_save.h), and the MISCONF rule.
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/background_save.h"
#include "broker/persistence/rdb_file.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"
#include "broker/stats/process_stats.h"

namespace drayman {
namespace {

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// For hosts without a background writer: writes each chunk through the host's RdbFileSystem as
// it is produced, on the engine's thread.
class SynchronousFileSink : public AsyncFileSink {
 public:
  explicit SynchronousFileSink(std::unique_ptr<rdb::FileSink> sink) : sink_(std::move(sink)) {}
  void Append(rdb::RdbChunk chunk) override {
    if (finished_) return;
    finisher_.Finish(chunk, &bytes_);
    if (!sink_->Write(bytes_, &error_)) finished_ = true;
  }
  uint64_t queued_bytes() const override { return 0; }
  void Commit() override {
    if (finished_) return;
    sink_->Commit(&error_);
    finished_ = true;
  }
  bool Finished(std::string* error) override {
    *error = error_;
    return finished_;
  }

 private:
  std::unique_ptr<rdb::FileSink> sink_;
  rdb::ChunkFinisher finisher_;
  std::string bytes_;
  std::string error_;
  bool finished_ = false;
};

// BGSAVE [SCHEDULE]
void CmdBgsave(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "schedule"))) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (ctx.engine.background_save() != nullptr) {
    ctx.reply.Error(errors::kBgsaveInProgress);
    return;
  }
  if (ctx.engine.aof_rewrite() != nullptr && ctx.args.size() == 1 && !ctx.client.in_exec) {
    ctx.reply.Error(errors::kAnotherChildActive);
    return;
  }
  if (ctx.client.in_exec || ctx.engine.aof_rewrite() != nullptr) {
    ctx.engine.background_save_scheduled = true;
    ctx.reply.SimpleString("Background saving scheduled");
    return;
  }
  std::string error;
  if (!ctx.engine.StartBackgroundSave(&error)) {
    ctx.reply.Error(errors::kBareErr);
    return;
  }
  ctx.reply.SimpleString("Background saving started");
}

}  // namespace

bool Engine::StartBackgroundSave(std::string* error) {
  if (background_save_) {
    *error = std::string(errors::kBgsaveInProgress);
    return false;
  }
  if (aof_rewrite_) {  // one snapshot at a time (Redis: one child)
    *error = std::string(errors::kAnotherChildActive);
    return false;
  }
  background_save_scheduled = false;
  const int64_t now_s = clock_.NowMs() / 1000;
  stats_.last_bgsave_try_s = now_s;
  ++stats_.rdb_saves;
  const std::string path = rdb::RdbFilePath(*this);
  std::unique_ptr<AsyncFileSink> sink;
  if (open_background_file) {
    sink = open_background_file(path, error);
  } else if (rdb_files != nullptr) {
    if (auto file = rdb_files->CreateAtomically(path, error)) {
      sink = std::make_unique<SynchronousFileSink>(std::move(file));
    }
  } else {
    *error = "this host keeps no files";
  }
  if (sink == nullptr) {
    stats_.rdb_last_bgsave_ok = false;
    return false;
  }
  const Settings& settings = config_.settings();
  rdb::RdbAuxFields aux;
  aux.redis_ver = std::string(kRedisCompatVersion);
  aux.ctime_s = now_s;
  aux.used_mem = UsedMemoryBytes();
  aux.libraries = scripts_->functions().Codes();
  keyspace_.set_now_ms(clock_.NowMs());
  stats_.dirty_before_bgsave = stats_.dirty;
  background_save_ = std::make_unique<BackgroundSave>(
      keyspace_, std::move(sink),
      rdb::RdbWriteOptions{.compress = settings.rdbcompression, .checksum = settings.rdbchecksum},
      aux);
  return true;
}

bool Engine::StepBackgroundSave(int64_t budget_us) {
  if (!background_save_) return false;
  const BackgroundSave::Outcome outcome =
      background_save_->Step(MonotonicMicros() + budget_us, &MonotonicMicros);
  if (outcome == BackgroundSave::Outcome::kRunning) return true;
  const int64_t now_ms = clock_.NowMs();
  if (outcome == BackgroundSave::Outcome::kSucceeded) {
    // Changes made during the save are not in the file: they still count (Redis subtracts the
    // count it had when the child forked).
    stats_.dirty -= std::min(stats_.dirty, stats_.dirty_before_bgsave);
    stats_.last_save_time_s = now_ms / 1000;
    stats_.rdb_last_bgsave_ok = true;
  } else if (outcome == BackgroundSave::Outcome::kFailed) {
    stats_.rdb_last_bgsave_ok = false;
    std::fprintf(stderr, "Background saving error: %s\n", background_save_->error().c_str());
  }
  // A cancelled save (FLUSHALL, SHUTDOWN) leaves the status alone, as Redis does for a child it
  // killed itself.
  stats_.rdb_last_bgsave_time_sec = (now_ms - background_save_->started_ms()) / 1000;
  stats_.rdb_last_cow_size = background_save_->bytes_saved_early();
  background_save_.reset();
  return false;
}

void Engine::CancelBackgroundSave() {
  if (!background_save_) return;
  background_save_->Cancel();
  StepBackgroundSave(0);
}

std::string Engine::WritesDeniedByDiskError() const {
  const Settings& settings = config_.settings();
  if (settings.stop_writes_on_bgsave_error && !settings.save_points.empty() &&
      !stats_.rdb_last_bgsave_ok) {
    return std::string(errors::kMisconfRdbError);
  }
  if (persistence_.aof_enabled && !persistence_.aof_last_write_ok) {
    // Redis's writeCommandsGetDiskErrorMessage (DISK_ERROR_TYPE_AOF).
    return errors::MisconfAofWrite(std::strerror(persistence_.aof_last_write_errno));
  }
  return {};
}

void RegisterBgsaveFamily(CommandTable& table) {
  table.Add({.name = "bgsave",
             .arity = -1,
             .flags = kCmdAdmin | kCmdNoscript | kCmdNoAsyncLoading,
             .handler = CmdBgsave,
             .group = "server",
             .summary = "Asynchronously save the dataset to disk",
             .since = "1.0.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
