#include "broker/pubsub/output_limits.h"

namespace drayman {

ClientClass OutputClientClass(const Client& client) {
  return client.pubsub.subscribed() ? ClientClass::kPubSub : ClientClass::kNormal;
}

bool OutputLimitReached(Client& client, const Settings& settings, int64_t now_ms,
                        bool default_needs_auth) {
  const OutputBufferLimit& limit =
      settings.client_output_buffer_limit[static_cast<int>(OutputClientClass(client))];
  const uint64_t used = PendingOutputBytes(client);
  // CVE-2025-21605: a client that must still authenticate cannot hold output it does not read.
  if (used > kUnauthenticatedOutputLimit && !client.authenticated && default_needs_auth) {
    return true;
  }
  const bool hard = limit.hard_bytes > 0 && used >= static_cast<uint64_t>(limit.hard_bytes);
  bool soft = limit.soft_bytes > 0 && used >= static_cast<uint64_t>(limit.soft_bytes);
  if (soft) {
    if (client.obuf_soft_limit_since_ms == 0) {
      client.obuf_soft_limit_since_ms = now_ms;  // first time over: start the clock
      soft = false;
    } else if (now_ms - client.obuf_soft_limit_since_ms <= limit.soft_seconds * 1000) {
      soft = false;
    }
  } else {
    client.obuf_soft_limit_since_ms = 0;
  }
  return hard || soft;
}

}  // namespace drayman
