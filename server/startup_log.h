// The lines redis-server logs while it starts, in its words, with Drayman's name and version.
//
// Contract: LogStartup() writes what Redis writes before the server exists (role 'C': the
// starting banner, the version line, whether a config file was given); LogServerReady() what it
// writes once the listeners are bound (role 'M': clock, mode and port, "Server initialized",
// "Ready to accept connections"). Redis's name becomes "Drayman" and the version is Drayman's; the
// text is otherwise redis-server 7.0.15's (tests/python/test_logging.py compares them).
#pragma once

#include "server/logger.h"

namespace drayman {

void LogStartup(const Logger& logger, int argc, const char* argv0);

void LogServerReady(const Logger& logger, int port);

}  // namespace drayman
