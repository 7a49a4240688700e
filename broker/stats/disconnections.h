// Why clients went away: counted per cause for /metrics (drayman_disconnections_total{cause}).
//
// Contract: whoever decides to close a client records the cause on it first
// (Client::NoteCloseCause; the first cause recorded wins); Engine::Disconnect counts the client
// under that cause, or under kPeerClosed when none was recorded (the client closed the
// connection, or the socket failed). Refusals before a client exists (maxclients) are counted
// directly. Counters only grow (CONFIG RESETSTAT does not clear them).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace drayman {

enum class DisconnectCause : uint8_t {
  kNone,  // not recorded yet
  kPeerClosed,
  kQuit,
  kClientKill,
  kIdleTimeout,
  kOutputBufferLimit,
  kQueryBufferLimit,
  kProtocolError,
  kMaxClients,
  kShutdown,
  kClientEviction,  // maxmemory-clients (broker/eviction/client_eviction.h)
  kCount,
};

// The cause label: "peer_closed", "quit", "client_kill", "idle_timeout", "output_buffer_limit",
// "query_buffer_limit", "protocol_error", "maxclients", "shutdown",
// "client_eviction".
std::string_view DisconnectCauseName(DisconnectCause cause);

class DisconnectionCounts {
 public:
  void Count(DisconnectCause cause) {
    if (cause == DisconnectCause::kNone) cause = DisconnectCause::kPeerClosed;
    ++counts_[static_cast<size_t>(cause)];
  }
  uint64_t count(DisconnectCause cause) const { return counts_[static_cast<size_t>(cause)]; }

 private:
  std::array<uint64_t, static_cast<size_t>(DisconnectCause::kCount)> counts_{};
};

}  // namespace drayman
