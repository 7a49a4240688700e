#include "server/open_files.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace drayman {

bool AdjustOpenFilesLimit(Settings& settings, const Logger& logger) {
  const rlim_t wanted = static_cast<rlim_t>(settings.maxclients) + kReservedFds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == -1) {
    logger.Log(LogLevel::kWarning,
               "Unable to obtain the current NOFILE limit (" + std::string(std::strerror(errno)) +
                   "), assuming 1024 and setting the max clients configuration accordingly.");
    settings.maxclients = 1024 - kReservedFds;
    return true;
  }
  const rlim_t old_limit = limit.rlim_cur;
  if (old_limit >= wanted) return true;
  rlim_t best = wanted;
  int set_error = 0;
  constexpr rlim_t kStep = 16;
  while (best > old_limit) {
    limit.rlim_cur = best;
    limit.rlim_max = best;
    if (setrlimit(RLIMIT_NOFILE, &limit) != -1) break;
    set_error = errno;
    if (best < kStep) {
      best = old_limit;
      break;
    }
    best -= kStep;
  }
  if (best < old_limit) best = old_limit;  // the last try went below what we already had
  if (best >= wanted) {
    logger.Log(LogLevel::kNotice, "Increased maximum number of open files to " +
                                      std::to_string(wanted) + " (it was originally set to " +
                                      std::to_string(old_limit) + ").");
    return true;
  }
  if (best <= static_cast<rlim_t>(kReservedFds)) {
    logger.Log(LogLevel::kWarning, "Your current 'ulimit -n' of " + std::to_string(old_limit) +
                                       " is not enough for the server to start. Please increase "
                                       "your open file limit to at least " +
                                       std::to_string(wanted) + ". Exiting.");
    return false;
  }
  const int64_t requested = settings.maxclients;
  settings.maxclients = static_cast<int64_t>(best) - kReservedFds;
  logger.Log(LogLevel::kWarning, "You requested maxclients of " + std::to_string(requested) +
                                     " requiring at least " + std::to_string(wanted) +
                                     " max file descriptors.");
  logger.Log(LogLevel::kWarning, "Server can't set maximum open files to " +
                                     std::to_string(wanted) +
                                     " because of OS error: " + std::strerror(set_error) + ".");
  logger.Log(LogLevel::kWarning,
             "Current maximum open files is " + std::to_string(best) +
                 ". maxclients has been reduced to " + std::to_string(settings.maxclients) +
                 " to compensate for low ulimit. If you need higher maxclients increase 'ulimit "
                 "-n'.");
  return true;
}

}  // namespace drayman
