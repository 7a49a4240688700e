#include "broker/tracking/tracking.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "broker/base/errors.h"
#include "broker/client.h"
#include "broker/command/command_table.h"
#include "broker/engine.h"

namespace drayman {

namespace {

void AppendNumber(std::string& out, uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

void AppendBulk(std::string& out, std::string_view value) {
  out.push_back('$');
  AppendNumber(out, value.size());
  out.append("\r\n");
  out.append(value);
  out.append("\r\n");
}

// Redis's stringCheckPrefix: either is a prefix of the other.
bool Overlap(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

// Redis formats the prefixes with %s: a prefix is shown up to its first NUL byte.
std::string_view AsCString(std::string_view text) { return text.substr(0, text.find('\0')); }

constexpr std::string_view kPushHeader = ">2\r\n$10\r\ninvalidate\r\n";
constexpr std::string_view kPubSubHeader = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";

}  // namespace

bool Tracking::IdOrder::operator()(uint64_t a, uint64_t b) const {
  // memcmp of the ids' in-memory (little-endian) bytes, as the radix tree compares them.
  return __builtin_bswap64(a) < __builtin_bswap64(b);
}

void Tracking::Enable(Client& client, const Options& options,
                      const std::vector<std::string>& prefixes) {
  ClientTracking& state = client.tracking;
  if (!state.on) ++tracking_clients_;
  state.on = true;
  // CACHING survives re-enabling, as in Redis (its flag is not among those cleared).
  state.broken_redir = state.bcast = state.optin = state.optout = state.noloop = false;
  state.redirect = options.redirect;
  ever_enabled_ = true;
  if (options.bcast) {
    state.bcast = true;
    if (prefixes.empty()) EnableBcastPrefix(client, std::string());
    for (const std::string& prefix : prefixes) EnableBcastPrefix(client, prefix);
  }
  state.optin = options.optin;
  state.optout = options.optout;
  state.noloop = options.noloop;
}

void Tracking::EnableBcastPrefix(Client& client, const std::string& prefix) {
  BcastState& bcast = prefixes_[prefix];
  if (bcast.clients.insert(client.id()).second) client.tracking.prefixes.insert(prefix);
}

void Tracking::Disable(Client& client) {
  ClientTracking& state = client.tracking;
  if (state.bcast) {
    for (const std::string& prefix : state.prefixes) {
      auto it = prefixes_.find(prefix);
      if (it == prefixes_.end()) continue;
      it->second.clients.erase(client.id());
      if (it->second.clients.empty()) prefixes_.erase(it);
    }
    state.prefixes.clear();
  }
  if (state.on) {
    --tracking_clients_;
    state.on = state.broken_redir = state.bcast = state.optin = state.optout = state.caching =
        state.noloop = false;
  }
}

std::string Tracking::PrefixCollision(const Client& client,
                                      const std::vector<std::string>& prefixes) {
  for (size_t i = 0; i < prefixes.size(); ++i) {
    for (const std::string& existing : client.tracking.prefixes) {
      if (Overlap(existing, prefixes[i])) {
        return errors::TrackingPrefixOverlapsExisting(AsCString(prefixes[i]), AsCString(existing));
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (Overlap(prefixes[i], prefixes[j])) {
        return errors::TrackingPrefixOverlapsProvided(AsCString(prefixes[i]),
                                                      AsCString(prefixes[j]));
      }
    }
  }
  return std::string();
}

void Tracking::RememberKeys(const Client& client, const CommandSpec& spec,
                            const std::vector<std::string>& args) {
  const ClientTracking& state = client.tracking;
  if ((state.optin && !state.caching) || (state.optout && state.caching)) return;
  // Shard channels are keys to the cluster only; nothing caches them.
  if (spec.flags & kCmdPubsub) return;
  const uint64_t id = client.id();
  spec.ForEachKeyIndex(args, [&](int index) {
    IdSet& ids = table_[args[static_cast<size_t>(index)]];  // entries for new keys
    auto at = std::lower_bound(ids.begin(), ids.end(), id, IdOrder());
    if (at != ids.end() && *at == id) return;
    ids.insert(at, id);
    ++total_items_;
  });
}

std::string Tracking::KeyPayload(std::string_view key) {
  std::string payload = "*1\r\n";
  AppendBulk(payload, key);
  return payload;
}

void Tracking::Send(Client& client, std::string_view payload) {
  Client* target = &client;
  bool redirected = false;
  if (client.tracking.redirect != 0) {
    target = engine_.FindClient(client.tracking.redirect);
    if (target == nullptr) {
      client.tracking.broken_redir = true;
      if (client.protocol() == Protocol::kResp3) {
        std::string frame = ">2\r\n$21\r\ntracking-redir-broken\r\n:";
        AppendNumber(frame, client.tracking.redirect);
        frame.append("\r\n");
        engine_.pubsub().Deliver(client, frame, /*push=*/false);
      }
      return;
    }
    redirected = true;
  }
  std::string frame;
  if (target->protocol() == Protocol::kResp3) {
    frame.reserve(kPushHeader.size() + payload.size());
    frame.append(kPushHeader);
  } else if (redirected && target->pubsub.subscribed()) {
    // RESP2 has no pushes: the redirect client gets the invalidation as a pub/sub message.
    frame.reserve(kPubSubHeader.size() + payload.size());
    frame.append(kPubSubHeader);
  } else {
    return;  // RESP2 without redirection: nowhere to send it
  }
  frame.append(payload);
  engine_.pubsub().Deliver(*target, frame, /*push=*/false);
}

void Tracking::InvalidateKey(std::string_view key, const Client* modifier, bool bcast) {
  if (!ever_enabled_) return;
  if (bcast && !prefixes_.empty()) {
    for (auto& [prefix, state] : prefixes_) {
      if (!key.starts_with(prefix)) continue;
      state.keys[std::string(key)] = modifier != nullptr ? modifier->id() : 0;
      broadcast_pending_ = true;
    }
  }
  auto it = table_.find(absl::string_view(key.data(), key.size()));
  if (it == table_.end()) return;
  // The entry goes whoever is still in it: each client is told once, and caches the key again
  // only by reading it again.
  IdSet ids = std::move(it->second);
  table_.erase(it);
  total_items_ -= ids.size();
  for (uint64_t id : ids) {
    Client* target = engine_.FindClient(id);
    // A client that switched to BCAST (or off) gets nothing for keys it read before.
    if (target == nullptr || !target->tracking.on || target->tracking.bcast) continue;
    if (target->tracking.noloop && target == current_client_) continue;
    if (target == current_client_ && in_call_ > 0) {
      pending_.emplace_back(std::string(key));  // after the command's reply
    } else {
      Send(*target, KeyPayload(key));
    }
  }
}

void Tracking::InvalidateAllOnFlush() {
  if (tracking_clients_ > 0) {
    for (const auto& [id, owned] : engine_.clients()) {
      Client& client = *owned;
      if (!client.tracking.on) continue;
      if (&client == current_client_) {
        pending_.emplace_back(std::nullopt);
      } else {
        // The null is spelled in the tracking client's protocol, even when redirected.
        Send(client, client.protocol() == Protocol::kResp3 ? "_\r\n" : "$-1\r\n");
      }
    }
  }
  table_.clear();
  total_items_ = 0;
}

void Tracking::SendPending() {
  std::vector<std::optional<std::string>> pending;
  pending.swap(pending_);
  if (current_client_ == nullptr) return;
  for (const std::optional<std::string>& key : pending) {
    if (key.has_value()) {
      Send(*current_client_, KeyPayload(*key));
    } else {
      Send(*current_client_, current_client_->protocol() == Protocol::kResp3 ? "_\r\n" : "$-1\r\n");
    }
  }
}

std::string Tracking::BroadcastPayload(const absl::btree_map<std::string, uint64_t>& keys,
                                       uint64_t skip_id) {
  size_t count = 0;
  for (const auto& [key, modifier] : keys) {
    if (skip_id == 0 || modifier != skip_id) ++count;
  }
  if (count == 0) return std::string();
  std::string payload = "*";
  AppendNumber(payload, count);
  payload.append("\r\n");
  for (const auto& [key, modifier] : keys) {
    if (skip_id != 0 && modifier == skip_id) continue;
    AppendBulk(payload, key);
  }
  return payload;
}

void Tracking::Broadcast() {
  if (!broadcast_pending_) return;
  broadcast_pending_ = false;
  if (tracking_clients_ == 0) return;
  for (auto& [prefix, state] : prefixes_) {
    if (state.keys.empty()) continue;
    const std::string common = BroadcastPayload(state.keys, 0);
    for (uint64_t id : state.clients) {
      Client* client = engine_.FindClient(id);
      if (client == nullptr) continue;
      if (client->tracking.noloop) {
        // Keys this client modified last are left out of its own copy.
        const std::string own = BroadcastPayload(state.keys, id);
        if (!own.empty()) Send(*client, own);
      } else {
        Send(*client, common);
      }
    }
    state.keys.clear();
  }
}

void Tracking::LimitTableSize(uint64_t max_keys) {
  if (!ever_enabled_ || max_keys == 0) return;
  if (table_.size() <= max_keys) {
    limit_timeouts_ = 0;
    return;
  }
  // The effort grows with every call that found the table still over the limit.
  for (uint64_t effort = 100 * (uint64_t{limit_timeouts_} + 1); effort > 0 && !table_.empty();
       --effort) {
    const std::string key = table_.begin()->first;
    InvalidateKey(key, nullptr, /*bcast=*/false);
    if (table_.size() <= max_keys) {
      limit_timeouts_ = 0;
      return;
    }
  }
  ++limit_timeouts_;
}

}  // namespace drayman
