// The memory one client holds: CLIENT LIST's qbuf/argv-mem/multi-mem/tot-mem and what client
// eviction (maxmemory-clients, broker/eviction/client_eviction.h) adds up.
//
// Contract: ComputeClientMemory is the one definition, so the tot-mem a user reads in CLIENT LIST
// is the figure eviction compares with the limit. It is O(1) (counts and capacities, never a walk
// over strings or subscriptions) because eviction calls it after every batch of a client's input
// while maxmemory-clients is set. Like Redis's getClientMemoryUsage it counts the client itself,
// its query buffer (used and free), its output (the buffer's capacity plus bytes handed to the
// socket and not yet written), the arguments of the command it runs or CLIENT PAUSE holds, the
// arguments MULTI queued, and per-entry overheads of WATCHed keys, subscriptions and BCAST
// prefixes (the shared strings themselves are not the client's).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "broker/client.h"

namespace drayman {

struct ClientMemory {
  size_t qbuf = 0;       // query bytes received and not yet parsed
  size_t qbuf_free = 0;  // free space of the query buffer
  size_t argv_mem = 0;   // arguments of the running (or held) command
  size_t multi_mem = 0;  // arguments of the commands MULTI queued
  size_t total = 0;      // tot-mem
};

// The bytes of a command's arguments (argv-mem, and what MULTI adds to multi-mem per command).
size_t ArgumentBytes(const std::vector<std::string>& args);

// `running_args`: the arguments of the command `client` is running now (CLIENT LIST asking about
// itself), or null between commands.
ClientMemory ComputeClientMemory(const Client& client,
                                 const std::vector<std::string>* running_args);

}  // namespace drayman
