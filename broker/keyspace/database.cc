#include "broker/keyspace/database.h"

#include <tuple>

#include "broker/keyspace/lfu.h"

namespace drayman {

bool Database::IsExpired(const Entry& entry) const {
  // Redis's keyIsExpired: now > when, so a key is still there during its deadline millisecond.
  return entry.expire_at_ms != kNoExpiry && entry.expire_at_ms < keyspace_->now_ms();
}

int64_t Database::IdleSeconds(const Entry& entry) const {
  return static_cast<uint32_t>(keyspace_->access_clock() - entry.access_s);
}

void Database::SaveForSnapshot(std::string_view key, Entry& entry) {
  if (entry.snapshot_epoch == keyspace_->snapshot_epoch()) return;
  // Mark first: the hook must never see the same entry twice.
  entry.snapshot_epoch = keyspace_->snapshot_epoch();
  if (SnapshotHook* hook = keyspace_->snapshot_hook()) hook->SaveBeforeChange(index_, key, entry);
}

Entry* Database::Lookup(std::string_view key, bool touch) {
  auto* node = keys_.FindNode(key);
  if (node == nullptr) return nullptr;
  if (IsExpired(node->value)) {
    if (!keyspace_->expiry_paused()) ExpireNode(node->key(), node->value);
    return nullptr;
  }
  // The caller may change the entry in place through the pointer it gets.
  if (!keyspace_->read_only_command()) SaveForSnapshot(node->key(), node->value);
  if (touch && !keyspace_->no_touch()) Touch(node->value);
  return &node->value;
}

void Database::Touch(Entry& entry) {
  if (keyspace_->lfu()) {
    entry.access_s = lfu::Accessed(entry.access_s, keyspace_->now_ms(), keyspace_->lfu_decay_time(),
                                   keyspace_->lfu_log_factor(), keyspace_->rng());
  } else {
    entry.access_s = keyspace_->access_clock();
  }
}

uint8_t Database::LfuFrequency(const Entry& entry) const {
  return lfu::DecayedCounter(entry.access_s, keyspace_->now_ms(), keyspace_->lfu_decay_time());
}

Entry* Database::Find(std::string_view key) { return Lookup(key, /*touch=*/true); }

Entry* Database::FindNoTouch(std::string_view key) { return Lookup(key, /*touch=*/false); }

const Entry* Database::Peek(std::string_view key) const {
  auto* node = keys_.FindNode(key);
  return node ? &node->value : nullptr;
}

Entry& Database::Put(std::string_view key, Value value) {
  return Store(key, std::move(value), /*announce_new=*/true);
}

Entry& Database::Store(std::string_view key, Value value, bool announce_new) {
  auto [node, inserted] = keys_.Insert(key);
  if (!inserted && IsExpired(node->value)) {
    // Expired first (its `expired` event and DEL), then created anew, as Redis's SET does.
    ExpireNode(node->key(), node->value);
    std::tie(node, inserted) = keys_.Insert(key);
  }
  if (inserted) {
    node->value.snapshot_epoch = keyspace_->snapshot_epoch();  // not in a running snapshot
  } else {
    SaveForSnapshot(node->key(), node->value);
  }
  if (!inserted && node->value.expire_at_ms != kNoExpiry) {
    expires_.erase(ExpiryProbe{node->value.expire_at_ms, node->key()});
    node->value.expire_at_ms = kNoExpiry;
  }
  node->value.value = std::move(value);
  // Under LFU an overwritten key keeps its frequency (Redis's dbSetValue); a new one starts at
  // the initial counter.
  if (!keyspace_->lfu()) {
    node->value.access_s = keyspace_->access_clock();
  } else if (inserted) {
    node->value.access_s = lfu::InitialWord(keyspace_->now_ms());
  }
  if (inserted && announce_new && keyspace_->observer()) {
    keyspace_->observer()->OnKeyCreated(index_, node->key());
  }
  return node->value;
}

Entry& Database::Add(std::string_view key, Value value) { return Put(key, std::move(value)); }

Entry& Database::AddLoaded(std::string_view key, Value value) {
  return Store(key, std::move(value), /*announce_new=*/false);
}

bool Database::Delete(std::string_view key) {
  auto* node = keys_.FindNode(key);
  if (node == nullptr) return false;
  if (IsExpired(node->value)) {
    if (!keyspace_->expiry_paused()) ExpireNode(node->key(), node->value);
    return false;
  }
  DeleteNode(node->key(), node->value);
  return true;
}

bool Database::DeleteEvenIfExpired(std::string_view key) {
  auto* node = keys_.FindNode(key);
  if (node == nullptr) return false;
  DeleteNode(node->key(), node->value);
  return true;
}

void Database::DeleteNode(std::string_view key, Entry& entry) {
  // Expired or not: a snapshot holds every key its tables held when it started, as a forked Redis
  // child writes expired keys too (the loader drops them).
  SaveForSnapshot(key, entry);
  // Copy the key first: erasing the node frees the string the view points into.
  std::string owned(key);
  if (entry.expire_at_ms != kNoExpiry) expires_.erase(ExpiryProbe{entry.expire_at_ms, key});
  keys_.Erase(owned);
  SignalModified(owned);
}

void Database::SampleKeys(bool volatile_only, int count,
                          absl::FunctionRef<void(std::string_view key, Entry& entry)> fn) {
  if (!volatile_only) {
    keys_.SampleNodes(keyspace_->rng(), static_cast<size_t>(count),
                      [&](auto& node) { fn(node.key(), node.value); });
    return;
  }
  // The deadline index has no random access: start at a random deadline between the first and
  // the last and take consecutive keys from there (like dictGetSomeKeys's adjacent buckets).
  if (expires_.empty()) return;
  const int64_t first = expires_.begin()->deadline, last = expires_.rbegin()->deadline;
  std::uniform_int_distribution<int64_t> pick(first, last);
  auto it = expires_.lower_bound(ExpiryProbe{pick(keyspace_->rng()), std::string_view()});
  for (int i = 0; i < count && i < static_cast<int>(expires_.size()); ++i) {
    if (it == expires_.end()) it = expires_.begin();
    Node* node = it->node;
    ++it;
    fn(node->key(), node->value);
  }
}

void Database::ExpireNode(std::string_view key, Entry& entry) {
  ++keyspace_->expired_keys;
  std::string owned(key);  // the node's key is freed with the node
  const bool outer_expiring = keyspace_->expiring_;
  keyspace_->expiring_ = true;
  DeleteNode(owned, entry);
  keyspace_->expiring_ = outer_expiring;
  if (keyspace_->observer()) keyspace_->observer()->OnKeyExpired(index_, owned);
}

void Database::SetExpire(std::string_view key, Entry& entry, int64_t at_ms) {
  Node* node = keys_.FindNode(key);
  std::string_view stable_key = node->key();
  SaveForSnapshot(stable_key, entry);
  if (entry.expire_at_ms != kNoExpiry) expires_.erase(ExpiryProbe{entry.expire_at_ms, stable_key});
  entry.expire_at_ms = at_ms;
  if (at_ms != kNoExpiry) expires_.insert(ExpirySlot{at_ms, node});
}

std::optional<std::string_view> Database::RandomKey() {
  // Like Redis (as a master): an expired pick is deleted and another one drawn, so the answer is
  // always a live key, or none when nothing is left. After a few expired picks, drop every due
  // key at once through the deadline index, so a database full of expired keys costs one sweep
  // instead of a long run of random draws.
  if (keyspace_->expiry_paused()) {
    // Nothing may be deleted: a bounded number of draws (Redis, paused, would loop for as long
    // as it draws expired keys).
    for (int attempt = 0; attempt < 100 && !keys_.empty(); ++attempt) {
      auto* node = keys_.RandomNode(keyspace_->rng());
      if (!IsExpired(node->value)) return node->key();
    }
    return std::nullopt;
  }
  for (int attempt = 0; !keys_.empty(); ++attempt) {
    if (attempt == 16) {
      ActiveExpire(expires_.size());
      if (keys_.empty()) break;
    }
    auto* node = keys_.RandomNode(keyspace_->rng());
    if (!IsExpired(node->value)) return node->key();
    ExpireNode(node->key(), node->value);
  }
  return std::nullopt;
}

size_t Database::ActiveExpire(size_t max_keys) {
  if (keyspace_->expiry_paused()) return 0;
  size_t removed = 0;
  const int64_t now = keyspace_->now_ms();
  while (removed < max_keys && !expires_.empty() && expires_.begin()->deadline < now) {
    Node* node = expires_.begin()->node;
    ExpireNode(node->key(), node->value);
    ++removed;
  }
  return removed;
}

void Database::Clear() {
  if (keyspace_->observer()) {
    if (!keyspace_->flushing_all_) keyspace_->observer()->OnFlush();
    keyspace_->observer()->OnDatabaseModified(index_);
  }
  expires_.clear();
  if (SnapshotHook* hook = keyspace_->snapshot_hook()) {
    hook->AdoptFlushedKeys(index_, std::move(keys_));
  } else {
    keys_.Clear();
  }
}

void Keyspace::RehashKeyTables(const Clock& clock, int64_t budget_us) {
  const int64_t deadline_us = clock.NowUs() + budget_us;
  for (auto& database : databases_) {
    while (database->RehashSome(100)) {
      if (clock.NowUs() >= deadline_us) return;
    }
  }
}

void Database::MarkAllSnapshotted() {
  const uint8_t epoch = keyspace_->snapshot_epoch();
  keys_.ForEach(
      [epoch](const auto& node) { const_cast<Entry&>(node.value).snapshot_epoch = epoch; });
}

void Database::SwapContents(Database& other) {
  keys_.Swap(other.keys_);
  expires_.swap(other.expires_);
}

void Database::SignalModified(std::string_view key) {
  if (keyspace_->observer()) keyspace_->observer()->OnKeyModified(index_, key);
}

void Database::SignalReady(std::string_view key) {
  if (keyspace_->observer()) keyspace_->observer()->OnKeyReady(index_, key);
}

int64_t Database::AverageTtlMs() const {
  if (expires_.empty()) return 0;
  const int64_t now = keyspace_->now_ms();
  int64_t total = 0;
  size_t counted = 0;
  // Sample the soonest deadlines, as an estimate like Redis's.
  for (const ExpirySlot& slot : expires_) {
    if (counted == 1000) break;
    total += slot.deadline > now ? slot.deadline - now : 0;
    ++counted;
  }
  return counted ? total / static_cast<int64_t>(counted) : 0;
}

Keyspace::Keyspace(int database_count, KeyspaceObserver* observer) : observer_(observer) {
  databases_.reserve(static_cast<size_t>(database_count));
  for (int i = 0; i < database_count; ++i) {
    databases_.push_back(std::make_unique<Database>(i, this));
  }
}

void Keyspace::FlushAll() {
  // The hook detaches itself here (a snapshot is cancelled by FLUSHALL, as Redis kills its child).
  if (snapshot_hook_) snapshot_hook_->OnFlushAll();
  if (observer_) observer_->OnFlush();
  flushing_all_ = true;
  for (auto& database : databases_) database->Clear();
  flushing_all_ = false;
}

void Keyspace::Swap(int first, int second) {
  if (observer_) observer_->OnDatabasesSwapped(first, second);
  if (snapshot_hook_) snapshot_hook_->OnDatabasesSwapped(first, second);
  databases_[first]->SwapContents(*databases_[second]);
}

uint8_t Keyspace::BeginSnapshot(SnapshotHook* hook) {
  // Entries hold epochs from the last uniform point onwards; before the counter could wrap into
  // that window, make it uniform again with one marking pass (only after 255 unfinished
  // snapshots in a row: a completed snapshot leaves every entry on its epoch).
  if (epochs_since_uniform_ == 255) {
    for (auto& database : databases_) database->MarkAllSnapshotted();
    epochs_since_uniform_ = 0;
  }
  ++snapshot_epoch_;
  ++epochs_since_uniform_;
  snapshot_hook_ = hook;
  return snapshot_epoch_;
}

void Keyspace::EndSnapshot(bool every_entry_marked) {
  snapshot_hook_ = nullptr;
  if (every_entry_marked) epochs_since_uniform_ = 0;
}

size_t Keyspace::TotalKeys() const {
  size_t total = 0;
  for (const auto& database : databases_) total += database->size();
  return total;
}

}  // namespace drayman
