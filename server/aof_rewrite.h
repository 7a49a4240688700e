// AofRewriteFiles: the server's side of BGREWRITEAOF (broker/persistence/aof_rewrite.h): the
// files of a rewrite, and the pump that advances it between the loop's other events.
//
// Contract: runs on the event-loop thread. BeginRewrite switches the live log (if any) to a new
// incr file (AofLog::SwitchToNewIncr) and opens the temporary base, written by a thread of its own
// (ThreadedFileSink over PosixRdbFileSystem: temp file, fsync, rename to
// <appenddirname>/<appendfilename>.<seq>.base.rdb|aof). FinishRewrite installs it
// (AofLog::InstallBase: manifest, history deletion). With appendonly no, a rewrite still writes
// a base and a manifest, as Redis 7.0 does (a manifest-only AofLog lives for the rewrite).
// Pump() steps the engine's rewrite in ~1 ms slices with a 1 ms pause after each (the loop stays
// an interactive thread for the kernel's scheduler), until it is settled.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "broker/persistence/aof_rewrite.h"
#include "server/aof_log.h"

namespace drayman {

class Engine;

class AofRewriteFiles : public AofRewriteHost {
 public:
  using OpenSink =
      std::function<std::unique_ptr<AsyncFileSink>(const std::string& path, std::string* error)>;
  // `log` is the server's live log slot (null while appendonly is off).
  AofRewriteFiles(Engine& engine, boost::asio::io_context& io, std::unique_ptr<AofLog>& log,
                  OpenSink open_sink);

  std::unique_ptr<AsyncFileSink> BeginRewrite(bool rdb_base, std::string* error) override;
  bool FinishRewrite(std::string* error) override;
  void AbortRewrite() override;

  // Starts pumping the engine's running rewrite, if it is not pumped already.
  void Pump();
  void Stop();

 private:
  void PumpOnce();
  AofLog* CurrentLog();

  Engine& engine_;
  boost::asio::io_context& io_;
  std::unique_ptr<AofLog>& log_;
  OpenSink open_sink_;
  std::unique_ptr<AofLog> manifest_only_;  // appendonly no: the manifest the rewrite updates
  std::string base_name_;
  boost::asio::steady_timer timer_;
  bool pumping_ = false;
  bool stopped_ = false;
};

}  // namespace drayman
