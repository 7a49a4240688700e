#include "server/aof_rewrite.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "broker/engine.h"

namespace drayman {
namespace {
constexpr int64_t kSliceMicros = 1000;  // rewrite work per slice, and the pause after it
}  // namespace

AofRewriteFiles::AofRewriteFiles(Engine& engine, boost::asio::io_context& io,
                                 std::unique_ptr<AofLog>& log, OpenSink open_sink)
    : engine_(engine), io_(io), log_(log), open_sink_(std::move(open_sink)), timer_(io) {}

AofLog* AofRewriteFiles::CurrentLog() { return log_ ? log_.get() : manifest_only_.get(); }

std::unique_ptr<AsyncFileSink> AofRewriteFiles::BeginRewrite(bool rdb_base, std::string* error) {
  manifest_only_.reset();
  if (!log_) {
    manifest_only_ = std::make_unique<AofLog>(
        engine_, [this](std::function<void()> task) { boost::asio::post(io_, std::move(task)); });
    if (!manifest_only_->ReadManifest(error)) {
      manifest_only_.reset();
      return nullptr;
    }
  }
  AofLog* log = CurrentLog();
  if (::mkdir(log->dir().c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't open or create append-only dir " + log->dir() + ": " + std::strerror(errno);
    engine_.Log(LogLevel::kWarning, *error);
    return nullptr;
  }
  base_name_ = log->NextBaseName(rdb_base);
  std::unique_ptr<AsyncFileSink> sink = open_sink_(log->dir() + "/" + base_name_, error);
  if (sink == nullptr) {
    engine_.Log(LogLevel::kWarning, "Can't open the temporary AOF base file: " + *error);
    manifest_only_.reset();
    return nullptr;
  }
  // From here on, appended commands go to the new incr file: the base holds everything before.
  if (log_ && !log_->SwitchToNewIncr(error)) {
    engine_.Log(LogLevel::kWarning, *error);
    return nullptr;  // the sink goes: its temp file is removed
  }
  engine_.Log(LogLevel::kNotice, "Background append only file rewriting started");
  Pump();
  return sink;
}

bool AofRewriteFiles::FinishRewrite(std::string* error) {
  AofLog* log = CurrentLog();
  engine_.Log(LogLevel::kNotice, "Background AOF rewrite terminated with success");
  const bool ok = log != nullptr && log->InstallBase(base_name_, error);
  if (ok) {
    engine_.Log(LogLevel::kNotice, "Background AOF rewrite finished successfully");
  } else {
    if (log == nullptr) *error = "the append only file was switched off during the rewrite";
    engine_.Log(LogLevel::kWarning, "Background AOF rewrite failed: " + *error);
    if (log != nullptr) ::unlink((log->dir() + "/" + base_name_).c_str());
  }
  manifest_only_.reset();
  return ok;
}

void AofRewriteFiles::AbortRewrite() {
  engine_.Log(LogLevel::kWarning, "Background AOF rewrite terminated with error or was cancelled");
  manifest_only_.reset();
}

void AofRewriteFiles::Pump() {
  if (pumping_ || stopped_) return;
  pumping_ = true;
  boost::asio::post(io_, [this] { PumpOnce(); });
}

void AofRewriteFiles::PumpOnce() {
  if (stopped_) return;
  if (!engine_.StepAofRewrite(kSliceMicros)) {
    pumping_ = false;
    return;
  }
  // Then the loop sleeps as long as it worked: a thread that never sleeps is the one the kernel
  // queues behind others on a busy machine, so clients would wait whole scheduler ticks; half
  // duty keeps the loop interactive (PING p99 1.5 ms instead of 3-6 ms under load), at the cost
  // of a rewrite taking about twice as long.
  timer_.expires_after(std::chrono::microseconds(kSliceMicros));
  timer_.async_wait([this](boost::system::error_code error) {
    if (!error) PumpOnce();
  });
}

void AofRewriteFiles::Stop() {
  stopped_ = true;
  timer_.cancel();
}

}  // namespace drayman
