// Protected mode as Redis 7.0 enforces it (networking.c, clientAcceptHandler).
//
// Contract: with `protected-mode yes` and no password for the default user, a client that does
// not come from the loopback interface is refused once its connection is accepted (after the TLS
// handshake on a TLS port): it gets kProtectedModeDenied, is closed, and counts as a rejected
// connection. Redis 7.0 ignores `bind` here (the 6.x rule "and no explicit bind" is gone), and
// "loopback" is exactly a Unix socket or a peer address of 127.0.0.1 or ::1 (so 127.0.0.2 is
// refused, as by Redis); an IPv4-mapped ::ffff:127.0.0.1 also counts, since Drayman's IPv6
// listeners may be dual-stack where Redis's are IPv6-only. DefaultUserHasNoPassword() is the one
// place that knows how the default user's password is kept (requirepass today, ACL users later).
//
// PublicBindWarning() is Drayman's own start-up warning (Redis 7.0 prints none): a non-empty
// text when a listener is bound to a non-loopback address while the default user has no
// password.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "broker/config/config.h"

namespace drayman {

class Engine;

extern const std::string_view kProtectedModeDenied;  // the whole -DENIED line, with \r\n

// True while the default user can log in without a password ("nopass").
bool DefaultUserHasNoPassword(const Engine& engine);

// Whether a client at `peer_ip` (no port; ignored for Unix sockets) is refused.
bool ProtectedModeRefuses(const Engine& engine, std::string_view peer_ip, bool is_unix);

// The peer's address without the port ("10.1.2.3", "::1"), empty if it has none.
std::string PeerIp(int fd);

// Drayman's start-up warning for listening on `bind` addresses beyond loopback without a
// password for the default user; empty when there is nothing to warn about.
std::string PublicBindWarning(const Engine& engine, const std::vector<std::string>& bind);

}  // namespace drayman
