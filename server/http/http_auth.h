// Who may use the HTTP admin listener: the one function that decides.
//
// Contract: without `requirepass` every request is allowed (as every RESP client is
// authenticated then). With it, a request must carry HTTP Basic credentials
// ("Authorization: Basic base64(user:password)") whose password is the server's; the user name
// is not checked yet, because Drayman's only user is Redis's `default` (requirepass is its
// password) and curl/Prometheus need some name: any is accepted and reported as "default". When
// ACL users arrive, AuthorizeHttp checks (user, password) against them and nothing else changes.
// The password comparison takes a time that depends only on the attempt's length.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "broker/config/config.h"

namespace drayman {

struct HttpAuthResult {
  bool allowed = false;
  std::string user;  // who was allowed ("" without a password)
};

// `authorization` is the request's Authorization header ("" when absent).
HttpAuthResult AuthorizeHttp(const Settings& settings, std::string_view authorization);

// Standard base64 (RFC 4648, padding required when the length is not a multiple of 4);
// nullopt on any invalid character or length.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace drayman
