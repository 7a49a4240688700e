// The event loop's own work besides connections: cron (Engine::Cron at hz, the rewrite's pump,
// starting the BGSAVE pump), BGSAVE in short slices with time back in the reactor between them,
// the one timer at the nearest blocked client's deadline, the append-only log's start-up load
// in slices (clients get LOADING meanwhile), CONFIG SET appendonly, and SIGINT/SIGTERM (save
// per the shutdown-on-* settings, then shut down). Everything here runs on the loop thread.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio.hpp>

#include "broker/engine.h"
#include "broker/persistence/rdb_file.h"
#include "server/aof_log.h"
#include "server/aof_rewrite.h"
#include "server/logger.h"
#include "server/server.h"
#include "server/server_impl.h"

namespace drayman {

namespace {

// BGSAVE: encoding slices of about this long, each followed by this much time back in the
// reactor (see PumpBackgroundSave).
constexpr int64_t kBackgroundSaveSliceUs = 1000;
constexpr auto kBackgroundSaveGap = std::chrono::microseconds(500);

}  // namespace

void Server::Impl::ScheduleCron() {
  int hz = std::max(1, engine.settings().hz);
  cron_timer.expires_after(std::chrono::milliseconds(1000 / hz));
  cron_timer.async_wait([this](boost::system::error_code error) {
    if (error || stopping) return;
    engine.Cron();
    if (engine.aof_rewrite() != nullptr) aof_rewrite_files->Pump();
    if (engine.background_save() != nullptr && !background_save_pumping) {
      background_save_pumping = true;
      PumpBackgroundSave();
    }
    ScheduleCron();
  });
}

void Server::Impl::PumpBackgroundSave() {
  if (stopping) return;
  const BackgroundSave* save = engine.background_save();
  const uint64_t before = save ? save->bytes_written() + save->keys_saved() : 0;
  if (!engine.StepBackgroundSave(kBackgroundSaveSliceUs)) {
    background_save_pumping = false;
    return;
  }
  save = engine.background_save();
  const bool progressed = save->bytes_written() + save->keys_saved() != before;
  // Not posted back to back: between slices the loop returns to the reactor and waits there a
  // moment, serving whatever is ready. A loop that never sleeps is, to the kernel, a CPU hog:
  // on a busy machine it is preempted and waits behind other threads for several ms at a time
  // (12 ms PING stalls measured), while a loop that sleeps between slices is woken promptly
  // when a client writes. When a slice could do nothing (the writer thread is behind, or fsync
  // runs) it waits longer.
  background_save_timer.expires_after(progressed ? kBackgroundSaveGap
                                                 : std::chrono::milliseconds(1));
  background_save_timer.async_wait([this](boost::system::error_code error) {
    if (!error) PumpBackgroundSave();
  });
}

void Server::Impl::ArmBlockingTimer() {
  const int64_t deadline_ms = engine.NextBlockingDeadline();
  if (deadline_ms == 0 || stopping) return;
  // Re-armed only for an earlier deadline. One armed for a deadline that is gone (its waiter was
  // served) fires once for nothing and re-arms for the next, so a consumer that re-blocks with a
  // timeout for every message it takes costs no cancel and no new wait per message.
  if (blocking_timer_deadline_ms != 0 && blocking_timer_deadline_ms <= deadline_ms) return;
  blocking_timer_deadline_ms = deadline_ms;
  // Deadlines are on the engine clock; the steady timer waits the remaining time, at least 1 ms
  // (a deadline the engine defers, inside a long command, must not spin the loop) and at most an
  // hour (huge timeouts would overflow the steady clock). An early wake-up finds nothing due and
  // re-arms.
  constexpr int64_t kMaxWaitMs = 3600 * 1000;
  const int64_t wait_ms = std::clamp<int64_t>(deadline_ms - engine.clock().NowMs(), 1, kMaxWaitMs);
  blocking_timer.expires_after(std::chrono::milliseconds(wait_ms));
  blocking_timer.async_wait([this](boost::system::error_code error) {
    if (error || stopping) return;  // re-armed or cancelled
    blocking_timer_deadline_ms = 0;
    engine.TimeOutBlockedClients();
    ArmBlockingTimer();
  });
}

void Server::Impl::StartAof() {
  aof = std::make_unique<AofLog>(
      engine, [this](std::function<void()> task) { asio::post(io, std::move(task)); });
  try {
    aof->Open();
  } catch (const std::exception& e) {
    Fail(e.what());
    return;
  }
  ContinueLoading();
}

void Server::Impl::ContinueLoading() {
  if (stopping || !aof) return;
  std::string message;
  const AofLog::LoadStep step = aof->LoadSlice(&message);
  if (step == AofLog::LoadStep::kFailed) {
    Fail(message);
    return;
  }
  // One log line per line of the loader's report; Redis logs its "!!!" lines as warnings.
  for (size_t start = 0; start < message.size();) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    const std::string_view line = std::string_view(message).substr(start, end - start);
    if (!line.empty()) {
      logger.Log(line.substr(0, 3) == "!!!" ? LogLevel::kWarning : LogLevel::kNotice, line);
    }
    start = end + 1;
  }
  if (step == AofLog::LoadStep::kMore) {
    asio::post(io, [this] { ContinueLoading(); });
    return;
  }
  std::string error;
  if (!aof->StartAppending(&error)) Fail(error);
}

bool Server::Impl::ApplyAppendonly(std::string* error) {
  const bool wanted = engine.settings().appendonly;
  if (engine.persistence().loading) {
    // Redis answers LOADING here (appendonly is a deny-loading config); CONFIG SET can only
    // report a failed apply.
    *error = "Redis is loading the dataset in memory";
    return false;
  }
  if (!wanted) {
    engine.CancelAofRewrite();  // as Redis's stopAppendOnly kills the rewrite child
    if (aof) aof->Stop();
    aof.reset();
    engine.persistence().aof_rewrite_scheduled = false;
    return true;
  }
  if (aof) return true;
  // Redis's startAppendOnly: the log waits for a rewrite that writes its base.
  if (engine.aof_rewrite() != nullptr) {
    logger.Log(LogLevel::kWarning,
               "AOF was enabled but there is already an AOF rewriting in background. Stopping "
               "background AOF and starting a rewrite now.");
    engine.CancelAofRewrite();
  }
  aof = std::make_unique<AofLog>(
      engine, [this](std::function<void()> task) { asio::post(io, std::move(task)); });
  std::string reason;
  if (aof->StartWaitingForRewrite(&reason)) {
    if (engine.background_save() != nullptr) {
      engine.persistence().aof_rewrite_scheduled = true;
      logger.Log(LogLevel::kWarning,
                 "AOF was enabled but there is already another background operation. An AOF "
                 "background was scheduled to start when possible.");
      return true;
    }
    if (engine.StartAofRewrite(&reason)) return true;
  }
  logger.Log(LogLevel::kWarning,
             "Redis needs to enable the AOF but can't trigger a background AOF rewrite "
             "operation. Check the above logs for more info about the error. " +
                 reason);
  aof->Stop();
  aof.reset();
  *error = "Unable to turn on AOF. Check server logs.";
  return false;
}

void Server::HandleSignals() {
  Bind();
  if (impl_->handling_signals) return;
  impl_->handling_signals = true;
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](boost::system::error_code error, int signal_number) {
    if (error) return;
    impl_->logger.LogFromSignal(signal_number == SIGINT
                                    ? "Received SIGINT scheduling shutdown..."
                                    : "Received SIGTERM scheduling shutdown...");
    impl_->logger.Log(LogLevel::kWarning, "User requested shutdown...");
    // Like Redis on SIGTERM/SIGINT: with save points set, save first (a running BGSAVE is
    // dropped for a synchronous save of the current dataset). shutdown-on-sigterm/sigint
    // "save" / "nosave" override the save points.
    const Settings& settings = impl_->engine.settings();
    const std::string& how =
        signal_number == SIGINT ? settings.shutdown_on_sigint : settings.shutdown_on_sigterm;
    const bool save = how.find("nosave") == std::string::npos &&
                      (how.find("save") != std::string::npos || !settings.save_points.empty());
    if (save) {
      impl_->engine.CancelBackgroundSave();
      impl_->logger.Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
      rdb::RdbSaveResult result = rdb::SaveRdbFile(impl_->engine);
      if (result.ok) {
        impl_->logger.Log(LogLevel::kNotice, "DB saved on disk");
      } else {
        impl_->logger.Log(LogLevel::kWarning, "Error trying to save the DB: " + result.error);
      }
    }
    impl_->Shutdown();
  });
}

}  // namespace drayman
