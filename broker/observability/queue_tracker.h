// Queue tracker: which keys are Celery (kombu) and Django Channels (channels_redis) queues, and
// what only the broker can know about them: when each queued message was pushed, how many were
// published and delivered.
//
// Contract: discovery is incremental, never a keyspace scan per report. The engine calls
// OnKeyWritten for every key a write touched (its WATCH hook), OnDatabaseFlushed before FLUSHDB/
// FLUSHALL empties a database and OnDatabasesSwapped before SWAPDB. Keys are recognised by the
// names the clients give them:
//   - kombu (kombu/transport/redis.py, 5.7.0): a binding table `<p>_kombu.binding.<exchange>` is a
//     set whose members are `<routing_key>\x06\x16<pattern>\x06\x16<queue>`; each member declares
//     queue <queue>, whose messages are in the list `<p><queue>` (priority 0) and in the lists
//     `<p><queue>\x06\x16<n>` (priority n); <p> is kombu's global_keyprefix (usually empty).
//     Delivered but unacknowledged messages are fields of the hash `<p>unacked` (value
//     `[message, exchange, routing_key]`), with delivery times as scores in `<p>unacked_index`.
//   - channels_redis (core layer, 4.3.0): groups are sorted sets `asgi:group:<group>` of channel
//     names; a channel's backlog is the sorted set `asgi<channel up to and including '!'>`.
// A binding table's set gets a SetObserver (broker/keyspace/set.h), so SADD/SREM/SPOP/SMOVE of
// members update the declared queues by the member changed (declaring 10,000 queues one by one is
// linear); a write hook on a binding key whose set the tracker does not observe (the set was
// created, replaced whole by RESTORE/SUNIONSTORE/COPY/RENAME/loading, or deleted) re-reads the
// whole set. Every other write costs a prefix test and, once queues exist, one hash lookup. A list
// of a declared queue gets a ListObserver (broker/keyspace/list.h) that keeps one push time per
// element in a deque aligned with the list, and counts pushes (published) and pops (delivered). The
// oldest message's age is exact and O(1) per push and pop: push times only grow, so elements pushed
// at the head decrease towards the middle and those pushed at the tail increase away from it; the
// oldest sits at that valley, whose index moves by at most one per push or pop (kombu LPUSHes new
// messages and RPUSHes restored ones, so both sides occur). LREM/LTRIM, O(n) already, find the
// valley again by a scan; after an LINSERT the oldest is found by a scan per report. Lists that
// appeared without a write hook (an RDB load) are found by Rescan, which the engine runs once from
// its first Cron; their messages count as pushed at that time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "broker/keyspace/database.h"
#include "broker/keyspace/list.h"
#include "broker/keyspace/set.h"

namespace drayman {

inline constexpr std::string_view kKombuSeparator = "\x06\x16";
inline constexpr std::string_view kKombuBindingPrefix = "_kombu.binding.";
inline constexpr std::string_view kChannelsPrefix = "asgi";
inline constexpr std::string_view kChannelsGroupPrefix = "asgi:group:";

class QueueTracker;
struct TrackedQueue;

// One list of a queue (one priority), while it exists: push times aligned with its elements.
class TrackedList final : public ListObserver {
 public:
  TrackedList(QueueTracker& tracker, TrackedQueue& queue, int priority, std::string key)
      : tracker_(tracker), queue_(queue), priority_(priority), key_(std::move(key)) {}
  ~TrackedList() override { Detach(); }

  int priority() const { return priority_; }
  const std::string& key() const { return key_; }
  const List* list() const { return list_; }
  size_t ready() const { return list_ == nullptr ? 0 : list_->size(); }
  // Push time (engine clock, ms) of the oldest element still queued, or -1 when empty.
  int64_t oldest_push_ms() const;
  // Push times from the head (index 0) or the tail.
  const std::deque<int64_t>& push_ms() const { return push_ms_; }

  // Starts observing `list`: its current elements count as pushed at `now_ms`.
  void Attach(List& list, int64_t now_ms);
  void Detach();

  // ListObserver.
  void OnPushed(bool front) override;
  void OnPopped(bool front) override;
  void OnInserted(size_t index) override;
  void OnErased(const std::vector<size_t>& indexes) override;
  void OnTrim(size_t start, size_t stop) override;
  void OnClear() override;
  void OnDetached() override;

 private:
  QueueTracker& tracker_;
  TrackedQueue& queue_;
  int priority_;
  std::string key_;
  // Finds the oldest element by a scan (after a change in the middle).
  void FindValley();

  List* list_ = nullptr;
  std::deque<int64_t> push_ms_;
  size_t valley_ = 0;  // index of the oldest element (when not empty)
  // LINSERT put a newer element between older ones: the valley shape no longer holds, so the
  // oldest is found by a scan until the list empties (kombu never inserts).
  bool unordered_ = false;
};

// A queue kombu declared (one or more binding members name it).
struct TrackedQueue {
  int db = 0;
  std::string prefix;  // kombu's global_keyprefix
  std::string name;
  int binding_refs = 0;
  uint64_t published = 0;                             // elements pushed onto any of its lists
  uint64_t delivered = 0;                             // elements popped from either end of them
  std::map<int, std::unique_ptr<TrackedList>> lists;  // by priority
  // `db="<db>",queue="<name escaped>"`: the Prometheus labels every drayman_queue_* sample of
  // this queue carries, built when the queue is declared (and on SWAPDB), not on each scrape.
  std::string metric_labels;
  // Scratch for one report: this queue's row in it (set by the report's pass over Queues()).
  mutable uint32_t report_row = 0;
};

// One binding table (`<prefix>_kombu.binding.<exchange>`), observing its set while it exists.
// Members that parse as kombu bindings are kept by (queue, routing key) and by (routing key,
// queue), each with the number of members naming that pair (members differing only in their
// pattern name the same pair).
class BindingTable final : public SetObserver {
 public:
  BindingTable(QueueTracker& tracker, int db, std::string prefix, std::string exchange)
      : tracker_(tracker), db_(db), prefix_(std::move(prefix)), exchange_(std::move(exchange)) {}
  ~BindingTable() override { Detach(); }
  BindingTable(const BindingTable&) = delete;
  BindingTable& operator=(const BindingTable&) = delete;

  const std::string& prefix() const { return prefix_; }
  const std::string& exchange() const { return exchange_; }
  bool empty() const { return by_queue_.empty(); }
  size_t binding_count() const { return by_queue_.size(); }
  // (queue, routing key) -> members naming it, in that order.
  const absl::btree_map<std::pair<std::string, std::string>, int>& by_queue() const {
    return by_queue_;
  }
  // The queue a message with `routing_key` goes to: the first queue (by name) bound with that
  // routing key; else, for a fanout or topic table, its first queue; "" when the table is empty.
  const std::string* QueueForRoutingKey(std::string_view routing_key) const;
  const Set* set() const { return set_; }

  // Re-reads `set` whole (nullptr: gone) and observes it from now on.
  void Resync(Set* set);
  void Detach();
  void set_db(int db) { db_ = db; }

  // SetObserver.
  void OnMemberAdded(std::string_view member) override;
  void OnMemberRemoved(std::string_view member) override;
  void OnDetached() override { set_ = nullptr; }

 private:
  // Adds (delta 1) or removes (-1) one member's binding; declares or drops the queue when its
  // first member appears or its last goes.
  void Apply(std::string_view member, int delta);

  QueueTracker& tracker_;
  int db_;
  std::string prefix_;
  std::string exchange_;
  Set* set_ = nullptr;
  absl::btree_map<std::pair<std::string, std::string>, int> by_queue_;
  absl::btree_set<std::pair<std::string, std::string>> by_routing_key_;
};

class QueueTracker {
 public:
  explicit QueueTracker(Keyspace& keyspace);
  ~QueueTracker();
  QueueTracker(const QueueTracker&) = delete;
  QueueTracker& operator=(const QueueTracker&) = delete;

  // --- Hooks (the engine) ---
  void OnKeyWritten(int db, std::string_view key);
  void OnDatabaseFlushed(int db);
  void OnDatabasesSwapped(int first, int second);
  // Finds every queue, binding table and channel key by walking the keyspace once.
  void Rescan();
  void RequestRescan() { rescan_pending_ = true; }
  bool rescan_pending() const { return rescan_pending_; }

  // --- Reading (reports) ---
  // Every declared queue of every database, by (db, prefix, name): kept in that order as queues
  // are declared, so a report does not sort.
  std::vector<const TrackedQueue*> Queues() const;
  const TrackedQueue* FindQueue(int db, std::string_view name) const;
  // The queue whose list (any priority) is `key`, whether or not the list exists now.
  const TrackedQueue* QueueOfKey(int db, std::string_view key) const;
  bool empty() const;
  // Binding tables of `db` that bind at least one queue, by (prefix, exchange).
  std::vector<const BindingTable*> Bindings(int db) const;
  // Key prefixes under which kombu keys were seen in `db` (where `unacked` lives).
  std::vector<std::string> KombuPrefixes(int db) const;
  // channels_redis group keys and channel keys (sorted sets) seen in `db`.
  std::vector<std::string> ChannelGroupKeys(int db) const;
  size_t ChannelKeyCount(int db) const;
  // The queue an unacked delivery belongs to (exchange + routing key through the bindings; the
  // routing key itself when no binding matches, as kombu's default exchange does).
  std::string QueueForDelivery(int db, std::string_view prefix, std::string_view exchange,
                               std::string_view routing_key) const;
  // Parsed unacked deliveries: (db, hash key, delivery tag, fingerprint of the value) -> queue
  // name, kept between reports so each delivery's JSON is parsed once (reports drop the entries
  // whose delivery is gone; a tag reused for another value misses and is parsed again).
  absl::flat_hash_map<std::string, std::string> delivery_queue_cache;

  // Set members read by whole-set resyncs of binding tables since the tracker was made: a
  // declaration through SADD onto an observed table reads none (tests check it stays linear).
  uint64_t binding_members_read() const { return binding_members_read_; }

  int database_count() const { return keyspace_.database_count(); }
  Keyspace& keyspace() const { return keyspace_; }
  int64_t now_ms() const { return keyspace_.now_ms(); }

 private:
  friend class TrackedList;
  friend class BindingTable;
  struct DbState {
    absl::flat_hash_map<std::string, std::unique_ptr<TrackedQueue>> queues;  // by prefix + name
    // The same queues by (prefix, name); the views point into each TrackedQueue's own strings.
    std::map<std::pair<std::string_view, std::string_view>, const TrackedQueue*> ordered;
    // By binding key; a table stays while its key holds a set (even one with no valid member).
    absl::flat_hash_map<std::string, std::unique_ptr<BindingTable>> bindings;
    absl::flat_hash_set<std::string> channel_groups;
    absl::flat_hash_set<std::string> channel_keys;
  };
  DbState& State(int db);
  void SyncBindingTable(int db, std::string_view key, std::string_view prefix);
  void AddQueueRef(int db, const std::string& prefix, const std::string& name);
  void DropQueueRef(int db, const std::string& prefix, const std::string& name);
  // Attaches or detaches the list at `key` (priority `priority` of `queue`) to match the keyspace.
  void SyncList(TrackedQueue& queue, int priority, std::string_view key, bool counts_as_pushed);
  void SyncChannelKey(int db, std::string_view key);

  Keyspace& keyspace_;
  std::vector<std::unique_ptr<DbState>> states_;
  bool rescan_pending_ = true;
  uint64_t binding_members_read_ = 0;
};

}  // namespace drayman
