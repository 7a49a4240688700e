// BGREWRITEAOF and the engine's side of a log rewrite: starting, stepping and settling a
// BackgroundRewrite (broker/persistence/aof_rewrite.h), scheduling behind a BGSAVE, and Redis
// 7.0's automatic rewrites (auto-aof-rewrite-percentage / -min-size, aofRewriteLimited).
#include <chrono>
#include <memory>
#include <string>

#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/background_save.h"
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

// Redis's AOF_REWRITE_LIMITE_THRESHOLD and AOF_REWRITE_LIMITE_MAX_MINUTES.
constexpr uint64_t kLimitThreshold = 3;
constexpr int kLimitMaxMinutes = 60;

// BGREWRITEAOF
void CmdBgrewriteaof(CommandContext& ctx) {
  PersistenceStatus& status = ctx.engine.persistence();
  if (ctx.engine.aof_rewrite() != nullptr) {
    ctx.reply.Error(errors::kRewriteInProgress);
    return;
  }
  if (ctx.engine.background_save() != nullptr || ctx.client.in_exec) {
    status.aof_rewrite_scheduled = true;
    // A manual request runs as soon as possible, whatever the failure back-off says.
    status.aof_rewrites_consecutive_failures = 0;
    ctx.reply.SimpleString("Background append only file rewriting scheduled");
    return;
  }
  std::string error;
  if (!ctx.engine.StartAofRewrite(&error)) {
    ctx.reply.Error(errors::kRewriteFailed);
    return;
  }
  ctx.reply.SimpleString("Background append only file rewriting started");
}

}  // namespace

bool Engine::StartAofRewrite(std::string* error) {
  PersistenceStatus& status = persistence_;
  if (aof_rewrite_) {
    *error = std::string(errors::kRewriteInProgress);
    return false;
  }
  if (background_save_) {
    *error = "a BGSAVE is in progress";
    return false;
  }
  if (aof_rewrite_host == nullptr) {
    *error = "this host keeps no files";
    status.aof_last_bgrewrite_ok = false;
    return false;
  }
  const Settings& settings = config_.settings();
  std::unique_ptr<AsyncFileSink> sink =
      aof_rewrite_host->BeginRewrite(settings.aof_use_rdb_preamble, error);
  if (sink == nullptr) {
    status.aof_last_bgrewrite_ok = false;
    return false;
  }
  ++status.aof_rewrites;
  status.aof_rewrite_scheduled = false;
  const int64_t now_ms = clock_.NowMs();
  BackgroundRewrite::Options options;
  options.rdb_base = settings.aof_use_rdb_preamble;
  options.rdb = {.compress = settings.rdbcompression, .checksum = settings.rdbchecksum};
  options.aux.redis_ver = std::string(kRedisCompatVersion);
  options.aux.ctime_s = now_ms / 1000;
  options.aux.used_mem = UsedMemoryBytes();
  options.aux.libraries = scripts_->functions().Codes();
  if (settings.aof_timestamp_enabled) options.timestamp_s = now_ms / 1000;
  keyspace_.set_now_ms(now_ms);
  aof_rewrite_ = std::make_unique<BackgroundRewrite>(keyspace_, std::move(sink), options);
  return true;
}

bool Engine::StepAofRewrite(int64_t budget_us) {
  if (!aof_rewrite_) return false;
  const BackgroundRewrite::Outcome outcome =
      aof_rewrite_->Step(MonotonicMicros() + budget_us, &MonotonicMicros);
  if (outcome == BackgroundRewrite::Outcome::kRunning) return true;
  PersistenceStatus& status = persistence_;
  std::string error;
  bool succeeded = false;
  if (outcome == BackgroundRewrite::Outcome::kWritten) {
    succeeded = aof_rewrite_host->FinishRewrite(&error);
  } else {
    error = aof_rewrite_->error();
    aof_rewrite_host->AbortRewrite();
  }
  if (succeeded) {
    status.aof_last_bgrewrite_ok = true;
    status.aof_rewrites_consecutive_failures = 0;
  } else if (outcome != BackgroundRewrite::Outcome::kCancelled) {
    // A cancelled rewrite (appendonly no, SHUTDOWN) is not a failure, as Redis treats the child
    // it killed with SIGUSR1.
    status.aof_last_bgrewrite_ok = false;
    ++status.aof_rewrites_consecutive_failures;
    if (log_sink)
      log_sink(LogLevel::kWarning, "Background AOF rewrite terminated with error: " + error);
  }
  status.aof_rewrite_time_last_s = (clock_.NowMs() - aof_rewrite_->started_ms()) / 1000;
  status.aof_last_cow_size = aof_rewrite_->bytes_saved_early();
  aof_rewrite_.reset();
  // appendonly turned on at run time stays waiting until a rewrite gives it a base.
  if (status.aof_wait_rewrite) status.aof_rewrite_scheduled = true;
  return false;
}

void Engine::CancelAofRewrite() {
  if (!aof_rewrite_) return;
  aof_rewrite_->Cancel();
  StepAofRewrite(0);
}

void Engine::AofRewriteCron() {
  PersistenceStatus& status = persistence_;
  if (aof_rewrite_) {
    StepAofRewrite(2000);
    return;
  }
  if (background_save_ || aof_rewrite_host == nullptr) return;
  // Redis's aofRewriteLimited: after 3 failures in a row, automatic and scheduled rewrites wait
  // 1, 2, 4 ... 60 minutes between attempts.
  const int64_t now_s = clock_.NowMs() / 1000;
  auto limited = [&] {
    if (status.aof_rewrites_consecutive_failures < kLimitThreshold) {
      aof_rewrite_delay_minutes_ = 0;
      aof_rewrite_next_allowed_s_ = 0;
      return false;
    }
    if (aof_rewrite_next_allowed_s_ != 0) {
      if (now_s < aof_rewrite_next_allowed_s_) return true;
      aof_rewrite_next_allowed_s_ = 0;
      return false;
    }
    aof_rewrite_delay_minutes_ =
        std::min(kLimitMaxMinutes, aof_rewrite_delay_minutes_ ? aof_rewrite_delay_minutes_ * 2 : 1);
    aof_rewrite_next_allowed_s_ = now_s + int64_t{aof_rewrite_delay_minutes_} * 60;
    if (log_sink) {
      log_sink(LogLevel::kWarning,
               "Background AOF rewrite has repeatedly failed and triggered the limit, will retry "
               "in " +
                   std::to_string(aof_rewrite_delay_minutes_) + " minutes");
    }
    return true;
  };
  std::string ignored;
  if (status.aof_rewrite_scheduled) {
    if (!limited()) StartAofRewrite(&ignored);
    return;
  }
  const Settings& settings = config_.settings();
  if (!status.aof_enabled || status.aof_wait_rewrite || settings.auto_aof_rewrite_percentage <= 0 ||
      static_cast<int64_t>(status.aof_current_size) <= settings.auto_aof_rewrite_min_size) {
    return;
  }
  const int64_t base = status.aof_base_size ? static_cast<int64_t>(status.aof_base_size) : 1;
  const int64_t growth = static_cast<int64_t>(status.aof_current_size) * 100 / base - 100;
  if (growth >= settings.auto_aof_rewrite_percentage && !limited()) {
    if (log_sink) {
      log_sink(LogLevel::kNotice,
               "Starting automatic rewriting of AOF on " + std::to_string(growth) + "% growth");
    }
    StartAofRewrite(&ignored);
  }
}

void RegisterAofRewriteFamily(CommandTable& table) {
  table.Add({.name = "bgrewriteaof",
             .arity = 1,
             .flags = kCmdAdmin | kCmdNoscript | kCmdNoAsyncLoading,
             .handler = CmdBgrewriteaof,
             .group = "server",
             .summary = "Asynchronously rewrite the append-only file",
             .since = "1.0.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
