#include "broker/eviction/client_eviction.h"

#include <algorithm>
#include <string>
#include <vector>

#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/stats/client_memory.h"

namespace drayman {

size_t ClientEviction::Limit(const Settings& settings) {
  size_t limit = 0;
  if (settings.maxmemory_clients < 0 && settings.maxmemory > 0) {
    // Percent of maxmemory, computed in double as Redis does.
    limit = static_cast<size_t>(static_cast<double>(settings.maxmemory) *
                                -static_cast<double>(settings.maxmemory_clients) / 100);
  } else if (settings.maxmemory_clients > 0) {
    limit = static_cast<size_t>(settings.maxmemory_clients);
  } else {
    return 0;
  }
  return std::max(limit, kMinimumLimit);
}

void ClientEviction::UpdateSlow(Client& client) {
  // Clients on their way out (killed, evicted, over their output limit) no longer count, as Redis
  // frees them; Lua's client is no connection.
  if (client.close_asap || client.is_script_client) {
    Forget(client);
    return;
  }
  const size_t memory = ComputeClientMemory(client, nullptr).total;
  total_ += memory - client.counted_memory;
  client.counted_memory = memory;
}

void ClientEviction::CronSlow() {
  if (active_) {
    for (auto& [id, client] : engine_.clients()) UpdateSlow(*client);
  }
  EvictSlow();
}

void ClientEviction::EvictSlow() {
  const size_t limit = Limit(settings_);
  if (limit == 0) {
    if (active_) {  // turned off: forget every count
      for (auto& [id, client] : engine_.clients()) client->counted_memory = 0;
      total_ = 0;
      active_ = false;
    }
    return;
  }
  if (!active_) {  // turned on: measure everyone
    active_ = true;
    for (auto& [id, client] : engine_.clients()) UpdateSlow(*client);
  }
  if (total_ < limit) return;
  // Over the limit: counts taken earlier may be stale (output written since), so measure every
  // client again before choosing, then evict the largest first.
  std::vector<Client*> candidates;
  for (auto& [id, client] : engine_.clients()) {
    UpdateSlow(*client);
    if (client->counted_memory > 0 && !client->no_evict) candidates.push_back(client.get());
  }
  if (total_ < limit) return;
  // Ties go to the oldest connection first (clients() is ordered by id).
  std::stable_sort(candidates.begin(), candidates.end(), [](const Client* a, const Client* b) {
    return a->counted_memory > b->counted_memory;
  });
  const int64_t now_ms = engine_.clock().NowMs();
  for (Client* client : candidates) {
    if (total_ < limit) return;
    engine_.Log(LogLevel::kNotice, "Evicting client: " + ClientInfoString(*client, now_ms));
    ++engine_.stats().evicted_clients;
    Forget(*client);
    engine_.KillClient(*client, DisconnectCause::kClientEviction);
  }
  if (total_ >= limit) {
    engine_.Log(LogLevel::kWarning, "Over client maxmemory after evicting all evictable clients");
  }
}

}  // namespace drayman
