// Per-client pub/sub and MONITOR state: the reverse sets of the PubSub registry.
//
// Contract: each set holds the names this client is subscribed to, as views of the keys of the
// registry's maps (broker/pubsub/pubsub.h), so a name is stored once however many clients hold
// it; only the registry changes these sets, and it removes a client from every map before the
// client is destroyed (Engine::Disconnect). A client is "subscribed" (Redis's CLIENT_PUBSUB flag,
// CLIENT LIST flag P) while it holds any channel, pattern or shard channel.
#pragma once

#include <cstddef>
#include <string_view>

#include "absl/container/flat_hash_set.h"

namespace drayman {

struct ClientPubSub {
  absl::flat_hash_set<std::string_view> channels;
  absl::flat_hash_set<std::string_view> patterns;
  absl::flat_hash_set<std::string_view> shard_channels;
  // In MONITOR mode (CLIENT LIST flag O).
  bool monitor = false;

  // The count SUBSCRIBE/PSUBSCRIBE/(P)UNSUBSCRIBE confirmations carry: channels + patterns.
  // Shard channels are counted apart (SSUBSCRIBE/SUNSUBSCRIBE), as in Redis 7.0.
  size_t count() const { return channels.size() + patterns.size(); }
  bool subscribed() const {
    return !channels.empty() || !patterns.empty() || !shard_channels.empty();
  }
};

}  // namespace drayman
