#include "broker/stats/disconnections.h"

namespace drayman {

std::string_view DisconnectCauseName(DisconnectCause cause) {
  switch (cause) {
    case DisconnectCause::kNone:
    case DisconnectCause::kPeerClosed:
      return "peer_closed";
    case DisconnectCause::kQuit:
      return "quit";
    case DisconnectCause::kClientKill:
      return "client_kill";
    case DisconnectCause::kIdleTimeout:
      return "idle_timeout";
    case DisconnectCause::kOutputBufferLimit:
      return "output_buffer_limit";
    case DisconnectCause::kQueryBufferLimit:
      return "query_buffer_limit";
    case DisconnectCause::kProtocolError:
      return "protocol_error";
    case DisconnectCause::kMaxClients:
      return "maxclients";
    case DisconnectCause::kShutdown:
      return "shutdown";
    case DisconnectCause::kClientEviction:
      return "client_eviction";
    case DisconnectCause::kCount:
      break;
  }
  return "unknown";
}

}  // namespace drayman
