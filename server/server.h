// Server: Drayman's network front end, the only code that knows Boost.Asio.
//
// Contract: Start() binds every configured address first (so port 0 resolves to a real port,
// readable from port()) and then runs one event-loop thread that owns the Engine and every
// connection; Stop() closes listeners and connections and joins the thread. Run() does the same in
// the calling thread until Stop() or SIGINT/SIGTERM. Each connection reads into its client's
// parser, lets the engine execute whatever is complete, and writes all produced replies in one
// write; a client that stops reading its replies is not read from until they drain.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "broker/clock.h"
#include "broker/config/config.h"

namespace drayman {

class Engine;

class Server {
 public:
  explicit Server(Config config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners; throws std::runtime_error with a readable message on failure.
  void Bind();
  // Binds (if not yet) and runs the loop on a new thread.
  void Start();
  // Binds (if not yet) and runs the loop on this thread until Stop() or a signal.
  void Run(bool handle_signals);
  // Binds (if not yet) and takes over SIGINT and SIGTERM (logged, then a clean shutdown), so a
  // signal sent as soon as the server says it is ready is not fatal. Run(true) calls it.
  void HandleSignals();
  // Thread-safe: stops the loop, closes connections, joins the loop thread if Start() made one.
  void Stop();

  int port() const { return port_; }
  // The HTTP admin listener's bound port (server/http/), 0 when http-port is -1 (off).
  int http_port() const { return http_port_; }
  // True once the server has shut down (SHUTDOWN, a signal, Stop(), a fatal error).
  bool stopped() const;
  // Why the loop stopped on its own (an append-only log it could not load), empty otherwise.
  std::string fatal_error() const;
  const Config& config() const { return config_; }

 private:
  struct Impl;
  // Loads dir/dbfilename when it exists (and appendonly is off); throws when it is bad.
  void LoadDataset();
  // CONFIG SET tls-*: rebuild the TLS context, move the TLS listener (server/tls_context.h).
  void InstallTlsHooks();
  Config config_;
  SystemClock clock_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<int> port_{0};
  std::atomic<int> http_port_{0};
};

}  // namespace drayman
