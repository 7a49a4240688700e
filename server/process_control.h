// Running as a service: daemonizing, the pid file and supervision, as redis-server does them.
//
// Contract: Daemonize() forks; the parent exits at once with status 0 and the child goes on in a
// new session with stdin, stdout and stderr on /dev/null (so `daemonize yes` with an empty
// logfile logs nowhere, as in Redis). WritePidFile() writes the pid and a newline; a failure is
// reported and start-up continues, as Redis does. StartSupervision() resolves `supervised`
// (`auto` picks upstart when UPSTART_JOB is set, systemd when NOTIFY_SOCKET is) and does Redis's
// first step: systemd is told "STATUS=Redis is loading..." style status, upstart gets SIGSTOP.
// NotifySystemd() sends one sd_notify datagram to $NOTIFY_SOCKET (a path, or "@name" for the
// abstract namespace) directly on a Unix datagram socket, without libsystemd; it returns the
// number of bytes sent, 0 when NOTIFY_SOCKET is unset, -errno on failure.
#pragma once

#include <string>
#include <string_view>

#include "broker/config/config.h"
#include "server/logger.h"

namespace drayman {

// The pid file a daemonized server writes when `pidfile` is empty (Redis: /var/run/redis.pid).
inline constexpr std::string_view kDefaultPidFile = "/var/run/drayman.pid";

void Daemonize();

bool WritePidFile(const std::string& path, const Logger& logger);

enum class Supervision { kNone, kUpstart, kSystemd };

Supervision StartSupervision(const Settings& settings, const Logger& logger);

int NotifySystemd(std::string_view message);

// Tells the supervisor the server is ready (systemd: STATUS and READY=1).
void NotifyReady(Supervision supervision, const Logger& logger);

}  // namespace drayman
