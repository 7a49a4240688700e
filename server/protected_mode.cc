#include "server/protected_mode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "broker/acl/acl.h"
#include "broker/engine.h"

namespace drayman {

const std::string_view kProtectedModeDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from the "
    "outside.\r\n";

namespace {

bool IsLoopbackIp(std::string_view ip) {
  return ip == "127.0.0.1" || ip == "::1" || ip == "::ffff:127.0.0.1";
}

// Addresses a listener may be bound to that only loopback clients can reach.
bool IsLoopbackBind(std::string_view address) {
  if (!address.empty() && address[0] == '-') address.remove_prefix(1);
  if (address == "::1" || address == "localhost") return true;
  in_addr v4{};
  const std::string text(address);
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

}  // namespace

bool DefaultUserHasNoPassword(const Engine& engine) {
  // The ACL's default user, so `ACL SETUSER default >pass` counts as requirepass does.
  return engine.acl().DefaultIsNopass();
}

bool ProtectedModeRefuses(const Engine& engine, std::string_view peer_ip, bool is_unix) {
  if (!engine.settings().protected_mode || is_unix) return false;
  return DefaultUserHasNoPassword(engine) && !IsLoopbackIp(peer_ip);
}

std::string PeerIp(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  if (getpeername(fd, address, &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {0};
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(address)->sin_addr, text, sizeof(text));
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(address)->sin6_addr, text, sizeof(text));
  }
  return text;
}

std::string PublicBindWarning(const Engine& engine, const std::vector<std::string>& bind) {
  if (!DefaultUserHasNoPassword(engine)) return "";
  std::string public_addresses;
  for (const std::string& address : bind) {
    if (IsLoopbackBind(address)) continue;
    public_addresses += (public_addresses.empty() ? "" : " ") + address;
  }
  if (public_addresses.empty()) return "";
  if (engine.settings().protected_mode) {
    return "WARNING: listening on " + public_addresses +
           " with no password for the default user: protected mode is on, so only loopback "
           "clients are served. Set requirepass (or a default user password) to serve other "
           "hosts.";
  }
  return "WARNING: listening on " + public_addresses +
         " with no password for the default user and protected-mode no: anyone who can reach "
         "this address can run every command. Set requirepass or bind 127.0.0.1.";
}

}  // namespace drayman
