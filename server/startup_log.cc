#include "server/startup_log.h"

#include <unistd.h>

#include <string>

#include "broker/engine.h"

namespace drayman {

void LogStartup(const Logger& logger, int argc, const char* argv0) {
  logger.Log(LogLevel::kWarning, "oO0OoO0OoO0Oo Drayman is starting oO0OoO0OoO0Oo");
  logger.Log(LogLevel::kWarning, "Drayman version=" + std::string(kDraymanVersion) + " (Redis " +
                                     std::string(kRedisCompatVersion) +
                                     " compatible), bits=" + std::to_string(sizeof(void*) * 8) +
                                     ", commit=00000000, modified=0, pid=" +
                                     std::to_string(getpid()) + ", just started");
  if (argc == 1) {
    logger.Log(LogLevel::kWarning,
               "Warning: no config file specified, using the default config. In order to specify "
               "a config file use " +
                   std::string(argv0) + " /path/to/redis.conf");
  } else {
    logger.Log(LogLevel::kWarning, "Configuration loaded");
  }
}

void LogServerReady(const Logger& logger, int port) {
  // Drayman's clocks are std::chrono::steady_clock, that is clock_gettime(CLOCK_MONOTONIC).
  logger.Log(LogLevel::kNotice, "monotonic clock: POSIX clock_gettime");
  logger.Log(LogLevel::kNotice, "Running mode=standalone, port=" + std::to_string(port) + ".");
  logger.Log(LogLevel::kWarning, "Server initialized");
  logger.Log(LogLevel::kNotice, "Ready to accept connections");
}

}  // namespace drayman
