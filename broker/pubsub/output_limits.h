// Output buffer limits (client-output-buffer-limit): when a client's pending replies are too big.
//
// Contract: a client's pending output is what the engine has appended and the transport has not
// finished writing: Client::output() plus Client::output_in_flight, which the transport keeps
// current (bytes it took from output() and handed to the socket but that are not yet written).
// The class is pubsub while the client holds any subscription, normal otherwise (a MONITOR client
// is normal, as in Redis). OutputLimitReached applies Redis's rule: at or over the hard limit, or
// at or over the soft limit continuously for more than the soft seconds; a zero limit is off. The
// soft-limit clock starts the first time the client is seen over it and resets when seen under.
// A client that must still authenticate has a small fixed limit (kUnauthenticatedOutputLimit).
// The check runs whenever output is appended outside the client's own command (pub/sub messages,
// MONITOR lines) and after each batch of its own commands; it never blocks anyone.
#pragma once

#include <cstdint>

#include "broker/client.h"
#include "broker/config/config.h"

namespace drayman {

// The pending output allowed to a client that has not authenticated while the default user
// requires a password (requirepass, or an ACL default user without `nopass` or `off`) (Redis's fix
// for CVE-2025-21605 closes such a client once its reply list, which begins past its 16 KiB static
// reply buffer, holds over 1 KiB; the first list block alone is over that, so in effect: output
// past 16 KiB). Applies before, and whatever, the class limits.
inline constexpr uint64_t kUnauthenticatedOutputLimit = 16 * 1024;

ClientClass OutputClientClass(const Client& client);

// Bytes of output pending for `client` (appended but not yet written to its socket).
inline uint64_t PendingOutputBytes(Client& client) {
  return client.output().size() + client.output_in_flight;
}

// True when `client` must be disconnected. Updates the client's soft-limit clock.
// `default_needs_auth`: whether a connection must authenticate (Acl::DefaultNeedsAuth, Redis's
// authRequired), which puts an unauthenticated client under kUnauthenticatedOutputLimit.
bool OutputLimitReached(Client& client, const Settings& settings, int64_t now_ms,
                        bool default_needs_auth);

}  // namespace drayman
