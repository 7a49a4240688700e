// Per-client state of client-side caching (CLIENT TRACKING): Redis's CLIENT_TRACKING* flags, the
// redirection and the BCAST prefixes of one connection.
//
// Contract: only the Tracking subsystem (broker/tracking/tracking.h) and CLIENT CACHING change
// these fields; CLIENT LIST and CLIENT TRACKINGINFO read them. `prefixes` is kept in byte order,
// the order Redis's radix tree gives TRACKINGINFO.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace drayman {

struct ClientTracking {
  bool on = false;            // CLIENT_TRACKING (CLIENT LIST flag t)
  bool bcast = false;         // CLIENT_TRACKING_BCAST (flag B)
  bool optin = false;         // CLIENT_TRACKING_OPTIN
  bool optout = false;        // CLIENT_TRACKING_OPTOUT
  bool noloop = false;        // CLIENT_TRACKING_NOLOOP
  bool broken_redir = false;  // CLIENT_TRACKING_BROKEN_REDIR (flag R)
  // CLIENT_TRACKING_CACHING: CLIENT CACHING YES (optin) or NO (optout) for the next command (or
  // the next transaction); dispatch clears it after any command but CLIENT's outside MULTI.
  bool caching = false;
  // The last command dispatch ran for this client was CLIENT (Redis's prevcmd == clientCommand).
  bool last_was_client_command = false;
  uint64_t redirect = 0;  // 0: none
  std::set<std::string> prefixes;  // BCAST prefixes (an empty one for BCAST without PREFIX)
};

}  // namespace drayman
