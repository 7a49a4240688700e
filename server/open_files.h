// Open-file limit: makes room for `maxclients` connections, as Redis's adjustOpenFilesLimit does.
//
// Contract: the server needs maxclients + kReservedFds descriptors (the reserve covers listeners,
// the event loop, log and data files). When RLIMIT_NOFILE's soft limit is lower, the limit (soft
// and hard) is raised to that number if the system allows it, else to the highest value that
// works, trying 16 fewer each time down to the current limit. If the result still falls short,
// maxclients is lowered to fit, with Redis's three warnings; if not even the reserve fits,
// Redis's fatal message is logged and false returned (the server must exit with status 1).
#pragma once

#include "broker/config/config.h"
#include "server/logger.h"

namespace drayman {

inline constexpr int kReservedFds = 32;

bool AdjustOpenFilesLimit(Settings& settings, const Logger& logger);

}  // namespace drayman
