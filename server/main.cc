// drayman-server: parses Redis-style flags and config, prints a start-up line, serves until
// SIGINT/SIGTERM (SIGHUP is ignored, as by redis-server).
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "broker/engine.h"
#include "server/logger.h"
#include "server/open_files.h"
#include "server/process_control.h"
#include "server/server.h"
#include "server/startup_log.h"

int main(int argc, char** argv) {
  // No fastbins: glibc defers coalescing of freed small chunks to the next large malloc, so after
  // a mass DEL of millions of keys that one malloc (the shrinking key table's new array) walked
  // every deferred chunk at once, a 35 ms pause (bench/rehash_stall.py). Without fastbins each
  // free coalesces as it goes; tcache still serves the hot alloc/free pairs.
  mallopt(M_MXFAST, 0);
  drayman::Config config;
  // A broker keeps its queues across restarts: drayman-server logs every write by default
  // (Redis's default is appendonly no). --appendonly no turns it off.
  config.settings().appendonly = true;
  std::string error;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-v" || arg == "--version") {
      std::printf("Drayman server v=%s (Redis %s compatible)\n",
                  std::string(drayman::kDraymanVersion).c_str(),
                  std::string(drayman::kRedisCompatVersion).c_str());
      return 0;
    }
    if (arg == "-h" || arg == "--help") {
      std::printf(
          "Usage: drayman-server [/path/to/redis.conf] [--option value ...]\n"
          "Options follow redis.conf names: --port 6379 --bind 127.0.0.1 --databases 16\n"
          "  --requirepass secret --maxclients 10000 --unixsocket /tmp/drayman.sock\n");
      return 0;
    }
  }
  if (!config.ParseCommandLine(argc, argv, &error)) {
    // redis-server's report: a file that cannot be opened is one line, a bad directive names the
    // line (or, unlike Redis, the command-line option), shows it and gives the reason.
    if (error.rfind("Fatal error", 0) == 0) {
      std::fprintf(stderr, "%s\n", error.c_str());
    } else {
      const bool from_command_line = error.rfind("Reading the command line", 0) == 0;
      std::fprintf(stderr, "\n*** FATAL CONFIG %s (Drayman %s) ***\n%s\n",
                   from_command_line ? "ERROR" : "FILE ERROR",
                   std::string(drayman::kDraymanVersion).c_str(), error.c_str());
    }
    return 1;
  }
  // Redis ignores SIGHUP (a closed terminal must not stop the server) and SIGPIPE.
  std::signal(SIGHUP, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  drayman::Settings& settings = config.settings();
  drayman::Logger logger(settings);
  logger.set_role('C');
  // As redis-server: a supervised server stays in the foreground; otherwise daemonize forks.
  const drayman::Supervision supervision = drayman::StartSupervision(settings, logger);
  const bool background = settings.daemonize && supervision == drayman::Supervision::kNone;
  if (background) drayman::Daemonize();
  drayman::LogStartup(logger, argc, argv[0]);
  logger.set_role('M');
  if (!drayman::AdjustOpenFilesLimit(settings, logger)) return 1;
  if (background && settings.pidfile.empty()) settings.pidfile = drayman::kDefaultPidFile;
  std::string pidfile;  // the one written, removed at exit
  try {
    drayman::Server server(config);
    server.Bind();
    server.HandleSignals();  // before the ready line: a signal sent on seeing it must be handled
    const drayman::Settings& served = server.config().settings();
    if (!served.pidfile.empty() && drayman::WritePidFile(served.pidfile, logger)) {
      pidfile = served.pidfile;
    }
    drayman::LogServerReady(drayman::Logger(served), server.port());
    std::string addresses;
    // `port 0` with a tls-port: no plain listener to name.
    const bool plain = !(server.port() == 0 && served.tls_port != 0);
    for (const std::string& address : served.bind) {
      if (!plain) break;
      if (!addresses.empty()) addresses += ", ";
      addresses += address + ":" + std::to_string(server.port());
    }
    for (const std::string& address : served.bind) {
      if (served.tls_port == 0) break;
      if (!addresses.empty()) addresses += ", ";
      addresses += address + ":" + std::to_string(served.tls_port) + " (TLS)";
    }
    if (!served.unixsocket.empty())
      addresses += (addresses.empty() ? "" : ", ") + served.unixsocket;
    std::printf("Drayman %s (Redis %s compatible) ready to accept connections on %s, pid %d\n",
                std::string(drayman::kDraymanVersion).c_str(),
                std::string(drayman::kRedisCompatVersion).c_str(), addresses.c_str(),
                static_cast<int>(getpid()));
    if (server.http_port() > 0) {
      for (const std::string& address : settings.http_bind) {
        std::printf("HTTP admin interface on http://%s:%d/ (Prometheus metrics at /metrics)\n",
                    address.c_str(), server.http_port());
      }
    }
    std::fflush(stdout);
    drayman::NotifyReady(supervision, logger);
    server.Run(/*handle_signals=*/true);
    // The server's own settings: CONFIG SET loglevel/logfile may have changed them.
    const drayman::Logger final_logger(server.config().settings());
    if (!pidfile.empty()) {
      final_logger.Log(drayman::LogLevel::kNotice, "Removing the pid file.");
      std::remove(pidfile.c_str());
    }
    if (!server.fatal_error().empty()) return 1;  // already reported on stderr
    final_logger.Log(drayman::LogLevel::kWarning, "Drayman is now ready to exit, bye bye...");
  } catch (const std::exception& e) {
    if (!pidfile.empty()) std::remove(pidfile.c_str());
    logger.Log(drayman::LogLevel::kWarning, e.what());
    std::fprintf(stderr, "Drayman failed to start: %s\n", e.what());
    return 1;
  }
  return 0;
}
