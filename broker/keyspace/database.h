// Keyspace and databases: keys to values with optional expiry, per SELECTed database.
//
// Contract: every lookup applies lazy expiry at the keyspace's current command time (set once per
// command by the engine, so a command sees one consistent "now"); an expired key is deleted and
// reported as missing. As in Redis, a key lives through its deadline millisecond: it is expired
// once now > deadline. Lookups also record the access time OBJECT IDLETIME reports, except
// FindNoTouch and while the keyspace's no_touch is set (CLIENT NO-TOUCH). Expiring keys are also
// indexed by deadline, so the active sweep deletes exactly the keys that are due, oldest first,
// without sampling. Every change that a WATCH must notice goes through SignalModified (commands
// call it after writing; Delete, expiry and Clear call it themselves), and pushes that may feed a
// blocked client go through SignalReady.
//
// Snapshots (broker/persistence/snapshot.h): while one runs, every operation that could change or
// remove a key the snapshot has not saved yet first hands the key's current value to the
// snapshot's SnapshotHook and marks the entry saved (Entry::snapshot_epoch equal to the keyspace's
// epoch). Lookups count as writes unless the engine marked the running command read-only, because
// handlers mutate entries in place through the pointers lookups return. Keys created during a
// snapshot are born marked. Between snapshots every entry carries the epoch of the last one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/functional/function_ref.h"
#include "broker/clock.h"
#include "broker/keyspace/dict.h"
#include "broker/keyspace/value.h"

namespace drayman {

inline constexpr int64_t kNoExpiry = -1;

struct Entry {
  Value value;
  int64_t expire_at_ms = kNoExpiry;
  // Last access in whole seconds of the keyspace's clock (Redis's LRU clock; wraps harmlessly).
  // Under an LFU maxmemory policy it holds Redis's LFU word instead (broker/keyspace/lfu.h):
  // minutes of the last decrement << 8 | logarithmic access counter.
  uint32_t access_s = 0;
  // The last snapshot that saved this entry (or during which it was created); lives in what was
  // padding, so it costs no memory.
  uint8_t snapshot_epoch = 0;
};
static_assert(sizeof(Entry) == sizeof(Value) + sizeof(int64_t) + 8,
              "the snapshot epoch must stay in Entry's padding");

// Implemented by the engine: WATCH invalidation and blocked-client wake-ups.
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  virtual void OnKeyModified(int db, std::string_view key) = 0;
  // The whole database is about to be emptied (FLUSHDB, FLUSHALL). Called before the keys go, so
  // WATCH can tell which watched keys existed (Redis invalidates only those).
  virtual void OnDatabaseModified(int db) = 0;
  // Two databases are about to exchange contents (SWAPDB); called before the swap.
  virtual void OnDatabasesSwapped(int first, int second) {
    OnDatabaseModified(first);
    OnDatabaseModified(second);
  }
  virtual void OnKeyReady(int db, std::string_view key) = 0;
  // `key` expired and was deleted (lazily on access or by the active sweep); called after the
  // deletion and its OnKeyModified. Propagation writes it as DEL, as Redis does.
  virtual void OnKeyExpired(int /*db*/, std::string_view /*key*/) {}
  // `key` was just created by Put/Add (not by loading an RDB file): the keyspace event `new`.
  virtual void OnKeyCreated(int /*db*/, std::string_view /*key*/) {}
  // The dataset is being emptied: once per FLUSHDB (Database::Clear) and once per FLUSHALL
  // (Keyspace::FlushAll, whose per-database Clears do not call it again), before the keys go.
  virtual void OnFlush() {}
};

// Implemented by a running snapshot (broker/persistence/snapshot.h). `db` is a database index as
// it is now; the snapshot maps it back to the index the contents had when it started (SWAPDB).
class SnapshotHook {
 public:
  virtual ~SnapshotHook() = default;
  // `entry` (not yet saved by the snapshot) is about to change or go: save it as it is.
  virtual void SaveBeforeChange(int db, std::string_view key, const Entry& entry) = 0;
  // FLUSHDB: the database's keys, detached whole (O(1)); the snapshot saves what it has not saved
  // yet from them and frees them as its walk finishes them.
  virtual void AdoptFlushedKeys(int db, ScanDict<Entry> keys) = 0;
  // SWAPDB, before the contents move.
  virtual void OnDatabasesSwapped(int first, int second) = 0;
  // FLUSHALL, before the keys go. The snapshot ends (cancelled) and detaches itself.
  virtual void OnFlushAll() = 0;
};

class Keyspace;

class Database {
 public:
  Database(int index, Keyspace* keyspace) : index_(index), keyspace_(keyspace) {}
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int index() const { return index_; }
  size_t size() const { return keys_.size(); }
  // Sizes an empty database's key table for `keys` keys (loading: RDB's RESIZEDB hint).
  void ReserveKeys(size_t keys) { keys_.Reserve(keys); }
  size_t key_buckets() const { return keys_.bucket_count(); }
  bool key_table_rehashing() const { return keys_.rehashing(); }
  size_t expires_count() const { return expires_.size(); }
  // MEMORY STATS's per-database overhead: the key table's buckets and nodes, and the expiry
  // index's entries (broker/stats/memory_overhead.h).
  size_t KeyTableOverheadBytes() const { return keys_.OverheadBytes(); }
  size_t ExpiresOverheadBytes() const {
    return expires_.size() * sizeof(std::pair<int64_t, std::string_view>);
  }

  // The live entry for `key`, or nullptr (deleting it first if it has expired). Records the access.
  Entry* Find(std::string_view key);
  // Like Find, without recording an access (TYPE, EXISTS, TTL, OBJECT: Redis's LOOKUP_NOTOUCH).
  Entry* FindNoTouch(std::string_view key);
  // The entry whether or not it has expired, with no side effect (MEMORY USAGE looks up this way).
  const Entry* Peek(std::string_view key) const;
  // Typed lookup. Returns nullptr when missing; sets *wrong_type when the key holds another type.
  template <typename T>
  T* FindAs(std::string_view key, bool* wrong_type) {
    *wrong_type = false;
    Entry* entry = Find(key);
    if (entry == nullptr) return nullptr;
    if (entry->value.type() != ValueTypeOf<T>::value) {
      *wrong_type = true;
      return nullptr;
    }
    return &ValueAs<T>(entry->value);
  }

  // Stores `value` under `key`, replacing any previous value and its expiry (SET semantics); the
  // key counts as accessed now. An expired entry under `key` is expired first (Redis's write
  // lookup does that before setKey), and a new key is announced (OnKeyCreated).
  Entry& Put(std::string_view key, Value value);
  // Creates `key` with `value`; the key must not exist.
  Entry& Add(std::string_view key, Value value);
  // Add for keys read from an RDB file: no `new` event (Redis's dbAddRDBLoad).
  Entry& AddLoaded(std::string_view key, Value value);
  // Removes the key; returns whether it existed (expired keys count as missing).
  bool Delete(std::string_view key);
  // Removes the key whether or not its deadline has passed, without an `expired` event; returns
  // whether an entry was there. Redis's dbDelete without a lookup first: what the STORE variants
  // (SORT, SINTERSTORE, BITOP, GEO ... STORE) do to a destination an empty result leaves empty,
  // so an expired destination gets their `del` event as in Redis.
  bool DeleteEvenIfExpired(std::string_view key);

  // Sets or clears (kNoExpiry) the absolute expiry of an existing entry.
  void SetExpire(std::string_view key, Entry& entry, int64_t at_ms);

  // SCAN step over keys: fn(std::string_view key, Entry&). Returns the next cursor.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) {
    return keys_.Scan(cursor, [&](const auto& node) {
      fn(node.key(), const_cast<Entry&>(node.value));
    });
  }
  // Visits every key without expiry checks (KEYS filters expired ones itself).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    keys_.ForEach([&](const auto& node) { fn(node.key(), node.value); });
  }

  // A random live key, or nullopt when the database is empty. The view is valid until the key is
  // deleted.
  std::optional<std::string_view> RandomKey();

  // Deletes up to `max_keys` keys whose deadline is before now; returns how many.
  size_t ActiveExpire(size_t max_keys);
  bool IsExpired(const Entry& entry) const;
  // Seconds since the entry was last accessed (OBJECT IDLETIME).
  int64_t IdleSeconds(const Entry& entry) const;
  // The entry's decayed LFU counter (OBJECT FREQ; meaningful under an LFU policy only).
  uint8_t LfuFrequency(const Entry& entry) const;

  // Up to `count` keys for eviction sampling, from a random place: fn(std::string_view key,
  // Entry&). From all keys (adjacent hash buckets), or only from keys with an expiry (adjacent
  // deadlines; volatile policies).
  void SampleKeys(bool volatile_only, int count,
                  absl::FunctionRef<void(std::string_view key, Entry& entry)> fn);
  // The key with the soonest deadline, or nullopt (volatile-ttl).
  std::optional<std::string_view> SoonestExpiring() const {
    if (expires_.empty()) return std::nullopt;
    return expires_.begin()->node->key();
  }

  void Clear();
  // Moves up to `buckets` buckets of the key table's rehash in progress (ScanDict::RehashSome);
  // returns whether one is still in progress.
  bool RehashSome(size_t buckets) { return keys_.RehashSome(buckets); }
  // Marks every entry with the keyspace's current snapshot epoch (no hook calls).
  void MarkAllSnapshotted();
  // Exchanges contents with another database (SWAPDB); indexes stay.
  void SwapContents(Database& other);

  void SignalModified(std::string_view key);
  void SignalReady(std::string_view key);

  // Sum of TTLs of expiring keys, for INFO keyspace's avg_ttl.
  int64_t AverageTtlMs() const;

 private:
  Entry& Store(std::string_view key, Value value, bool announce_new);
  void DeleteNode(std::string_view key, Entry& entry);
  // Deletes an entry whose deadline has passed: counts it and reports it as expired.
  void ExpireNode(std::string_view key, Entry& entry);
  Entry* Lookup(std::string_view key, bool touch);
  // Records an access: the LRU clock, or an LFU counter update.
  void Touch(Entry& entry);
  // Hands `entry` to the running snapshot unless it was already saved, then marks it saved.
  void SaveForSnapshot(std::string_view key, Entry& entry);

  using Node = ScanDict<Entry>::Node;
  // The deadline index: one 16-byte slot per key with an expiry, ordered by (deadline, key
  // bytes); the key is read from its node in keys_ (nodes stay put until erased), so the slot
  // needs no copy or view of it, and the sweep and sampling reach the entry without a lookup.
  struct ExpirySlot {
    int64_t deadline;
    Node* node;
  };
  // What erase and lower_bound search for: a deadline and a key.
  struct ExpiryProbe {
    int64_t deadline;
    std::string_view key;
  };
  struct ExpiryOrder {
    using is_transparent = void;
    static std::string_view KeyOf(const ExpirySlot& slot) { return slot.node->key(); }
    static std::string_view KeyOf(const ExpiryProbe& probe) { return probe.key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      if (a.deadline != b.deadline) return a.deadline < b.deadline;
      return KeyOf(a) < KeyOf(b);
    }
  };

 public:
  // Bytes of one deadline index slot (MEMORY USAGE).
  static constexpr size_t kExpirySlotBytes = sizeof(ExpirySlot);

 private:
  int index_;
  Keyspace* keyspace_;
  ScanDict<Entry> keys_;
  absl::btree_set<ExpirySlot, ExpiryOrder> expires_;
};

class Keyspace {
 public:
  explicit Keyspace(int database_count, KeyspaceObserver* observer = nullptr);

  int database_count() const { return static_cast<int>(databases_.size()); }
  Database& db(int index) { return *databases_[index]; }

  // The time every lookup of the current command uses.
  int64_t now_ms() const { return now_ms_; }
  void set_now_ms(int64_t now_ms) { now_ms_ = now_ms; }
  // Redis's LRU clock: the current time in whole seconds, as stored in Entry::access_s.
  uint32_t access_clock() const { return static_cast<uint32_t>(now_ms_ / 1000); }

  // Set by the engine for each command of a CLIENT NO-TOUCH client: lookups then leave access
  // times alone (TOUCH itself still touches).
  bool no_touch() const { return no_touch_; }
  void set_no_touch(bool no_touch) { no_touch_ = no_touch; }

  // How accesses are recorded in Entry::access_s: Redis's LRU clock, or under an LFU maxmemory
  // policy the LFU word with these parameters (lfu-log-factor, lfu-decay-time in minutes). Set by
  // the engine from the configuration before each command.
  bool lfu() const { return lfu_; }
  int lfu_log_factor() const { return lfu_log_factor_; }
  int lfu_decay_time() const { return lfu_decay_time_; }
  void set_access_tracking(bool lfu, int lfu_log_factor, int lfu_decay_time) {
    lfu_ = lfu;
    lfu_log_factor_ = lfu_log_factor;
    lfu_decay_time_ = lfu_decay_time;
  }

  KeyspaceObserver* observer() const { return observer_; }
  void set_observer(KeyspaceObserver* observer) { observer_ = observer; }

  void FlushAll();
  void Swap(int first, int second);
  // Cron's share of incremental rehashing (Redis's activerehashing): moves buckets of the key
  // tables' rehashes in batches of 100 until none is left or `budget_us` has passed on `clock`.
  void RehashKeyTables(const Clock& clock, int64_t budget_us);
  size_t TotalKeys() const;

  std::mt19937_64& rng() { return rng_; }

  // --- Snapshots (broker/persistence/snapshot.h) ---
  uint8_t snapshot_epoch() const { return snapshot_epoch_; }
  SnapshotHook* snapshot_hook() const { return snapshot_hook_; }
  // Starts a snapshot: a new epoch, so every existing entry counts as not saved yet. Returns it.
  uint8_t BeginSnapshot(SnapshotHook* hook);
  // Detaches the hook; `every_entry_marked` when every entry now carries the snapshot's epoch.
  void EndSnapshot(bool every_entry_marked);
  // CLIENT PAUSE keeps the dataset still (Redis's checkClientPauseTimeoutAndReturnIfPaused in
  // expireIfNeeded and the active sweep): until the pause's end (ms, inclusive) lookups answer an
  // expired key as missing without deleting it, so no DEL is propagated and no `expired` event
  // fires; ActiveExpire deletes nothing. The engine sets it whenever the pause changes.
  bool expiry_paused() const { return now_ms_ <= expiry_pause_end_ms_; }
  void set_expiry_pause_end(int64_t end_ms) { expiry_pause_end_ms_ = end_ms; }
  void clear_expiry_pause() { expiry_pause_end_ms_ = INT64_MIN; }

  // Set by the engine while a read-only command runs: its lookups change nothing, so they do not
  // save entries ahead of the snapshot's walk.
  bool read_only_command() const { return read_only_command_; }
  void set_read_only_command(bool read_only) { read_only_command_ = read_only; }

  // True while lazy or active expiry deletes a key, so observers can tell its OnKeyModified
  // from a command's change.
  bool expiring() const { return expiring_; }

  // Counters for INFO stats.
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;

 private:
  std::vector<std::unique_ptr<Database>> databases_;
  KeyspaceObserver* observer_;
  int64_t now_ms_ = 0;
  bool no_touch_ = false;
  bool lfu_ = false;
  int lfu_log_factor_ = 10;
  int lfu_decay_time_ = 1;
  bool read_only_command_ = false;
  bool expiring_ = false;
  bool flushing_all_ = false;
  int64_t expiry_pause_end_ms_ = INT64_MIN;
  SnapshotHook* snapshot_hook_ = nullptr;
  uint8_t snapshot_epoch_ = 0;
  // Snapshots begun since every entry last carried one epoch (a completed snapshot or a marking
  // pass). Entries hold epochs within that window, so a new epoch may not wrap into it.
  int epochs_since_uniform_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};

  friend class Database;  // expiring_, flushing_all_
};

}  // namespace drayman
