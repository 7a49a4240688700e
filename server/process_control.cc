#include "server/process_control.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace drayman {

void Daemonize() {
  if (fork() != 0) std::_Exit(0);  // the parent (or a failed fork, as Redis) leaves
  setsid();
  const int null_fd = open("/dev/null", O_RDWR, 0);
  if (null_fd != -1) {
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) close(null_fd);
  }
}

bool WritePidFile(const std::string& path, const Logger& logger) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    logger.Log(LogLevel::kWarning,
               "Failed to write PID file: " + std::string(std::strerror(errno)));
    return false;
  }
  std::fprintf(file, "%d\n", static_cast<int>(getpid()));
  std::fclose(file);
  return true;
}

int NotifySystemd(std::string_view message) {
  const char* target = std::getenv("NOTIFY_SOCKET");
  if (target == nullptr || target[0] == '\0') return 0;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const size_t length = std::strlen(target);
  if (length >= sizeof(address.sun_path)) return -ENAMETOOLONG;
  std::memcpy(address.sun_path, target, length);
  socklen_t address_length = sizeof(sa_family_t) + length;
  if (target[0] == '@') {
    address.sun_path[0] = '\0';  // abstract namespace: no terminating NUL is part of the name
  } else {
    address_length += 1;
  }
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd == -1) return -errno;
  const ssize_t sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                              reinterpret_cast<const sockaddr*>(&address), address_length);
  const int saved = errno;
  close(fd);
  return sent < 0 ? -saved : static_cast<int>(sent);
}

namespace {

// Redis's redisCommunicateSystemd: logs why a message could not be delivered.
int CommunicateSystemd(std::string_view message, const Logger& logger) {
  const int result = NotifySystemd(message);
  if (result == 0) {
    logger.Log(LogLevel::kWarning, "systemd supervision error: NOTIFY_SOCKET not found!");
  } else if (result < 0) {
    logger.Log(LogLevel::kWarning,
               "systemd supervision error: sd_notify: " + std::to_string(result));
  }
  return result;
}

}  // namespace

Supervision StartSupervision(const Settings& settings, const Logger& logger) {
  std::string mode = settings.supervised;
  if (mode == "auto") {
    if (std::getenv("UPSTART_JOB") != nullptr) {
      logger.Log(LogLevel::kVerbose, "Upstart supervision detected.");
      mode = "upstart";
    } else if (std::getenv("NOTIFY_SOCKET") != nullptr) {
      logger.Log(LogLevel::kVerbose, "Systemd supervision detected.");
      mode = "systemd";
    }
  }
  if (mode == "upstart") {
    if (std::getenv("UPSTART_JOB") == nullptr) {
      logger.Log(LogLevel::kWarning, "upstart supervision requested, but UPSTART_JOB not found!");
      return Supervision::kNone;
    }
    logger.Log(LogLevel::kNotice, "supervised by upstart, will stop to signal readiness.");
    std::raise(SIGSTOP);
    unsetenv("UPSTART_JOB");
    return Supervision::kUpstart;
  }
  if (mode == "systemd") {
    if (CommunicateSystemd("STATUS=Drayman is loading...\n", logger) <= 0) {
      return Supervision::kNone;
    }
    logger.Log(LogLevel::kNotice,
               "Supervised by systemd. Please make sure you set appropriate values for "
               "TimeoutStartSec and TimeoutStopSec in your service unit.");
    return Supervision::kSystemd;
  }
  return Supervision::kNone;
}

void NotifyReady(Supervision supervision, const Logger& logger) {
  if (supervision != Supervision::kSystemd) return;
  CommunicateSystemd("STATUS=Ready to accept connections\n", logger);
  CommunicateSystemd("READY=1\n", logger);
}

}  // namespace drayman
