// ClientEviction: maxmemory-clients, Redis 7.0's client eviction.
//
// Contract: while maxmemory-clients is set, the engine keeps a running total of the memory its
// clients hold (broker/stats/client_memory.h, the figure CLIENT LIST shows as tot-mem): Update
// re-measures one client in O(1) and adjusts the total; the engine calls it after each batch of a
// client's input, after output is appended to a client outside its own input (pub/sub, tracking
// redirection) and after the transport wrote a client's output (Engine::NoteOutputWritten).
// EvictIfNeeded runs where Redis calls evictClients (after a batch of input at the top level, in
// Cron): when the total reaches the limit it re-measures every client and disconnects evictable
// ones, largest first, only until the total is below the limit, each through Engine::KillClient
// (the path CLIENT KILL and output buffer limits take), logged as "Evicting client: <info>" at
// notice level and counted in INFO's evicted_clients. Clients with CLIENT NO-EVICT on are counted
// in the total but never evicted (Drayman has no replica or master clients, which Redis also
// spares). The limit is maxmemory-clients bytes, or its percentage of maxmemory (nothing while
// maxmemory is 0), and never under 128 KB (Redis's getClientEvictionLimit). Turning it on
// measures every client; turning it off forgets the counts. While off (the default), Update and
// EvictIfNeeded are one test each.
#pragma once

#include <cstddef>
#include <cstdint>

#include "broker/client.h"
#include "broker/config/config.h"

namespace drayman {

class Engine;

class ClientEviction {
 public:
  // Redis's floor, so a small setting cannot cut off every connection.
  static constexpr size_t kMinimumLimit = 128 * 1024;

  ClientEviction(Engine& engine, const Settings& settings)
      : engine_(engine), settings_(settings) {}

  // The limit the settings give, 0 when client eviction is off.
  static size_t Limit(const Settings& settings);

  // The client's memory may have changed.
  void Update(Client& client) {
    if (active_) UpdateSlow(client);
  }
  // The client is going away: its memory leaves the total.
  void Forget(Client& client) {
    total_ -= client.counted_memory;
    client.counted_memory = 0;
  }
  // Evicts clients while the total is at or over the limit; follows the setting turning on/off.
  void EvictIfNeeded() {
    if (active_ || settings_.maxmemory_clients != 0) EvictSlow();
  }

  // Cron: re-measures every client, then evicts if needed.
  void Cron() {
    if (active_ || settings_.maxmemory_clients != 0) CronSlow();
  }

  bool active() const { return active_; }
  size_t total() const { return total_; }

 private:
  void UpdateSlow(Client& client);
  void EvictSlow();
  void CronSlow();

  Engine& engine_;
  const Settings& settings_;
  bool active_ = false;  // counting: the limit was non-zero at the last EvictIfNeeded
  size_t total_ = 0;     // sum of counted_memory over the engine's clients
};

}  // namespace drayman
