// drayman-server: parses Redis-style flags and config, prints a start-up line, serves until
// SIGINT/SIGTERM (SIGHUP is ignored, as by redis-server).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "broker/engine.h"
#include "server/logger.h"
#include "server/open_files.h"
#include "server/server.h"

int main(int argc, char** argv) {
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
    // line, shows it and gives the reason.
    if (error.rfind("Fatal error", 0) == 0) {
      std::fprintf(stderr, "%s\n", error.c_str());
    } else {
      std::fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Drayman %s) ***\n%s\n",
                   std::string(drayman::kDraymanVersion).c_str(), error.c_str());
    }
    return 1;
  }
  // Redis ignores SIGHUP (a closed terminal must not stop the server) and SIGPIPE.
  std::signal(SIGHUP, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  const drayman::Logger logger(config.settings());
  if (!drayman::AdjustOpenFilesLimit(config.settings(), logger)) return 1;
  try {
    drayman::Server server(config);
    server.Bind();
    server.HandleSignals();  // before the ready line: a signal sent on seeing it must be handled
    const drayman::Settings& settings = server.config().settings();
    std::string addresses;
    for (const std::string& address : settings.bind) {
      if (!addresses.empty()) addresses += ", ";
      addresses += address + ":" + std::to_string(server.port());
    }
    if (!settings.unixsocket.empty())
      addresses += (addresses.empty() ? "" : ", ") + settings.unixsocket;
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
    server.Run(/*handle_signals=*/true);
    if (!server.fatal_error().empty()) return 1;  // already reported on stderr
    // The server's own settings: CONFIG SET loglevel/logfile may have changed them.
    drayman::Logger(server.config().settings())
        .Log(drayman::LogLevel::kWarning, "Drayman is now ready to exit, bye bye...");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Drayman failed to start: %s\n", e.what());
    return 1;
  }
  return 0;
}
