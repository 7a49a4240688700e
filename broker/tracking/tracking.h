// Tracking: client-side caching (CLIENT TRACKING), Redis 7.0's tracking.c without sockets.
//
// Contract: the engine drives this subsystem from the signals it already has and never from
// handlers. Dispatch calls RememberKeys after every read-only command a tracking client (or the
// caller of a script) runs in the default mode: each key the command names is recorded in one
// global table, key -> ids of the clients that may cache it (keys are not per database, as in
// Redis). Every key modification the keyspace observer hears (commands, lazy and active expiry,
// eviction, scripts, EXEC) calls InvalidateKey: the key's table entry goes, and each client in it
// still tracking in the default mode receives `invalidate [key]`, unless it is the client whose
// command is running and asked for NOLOOP. A FLUSHDB/FLUSHALL calls InvalidateAllOnFlush: every
// tracking client (BCAST ones too) receives `invalidate` with a null, and the table empties.
//
// Delivery is Redis's sendTrackingMessage: a RESP3 client gets a `>2 invalidate <keys>` push on
// its own connection; with REDIRECT the message goes to the redirect client instead, as a RESP3
// push, or as a pub/sub `message` on `__redis__:invalidate` when that client is RESP2 and
// subscribed to anything (else nothing). A redirect client that is gone marks the tracking client
// broken_redir and, in RESP3, pushes `tracking-redir-broken <id>` to it instead. Frames go
// through PubSub::Deliver, so output limits and ClientObserver::OnOutputPending apply as for
// PUBLISH. Messages for the client whose command is running are held until its reply is written
// (FlushPending, called by dispatch when the top-level command, a whole EXEC or script included,
// ends), as Redis's tracking_pending_keys.
//
// BCAST: prefixes map to the BCAST clients registered for them; a modified key matching a prefix
// is collected (with the client that modified it last, for NOLOOP) and Broadcast sends each
// client one message per prefix with the keys in byte order. Redis sends these once per event
// loop pass (beforeSleep); the engine calls Broadcast when a batch of input has been processed,
// after Cron and after direct Execute calls, so keys modified by one client's pipelined batch go
// out together.
//
// The table is bounded by tracking-table-max-keys: LimitTableSize invalidates arbitrary keys
// (Redis: a random walk) as if they had been modified, with growing effort while over the limit.
// Disabling tracking leaves the client's ids in the table, removed lazily when their keys are
// invalidated (client ids are never reused), so INFO's tracking_total_items counts them as
// Redis does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"

namespace drayman {

class Client;
class Engine;
struct CommandSpec;

class Tracking {
 public:
  struct Options {
    uint64_t redirect = 0;
    bool bcast = false;
    bool optin = false;
    bool optout = false;
    bool noloop = false;
  };

  explicit Tracking(Engine& engine) : engine_(engine) {}
  Tracking(const Tracking&) = delete;
  Tracking& operator=(const Tracking&) = delete;

  // CLIENT TRACKING ON with validated options (Redis's enableTracking): flags are replaced,
  // BCAST prefixes added to those the client already has.
  void Enable(Client& client, const Options& options, const std::vector<std::string>& prefixes);
  // CLIENT TRACKING OFF, RESET, disconnect (Redis's disableTracking).
  void Disable(Client& client);
  // Redis's checkPrefixCollisionsOrReply: "" or the error text for prefixes that overlap each
  // other or one the client has.
  static std::string PrefixCollision(const Client& client,
                                     const std::vector<std::string>& prefixes);

  // After a read-only command of `client` (the script's caller for a script's command).
  void RememberKeys(const Client& client, const CommandSpec& spec,
                    const std::vector<std::string>& args);
  // `key` was modified; `modifier` is the client whose command did it (null for expiry and
  // eviction), remembered for BCAST's NOLOOP. `bcast` false: a table eviction, not a change.
  void InvalidateKey(std::string_view key, const Client* modifier, bool bcast = true);
  // FLUSHDB, FLUSHALL (and every other emptying of the dataset).
  void InvalidateAllOnFlush();

  // --- what dispatch tells the subsystem about the running command ---
  // The client whose command runs at the top level (Redis's server.current_client), or null.
  void set_current_client(Client* client) { current_client_ = client; }
  Client* current_client() const { return current_client_; }
  // Around a command's handler (Redis's fixed_time_expire inside call()): messages for the
  // current client are held until FlushPending.
  void EnterCall() { ++in_call_; }
  void LeaveCall() { --in_call_; }
  // Sends the current client the messages held for it (Redis's afterCommand).
  void FlushPending() {
    if (!pending_.empty()) SendPending();
  }
  // Sends BCAST clients the keys collected since the last call (Redis's beforeSleep).
  void Broadcast();
  // Redis's trackingLimitUsedSlots, with tracking-table-max-keys (0: no limit).
  void LimitTableSize(uint64_t max_keys);

  // Whether CLIENT TRACKING was ever turned on (Redis creates its tables then): until it is,
  // InvalidateKey has nothing to do.
  bool active() const { return ever_enabled_; }
  // Whether anything may need Broadcast (a cheap test for the engine's hot paths).
  bool broadcast_pending() const { return broadcast_pending_; }
  // INFO: tracking_clients, tracking_total_keys, tracking_total_items, tracking_total_prefixes.
  uint64_t tracking_clients() const { return tracking_clients_; }
  uint64_t total_keys() const { return table_.size(); }
  uint64_t total_items() const { return total_items_; }
  uint64_t total_prefixes() const { return prefixes_.size(); }

 private:
  // Client ids ordered as Redis's radix tree orders them: by their little-endian bytes.
  struct IdOrder {
    bool operator()(uint64_t a, uint64_t b) const;
  };
  using IdSet = absl::InlinedVector<uint64_t, 2>;  // sorted by IdOrder
  struct BcastState {
    // Keys modified since the last Broadcast -> id of the client that modified each last (0:
    // none, expiry or eviction).
    absl::btree_map<std::string, uint64_t> keys;
    absl::btree_set<uint64_t, IdOrder> clients;
  };

  void SendPending();
  // Redis's sendTrackingMessage: `payload` is RESP (an array of keys, or a null).
  void Send(Client& client, std::string_view payload);
  void EnableBcastPrefix(Client& client, const std::string& prefix);
  static std::string KeyPayload(std::string_view key);
  // The RESP array of `keys`, without those last modified by `skip_id` (0: none); empty when
  // nothing is left.
  static std::string BroadcastPayload(const absl::btree_map<std::string, uint64_t>& keys,
                                      uint64_t skip_id);

  Engine& engine_;
  bool ever_enabled_ = false;  // Redis creates its tables on the first CLIENT TRACKING ON
  uint64_t tracking_clients_ = 0;
  absl::flat_hash_map<std::string, IdSet> table_;
  uint64_t total_items_ = 0;
  absl::btree_map<std::string, BcastState> prefixes_;
  bool broadcast_pending_ = false;
  Client* current_client_ = nullptr;
  int in_call_ = 0;
  // Held for the current client: keys, or nullopt for a flush's null.
  std::vector<std::optional<std::string>> pending_;
  unsigned limit_timeouts_ = 0;  // Redis's timeout_counter: effort grows while over the limit
};

}  // namespace drayman
