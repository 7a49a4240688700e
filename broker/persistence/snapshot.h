// Snapshot: a point-in-time copy of the whole keyspace, taken without fork() and without stopping
// the event loop (BGSAVE's RDB file, and later BGREWRITEAOF, consume it).
//
// Contract: a Snapshot started at time T hands its consumer every key the keyspace held at T,
// exactly once each, with the value and absolute expiry the key had at T, under the database
// index it had at T; keys created after T are never handed over. It does so in two ways that
// never overlap (Entry::snapshot_epoch marks a key handed over):
//   - Step() walks the databases in slices (the host calls it from its cron with a budget) and
//     saves every key not handed over yet;
//   - any change to a key not handed over yet (a write lookup, overwrite, delete, lazy or active
//     expiry, RENAME/MOVE, SETEX's expiry change...) first hands its current value over
//     (Database calls SnapshotHook::SaveBeforeChange), so the walk finds it marked.
// FLUSHDB detaches the database's keys to the snapshot in O(1); the walk saves and frees them.
// SWAPDB moves a table's walk position and origin index with its contents. FLUSHALL cancels the
// snapshot (Redis kills its BGSAVE child there, so an old dataset never lands on disk after the
// user flushed it), unless it was started with FlushAllPolicy::kKeepGoing (an AOF rewrite, whose
// child Redis lets finish): then every table is detached to the walk as FLUSHDB detaches one. Keys
// already expired but not yet deleted at T are saved too, as Redis's child writes them (the loader
// drops them). The consumer runs on the engine's thread, inside whatever command caused an early
// save; it must not call back into the keyspace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "broker/keyspace/database.h"

namespace drayman {

class SnapshotConsumer {
 public:
  virtual ~SnapshotConsumer() = default;
  // One key of the dataset at T. `expire_at_ms` is kNoExpiry or an absolute Unix time in ms.
  virtual void Save(int db, std::string_view key, const Value& value, int64_t expire_at_ms) = 0;
  // The same, called because a command is about to change the key before the walk reached it.
  // Consumers that count bytes saved early (INFO's rdb_last_cow_size) override it.
  virtual void SaveEarly(int db, std::string_view key, const Value& value, int64_t expire_at_ms) {
    Save(db, key, value, expire_at_ms);
  }
};

class Snapshot final : private SnapshotHook {
 public:
  enum class State { kRunning, kComplete, kCancelled };
  enum class FlushAllPolicy { kCancel, kKeepGoing };

  // Starts the snapshot at the keyspace's current time. Only one snapshot may run per keyspace.
  Snapshot(Keyspace& keyspace, SnapshotConsumer& consumer,
           FlushAllPolicy on_flush_all = FlushAllPolicy::kCancel);
  // Detaches from the keyspace if still running (an abandoned save: nothing more is handed over).
  ~Snapshot() override;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Walks on until about `max_keys` keys have been looked at (saved or skipped as already saved).
  // Returns true once the snapshot is no longer running (complete, or cancelled by FLUSHALL).
  bool Step(size_t max_keys);
  // Stops early: nothing more is handed over.
  void Cancel();

  State state() const { return state_; }
  bool running() const { return state_ == State::kRunning; }
  int64_t started_ms() const { return started_ms_; }
  uint64_t keys_saved() const { return keys_saved_; }
  // Of keys_saved, those handed over ahead of the walk because a command changed them.
  uint64_t keys_saved_early() const { return keys_saved_early_; }

 private:
  // The walk over one key table, which SWAPDB moves along with the table.
  struct TableWalk {
    int origin_db;  // the index the table's unsaved keys had at T
    uint64_t cursor = 0;
    bool done = false;
  };
  struct FlushedTable {
    int origin_db;
    ScanDict<Entry> keys;
    uint64_t cursor = 0;
  };

  void SaveBeforeChange(int db, std::string_view key, const Entry& entry) override;
  void AdoptFlushedKeys(int db, ScanDict<Entry> keys) override;
  void OnDatabasesSwapped(int first, int second) override;
  void OnFlushAll() override;
  void Finish(State state, bool every_entry_marked);

  Keyspace& keyspace_;
  SnapshotConsumer& consumer_;
  const uint8_t epoch_;
  const int64_t started_ms_;
  const FlushAllPolicy on_flush_all_;
  State state_ = State::kRunning;
  std::vector<TableWalk> walks_;  // by current database index
  std::vector<std::unique_ptr<FlushedTable>> flushed_;
  uint64_t keys_saved_ = 0;
  uint64_t keys_saved_early_ = 0;
};

}  // namespace drayman
