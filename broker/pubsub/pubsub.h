// PubSub: the registry of channels, patterns and shard channels to subscribers, and MONITOR.
//
// Contract: pub/sub is global (not per database) and binary safe. Each name maps to its
// subscribers in subscription order; each client holds the reverse sets (Client::pubsub), whose
// views point at this registry's keys, so a name is stored once and a client's counts and cleanup
// are O(its subscriptions). Shard channels (SSUBSCRIBE/SPUBLISH) are a separate namespace that
// patterns never match. Publish is O(subscribers of the channel + patterns): each message frame is
// encoded once (RESP2 array) and the same bytes are appended to every receiver's output, the
// first byte turned into '>' for RESP3 receivers (a push frame has the same shape). Output
// appended this way is announced with ClientObserver::OnOutputPending, then the receiver's output
// buffer limits are checked and a receiver over them is killed (Engine::KillClient) with its
// pending output dropped, so a subscriber that stops reading never stalls anyone nor grows memory
// without bound. Clients already closing (close_asap, close_after_reply) receive nothing but are
// still counted as receivers, as in Redis. Observers must not disconnect clients synchronously
// from their callbacks: delivery iterates the subscriber lists. RemoveClient must be called before
// a client is destroyed (Engine::Disconnect does it; RESET should too).
//
// MONITOR: monitors receive one status line per command executed by anyone, except commands
// flagged admin. Redis 7.0 feeds monitors in call() after the command ran (so EXEC follows its
// queued commands and SELECT shows its new database), but feeds skip_monitor commands (EVAL,
// EVALSHA, FCALL) before they run, even when they then fail, so a script's "[db lua]" lines
// follow its EVAL line. Engine::Execute does both; scripting only has to flag its rows.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "broker/client.h"
#include "broker/command/command_table.h"

namespace drayman {

class Engine;

class PubSub {
 public:
  enum class Kind { kChannel, kPattern, kShard };

  explicit PubSub(Engine& engine) : engine_(engine) {}
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Adds one subscription; false when the client already had it.
  bool Subscribe(Client& client, Kind kind, std::string_view name);
  // Removes one subscription; false when the client did not have it.
  bool Unsubscribe(Client& client, Kind kind, std::string_view name);
  // Removes every subscription of `kind`, calling on_removed(name) after each one (the client's
  // counts are already updated; the view is valid only during the call).
  void UnsubscribeAll(Client& client, Kind kind,
                      absl::FunctionRef<void(std::string_view)> on_removed);
  // Drops every subscription and MONITOR mode, without replies (disconnect, RESET).
  void RemoveClient(Client& client);

  // PUBLISH: delivers to channel subscribers, then to each matching pattern's subscribers.
  // Returns the number of receivers (a client matching twice counts twice).
  int64_t Publish(std::string_view channel, std::string_view message);
  // SPUBLISH: delivers to shard-channel subscribers only.
  int64_t ShardPublish(std::string_view channel, std::string_view message);

  // Active channels (kChannel or kShard) matching the glob `pattern` (all when empty).
  std::vector<std::string_view> ActiveChannels(Kind kind, std::string_view pattern) const;
  // Subscribers of one channel (kChannel or kShard), not counting pattern subscribers.
  size_t SubscriberCount(Kind kind, std::string_view channel) const;
  // INFO: pubsub_channels, pubsub_patterns (distinct patterns), pubsubshard_channels.
  size_t channel_count() const { return channels_.size(); }
  size_t pattern_count() const { return patterns_.size(); }
  size_t shard_channel_count() const { return shard_channels_.size(); }

  // MONITOR.
  void AddMonitor(Client& client);
  void RemoveMonitor(Client& client);
  size_t monitor_count() const { return monitors_.size(); }
  // True when a command with this spec must be fed to monitors (there are some; not admin).
  bool ShouldFeed(const CommandSpec& spec) const {
    return !monitors_.empty() && !(spec.flags & kCmdAdmin);
  }
  // skip_monitor commands (EVAL, EVALSHA) are fed before they run, every other one after.
  static bool FeedsBefore(const CommandSpec& spec) { return spec.flags & kCmdSkipMonitor; }
  // The arguments part of a monitor line: each argument quoted as sdscatrepr does, separated by
  // spaces; AUTH and HELLO AUTH credentials become "(redacted)" where Redis's handlers redact.
  static std::string FormatMonitorArgs(const std::vector<std::string>& args);
  // Sends "+<sec>.<usec> [<db> <origin>] <args>\r\n" to every monitor, for a command `source`
  // ran; origin is "lua" for the scripting client, "unix:<path>" for Unix sockets, else ip:port.
  void FeedMonitors(Client& source, std::string_view formatted_args);

  // Returns the error a command must get instead of running, or "" when it may run: RESP2
  // subscribed clients may only run pubsub-context commands; MONITOR clients may not touch keys.
  static std::string Refusal(const Client& client, const CommandSpec& spec);

  // Appends a pre-encoded frame to `target`'s output (nothing for a closing client), `push`
  // frames' first byte turned into '>' for RESP3, then announces it and checks the output limits.
  // Client-side caching's invalidations (broker/tracking/) are delivered this way too.
  void Deliver(Client& target, std::string_view frame, bool push);
  // Kills `client` (dropping its pending output) when it is over its output buffer limits.
  // Returns true when the client is closing.
  bool EnforceOutputLimits(Client& client);
  uint64_t output_limit_disconnections() const { return output_limit_disconnections_; }
  // PUBLISH/SPUBLISH calls, and those no client received (/metrics).
  uint64_t messages_published() const { return messages_published_; }
  uint64_t messages_unreceived() const { return messages_unreceived_; }

 private:
  using Subscribers = absl::InlinedVector<Client*, 1>;
  // Node maps: keys never move, so the clients' views of them stay valid.
  using ChannelMap = absl::node_hash_map<std::string, Subscribers>;
  // Ordered so PUBLISH visits patterns in a stable order.
  using PatternMap = std::map<std::string, Subscribers, std::less<>>;

  template <typename Map>
  bool AddTo(Map& map, Client& client, absl::flat_hash_set<std::string_view>& mine,
             std::string_view name);
  template <typename Map>
  void RemoveFrom(Map& map, Client& client, absl::flat_hash_set<std::string_view>& mine,
                  std::string_view name, absl::FunctionRef<void(std::string_view)> on_removed);
  template <typename Map>
  void RemoveAllFrom(Map& map, Client& client, absl::flat_hash_set<std::string_view>& mine,
                     absl::FunctionRef<void(std::string_view)> on_removed);

  Engine& engine_;
  ChannelMap channels_;
  PatternMap patterns_;
  ChannelMap shard_channels_;
  std::vector<Client*> monitors_;
  uint64_t output_limit_disconnections_ = 0;
  uint64_t messages_published_ = 0;
  uint64_t messages_unreceived_ = 0;
};

}  // namespace drayman
