// Server::Impl: the state of a running server, shared by the files that implement it. Internal
// to server/: only server.cc, server_listen.cc and server_cron.cc include it.
//
// Contract: one event-loop thread (io) owns everything here: the engine, every socket, session
// and timer; other threads (the AOF's writer and fsync threads, Stop()) only post to io.
// server.cc holds the sessions (Server::Impl::Session, complete only there), the pending-write
// pass, Shutdown and Fail; server_listen.cc the listeners (TCP, Unix, TLS, HTTP), accepting and
// Server::Bind; server_cron.cc the timers (cron, BGSAVE slices, blocked-client deadlines), the
// AOF's start-up load, CONFIG SET appendonly and the signal handler.
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "broker/engine.h"
#include "broker/script/script_engine.h"
#include "server/aof_log.h"
#include "server/aof_rewrite.h"
#include "server/background_file.h"
#include "server/http/admin_http.h"
#include "server/logger.h"
#include "server/rdb_files.h"
#include "server/server.h"
#include "server/tls_context.h"

namespace drayman {

namespace asio = boost::asio;
using GenericSocket = asio::generic::stream_protocol::socket;

struct Server::Impl {
  class Session;

  explicit Impl(Config& config, const Clock& clock)
      : logger(config.settings()),
        engine(config, clock),
        cron_timer(io),
        background_save_timer(io),
        blocking_timer(io),
        signals(io) {
    engine.serve_while_busy = [this] { ServeWhileBusy(); };
    engine.host_steps_background_save = true;  // PumpBackgroundSave
    // Posted, not run here: the SHUTDOWN handler is still on the stack.
    engine.shutdown_requested = [this] { asio::post(io, [this] { Shutdown(); }); };
    engine.log_sink = logger.Sink();
    engine.rdb_files = &rdb_files;
    engine.open_background_file = [this](const std::string& path, std::string* error) {
      std::unique_ptr<AsyncFileSink> sink;
      if (auto file = rdb_files.CreateAtomically(path, error)) {
        sink = std::make_unique<ThreadedFileSink>(std::move(file));
      }
      return sink;
    };
    aof_rewrite_files =
        std::make_unique<AofRewriteFiles>(engine, io, aof, engine.open_background_file);
    engine.aof_rewrite_host = aof_rewrite_files.get();
  }

  // One thread runs the loop and owns every socket and timer, so the reactor's per-descriptor
  // locks are off; posting stays thread-safe (the AOF writer and Stop() post from other threads).
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  PosixRdbFileSystem rdb_files;  // before engine: the engine points at it
  Logger logger;
  Engine engine;
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> tcp_acceptors;
  // What the TCP listeners are bound to, restored when a CONFIG SET of port/bind cannot listen.
  std::vector<std::string> listening_bind;
  int listening_port = 0;
  std::unique_ptr<asio::local::stream_protocol::acceptor> unix_acceptor;
  // TLS (server/tls_context.h): listeners on tls-port and the context new connections use.
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> tls_acceptors;
  int listening_tls_port = 0;
  std::shared_ptr<TlsContext> tls_context;
  // Rebuilds tls_context from the settings when TLS is needed (start-up, CONFIG SET tls-*).
  bool ConfigureTls(std::string* error);
  // Listens on tls-port (0: none) on the bind addresses; keeps the old listeners on failure.
  bool ListenTls(std::string* error);
  asio::steady_timer cron_timer;
  // BGSAVE runs in short slices with a short wait in the reactor between them (clients keep
  // being served); when a slice could do nothing (the writer thread is behind) it waits 1 ms.
  asio::steady_timer background_save_timer;
  bool background_save_pumping = false;
  void PumpBackgroundSave();
  // One timer at the nearest blocked client's deadline, so BLPOP & co. time out on time.
  asio::steady_timer blocking_timer;
  // What blocking_timer is armed for (0 = idle): the earliest deadline seen since it fired, which
  // may have gone since (the timer then fires early and re-arms).
  int64_t blocking_timer_deadline_ms = 0;
  asio::signal_set signals;
  bool handling_signals = false;
  std::unordered_set<std::shared_ptr<Session>> sessions;
  // Sessions with output produced outside their own input (PUBLISH, wake-ups), written once per
  // loop pass as Redis's clients_pending_write: one posted handler for any number of them.
  std::vector<std::shared_ptr<Session>> pending_writes;
  bool pending_flush_posted = false;
  // Sessions running their input (OnRead): each flushes pending writes when its input is done,
  // so output produced meanwhile (a PUBLISH, the clients a push wakes) needs no posted pass.
  int inputs_running = 0;
  void QueuePendingWrite(std::shared_ptr<Session> session);
  void PostFlush();
  void FlushPendingWrites();
  bool stopping = false;
  // The append-only log (appendonly yes); declared after io so it goes before io does.
  std::unique_ptr<AofLog> aof;
  // BGREWRITEAOF's files and pump (server/aof_rewrite.h); after aof, which it refers to.
  std::unique_ptr<AofRewriteFiles> aof_rewrite_files;
  std::string fatal_error;  // why the server stopped on its own (a log it could not load)
  // The HTTP admin listener (http-port >= 0); declared last so it goes first.
  std::unique_ptr<AdminHttp> http;
  void ListenHttp();

  // Busy scripts (see Engine::serve_while_busy): runs the handlers that are ready, without
  // blocking, while a script is past busy-reply-threshold; aborts the script if the server is
  // stopping meanwhile (SHUTDOWN, SIGTERM), so the loop can end.
  bool serving_while_busy = false;
  void ServeWhileBusy() {
    if (serving_while_busy) return;
    serving_while_busy = true;
    // The input running the script ends only when the script does: output queued until now
    // (a PUBLISH from the script) and during the poll goes out from a posted pass, as before.
    const int inputs_outside = inputs_running;
    inputs_running = 0;
    if (!pending_writes.empty() && !pending_flush_posted) PostFlush();
    io.poll();
    inputs_running = inputs_outside;
    serving_while_busy = false;
    if (stopping) engine.scripts().Abort();
  }

  void AcceptTcp(std::shared_ptr<asio::ip::tcp::acceptor> acceptor, bool tls = false);
  // After a failed accept: true when accepting must pause (the caller re-arms after the pause).
  bool BackOffAfterAcceptError(const boost::system::error_code& error,
                               std::function<void()> resume);
  bool accept_error_logged = false;  // one log line per episode of failing accepts
  // Connections refused for maxclients: Redis logs nothing; Drayman says so, at most once a
  // second with the number refused meanwhile, so a flood cannot flood the log.
  int64_t rejected_log_ms = 0;
  uint64_t rejected_unlogged = 0;
  void LogRejectedClient(const std::string& address) {
    const int64_t now_ms = engine.clock().NowMs();
    if (rejected_log_ms != 0 && now_ms - rejected_log_ms < 1000) {
      ++rejected_unlogged;
      return;
    }
    std::string message = "Rejected client " + address +
                          ": max number of clients reached (maxclients " +
                          std::to_string(engine.settings().maxclients) + ")";
    if (rejected_unlogged) {
      message += ", " + std::to_string(rejected_unlogged) + " more rejected since the last report";
    }
    logger.Log(LogLevel::kWarning, message);
    rejected_log_ms = now_ms;
    rejected_unlogged = 0;
  }
  // Opens a listener per address ("-addr" may fail); false with a message if one cannot listen.
  bool ListenTcp(const std::vector<std::string>& bind, int port, int backlog,
                 std::vector<std::shared_ptr<asio::ip::tcp::acceptor>>* out, int* bound_port,
                 std::string* error);
  // CONFIG SET port/bind: re-listens on the configured addresses, or restores the old listeners.
  bool Relisten(int* bound_port);
  void AcceptUnix();
  void StartSession(GenericSocket socket, bool is_unix, bool tls = false);
  void ScheduleCron();
  void ArmBlockingTimer();
  void Shutdown();
  // Start-up with appendonly yes: loads the log in slices on the loop, then starts appending.
  void StartAof();
  void ContinueLoading();
  void Fail(const std::string& message);
  // CONFIG SET appendonly.
  bool ApplyAppendonly(std::string* error);
};

}  // namespace drayman
