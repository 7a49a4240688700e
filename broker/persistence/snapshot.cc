#include "broker/persistence/snapshot.h"

#include <utility>

namespace drayman {

Snapshot::Snapshot(Keyspace& keyspace, SnapshotConsumer& consumer, FlushAllPolicy on_flush_all)
    : keyspace_(keyspace),
      consumer_(consumer),
      epoch_(keyspace.BeginSnapshot(this)),
      started_ms_(keyspace.now_ms()),
      on_flush_all_(on_flush_all) {
  walks_.reserve(static_cast<size_t>(keyspace.database_count()));
  for (int i = 0; i < keyspace.database_count(); ++i) walks_.push_back(TableWalk{.origin_db = i});
}

Snapshot::~Snapshot() {
  if (running()) Finish(State::kCancelled, /*every_entry_marked=*/false);
}

void Snapshot::Finish(State state, bool every_entry_marked) {
  state_ = state;
  flushed_.clear();
  keyspace_.EndSnapshot(every_entry_marked);
}

void Snapshot::Cancel() {
  if (running()) Finish(State::kCancelled, /*every_entry_marked=*/false);
}

bool Snapshot::Step(size_t max_keys) {
  if (!running()) return true;
  size_t looked_at = 0;
  // Flushed tables first: nothing else can reach them, and finishing one frees its memory.
  while (!flushed_.empty() && looked_at < max_keys) {
    FlushedTable& table = *flushed_.back();
    table.cursor = table.keys.Scan(table.cursor, [&](const auto& node) {
      ++looked_at;
      if (node.value.snapshot_epoch == epoch_) return;
      ++keys_saved_;
      consumer_.Save(table.origin_db, node.key(), node.value.value, node.value.expire_at_ms);
    });
    if (table.cursor == 0) flushed_.pop_back();
  }
  for (int db = 0; db < static_cast<int>(walks_.size()) && looked_at < max_keys; ++db) {
    TableWalk& walk = walks_[db];
    while (!walk.done && looked_at < max_keys) {
      // The table's scan cursor stays valid across its resizes (ScanDict's guarantee), and every
      // key present from the first to the last call is visited at least once; keys visited twice
      // are already marked.
      walk.cursor = keyspace_.db(db).Scan(walk.cursor, [&](std::string_view key, Entry& entry) {
        ++looked_at;
        if (entry.snapshot_epoch == epoch_) return;
        entry.snapshot_epoch = epoch_;
        ++keys_saved_;
        consumer_.Save(walk.origin_db, key, entry.value, entry.expire_at_ms);
      });
      walk.done = walk.cursor == 0;
    }
  }
  if (looked_at < max_keys && flushed_.empty()) {
    bool all_done = true;
    for (const TableWalk& walk : walks_) all_done = all_done && walk.done;
    if (all_done) Finish(State::kComplete, /*every_entry_marked=*/true);
  }
  return !running();
}

void Snapshot::SaveBeforeChange(int db, std::string_view key, const Entry& entry) {
  ++keys_saved_;
  ++keys_saved_early_;
  consumer_.SaveEarly(walks_[db].origin_db, key, entry.value, entry.expire_at_ms);
}

void Snapshot::AdoptFlushedKeys(int db, ScanDict<Entry> keys) {
  TableWalk& walk = walks_[db];
  if (!walk.done && !keys.empty()) {
    flushed_.push_back(std::make_unique<FlushedTable>(
        FlushedTable{.origin_db = walk.origin_db, .keys = std::move(keys)}));
  }
  // The database starts over empty: whatever it gets from now on is born marked.
  walk.done = true;
}

void Snapshot::OnDatabasesSwapped(int first, int second) {
  std::swap(walks_[first], walks_[second]);
}

void Snapshot::OnFlushAll() {
  // kKeepGoing: each Database::Clear that follows hands its table over (AdoptFlushedKeys).
  if (on_flush_all_ == FlushAllPolicy::kKeepGoing) return;
  // Every table is about to be emptied, so no entry will carry an older epoch.
  Finish(State::kCancelled, /*every_entry_marked=*/true);
}

}  // namespace drayman
