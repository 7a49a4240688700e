// Who may use the HTTP admin listener: the one function that decides.
//
// Contract: while the default user needs no password (nopass and on: no `requirepass`), every
// request is allowed, as every RESP client is authenticated then. Otherwise a request must carry
// HTTP Basic credentials ("Authorization: Basic base64(user:password)") of an enabled ACL user
// (AUTH's check: Acl::Authenticate); as before ACL users, a name that is no user with the
// default user's password (requirepass) is the default user, so `curl -u any:secret` and
// Prometheus configurations keep working. Wrong or missing credentials and disabled users are
// refused (401 with a Basic challenge). An authenticated user must also hold what the listener
// shows, else 403: INFO (every /metrics figure, /api/server), CLIENT LIST (/api/clients: client
// addresses and names) and read access to every key (%R~* or ~*: /api/queue decodes any queue's
// messages, task arguments included): the README's
// `user monitor on >pw resetchannels %R~* -@all +info +client|list`.
// Passwords are compared as AUTH compares them (SHA-256 hashes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drayman {

class CommandTable;
namespace acl {
class Acl;
}

struct HttpAuthResult {
  bool allowed = false;
  std::string user;  // who was allowed ("" without a password)
  // Authenticated but lacking a permission the listener needs (403, no challenge).
  bool forbidden = false;
};

// `authorization` is the request's Authorization header ("" when absent).
HttpAuthResult AuthorizeHttp(acl::Acl& acl, const CommandTable& commands,
                             std::string_view authorization);

// Standard base64 (RFC 4648, padding required when the length is not a multiple of 4);
// nullopt on any invalid character or length.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace drayman
