#include "broker/observability/queue_tracker.h"

#include <algorithm>
#include <utility>

#include "broker/stats/prometheus.h"

namespace drayman {

namespace {

bool AllDigits(std::string_view text) {
  if (text.empty() || text.size() > 9) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

// The live list at `key`, or nullptr (Peek: no lazy expiry from inside a write hook).
List* ListAt(Database& db, std::string_view key) {
  const Entry* entry = db.Peek(key);
  if (entry == nullptr || entry->value.type() != ValueType::kList) return nullptr;
  return const_cast<List*>(&entry->value.list());
}

void BuildMetricLabels(TrackedQueue& queue) {
  queue.metric_labels = "db=\"";
  queue.metric_labels += std::to_string(queue.db);
  queue.metric_labels += "\",queue=\"";
  AppendPrometheusLabelValue(queue.metric_labels, queue.name);
  queue.metric_labels += '"';
}

}  // namespace

// ---- TrackedList ----

int64_t TrackedList::oldest_push_ms() const {
  if (push_ms_.empty()) return -1;
  if (unordered_) return *std::min_element(push_ms_.begin(), push_ms_.end());
  return push_ms_[std::min(valley_, push_ms_.size() - 1)];
}

void TrackedList::FindValley() {
  valley_ =
      static_cast<size_t>(std::min_element(push_ms_.begin(), push_ms_.end()) - push_ms_.begin());
}

void TrackedList::Attach(List& list, int64_t now_ms) {
  Detach();
  if (list.observer() != nullptr) list.observer()->OnDetached();
  list_ = &list;
  list.set_observer(this);
  push_ms_.assign(list.size(), now_ms);
  valley_ = 0;
  unordered_ = false;
}

void TrackedList::Detach() {
  if (list_ != nullptr) list_->set_observer(nullptr);
  list_ = nullptr;
  push_ms_.clear();
}

void TrackedList::OnPushed(bool front) {
  const int64_t now = tracker_.now_ms();
  if (push_ms_.empty()) {
    valley_ = 0;
    unordered_ = false;
  } else if (front) {
    ++valley_;
  }
  if (front) {
    push_ms_.push_front(now);
  } else {
    push_ms_.push_back(now);
  }
  ++queue_.published;
}

void TrackedList::OnPopped(bool front) {
  if (push_ms_.empty()) return;
  if (front) {
    push_ms_.pop_front();
    // Popping the oldest leaves only tail-pushed elements, oldest first.
    if (valley_ > 0) --valley_;
  } else {
    push_ms_.pop_back();
    // Popping the oldest leaves only head-pushed elements, oldest last.
    if (valley_ >= push_ms_.size() && !push_ms_.empty()) valley_ = push_ms_.size() - 1;
  }
  ++queue_.delivered;
}

void TrackedList::OnInserted(size_t index) {
  push_ms_.insert(push_ms_.begin() + static_cast<ptrdiff_t>(std::min(index, push_ms_.size())),
                  tracker_.now_ms());
  unordered_ = true;
  ++queue_.published;
}

void TrackedList::OnErased(const std::vector<size_t>& indexes) {
  // Compacts in one pass: LREM is O(n) already.
  size_t write = 0;
  size_t next = 0;
  for (size_t read = 0; read < push_ms_.size(); ++read) {
    if (next < indexes.size() && indexes[next] == read) {
      ++next;
      continue;
    }
    push_ms_[write++] = push_ms_[read];
  }
  push_ms_.resize(write);
  FindValley();
}

void TrackedList::OnTrim(size_t start, size_t stop) {
  if (start > stop || start >= push_ms_.size()) {
    push_ms_.clear();
    return;
  }
  stop = std::min(stop, push_ms_.size() - 1);
  push_ms_.erase(push_ms_.begin() + static_cast<ptrdiff_t>(stop) + 1, push_ms_.end());
  push_ms_.erase(push_ms_.begin(), push_ms_.begin() + static_cast<ptrdiff_t>(start));
  FindValley();
}

void TrackedList::OnClear() { push_ms_.clear(); }

void TrackedList::OnDetached() {
  list_ = nullptr;
  push_ms_.clear();
}

// ---- BindingTable ----

namespace {

// A binding member `<routing_key>\x06\x16<pattern>\x06\x16<queue>`: false when it is not one.
bool ParseBinding(std::string_view member, std::string_view* routing_key, std::string_view* queue) {
  const size_t first = member.find(kKombuSeparator);
  if (first == std::string_view::npos) return false;
  const size_t second = member.find(kKombuSeparator, first + kKombuSeparator.size());
  if (second == std::string_view::npos) return false;
  *queue = member.substr(second + kKombuSeparator.size());
  *routing_key = member.substr(0, first);
  return !queue->empty();
}

}  // namespace

const std::string* BindingTable::QueueForRoutingKey(std::string_view routing_key) const {
  auto it = by_routing_key_.lower_bound({std::string(routing_key), std::string()});
  if (it != by_routing_key_.end() && it->first == routing_key) return &it->second;
  return by_queue_.empty() ? nullptr : &by_queue_.begin()->first.first;
}

void BindingTable::Detach() {
  if (set_ != nullptr && set_->observer() == this) set_->set_observer(nullptr);
  set_ = nullptr;
}

void BindingTable::Resync(Set* set) {
  if (set != set_) {
    Detach();
    if (set != nullptr) {
      if (set->observer() != nullptr) set->observer()->OnDetached();  // another table had it
      set->set_observer(this);
      set_ = set;
    }
  }
  absl::btree_map<std::pair<std::string, std::string>, int> fresh;
  if (set != nullptr) {
    tracker_.binding_members_read_ += set->size();
    set->ForEach([&](std::string_view member) {
      std::string_view routing_key, queue;
      if (ParseBinding(member, &routing_key, &queue)) {
        ++fresh[{std::string(queue), std::string(routing_key)}];
      }
    });
  }
  // References are counted per (table, queue): add the new ones before dropping the old ones,
  // so a queue that stays declared keeps its lists and counters.
  auto each_queue = [](const auto& bindings, auto&& fn) {
    const std::string* last = nullptr;
    for (const auto& [binding, count] : bindings) {
      if (last == nullptr || *last != binding.first) fn(binding.first);
      last = &binding.first;
    }
  };
  each_queue(fresh, [&](const std::string& queue) { tracker_.AddQueueRef(db_, prefix_, queue); });
  each_queue(by_queue_,
             [&](const std::string& queue) { tracker_.DropQueueRef(db_, prefix_, queue); });
  by_queue_ = std::move(fresh);
  by_routing_key_.clear();
  for (const auto& [binding, count] : by_queue_) {
    by_routing_key_.emplace(binding.second, binding.first);
  }
}

void BindingTable::OnMemberAdded(std::string_view member) { Apply(member, 1); }

void BindingTable::OnMemberRemoved(std::string_view member) { Apply(member, -1); }

void BindingTable::Apply(std::string_view member, int delta) {
  std::string_view routing_key, queue;
  if (!ParseBinding(member, &routing_key, &queue)) return;
  std::pair<std::string, std::string> binding{std::string(queue), std::string(routing_key)};
  // Whether another binding of this table names the same queue (next to `it` in the order).
  auto queue_shared = [&](auto it) {
    if (it != by_queue_.begin() && std::prev(it)->first.first == queue) return true;
    auto next = std::next(it);
    return next != by_queue_.end() && next->first.first == queue;
  };
  if (delta > 0) {
    auto it = by_queue_.try_emplace(binding, 0).first;
    if (++it->second > 1) return;
    by_routing_key_.emplace(binding.second, binding.first);
    if (!queue_shared(it)) tracker_.AddQueueRef(db_, prefix_, binding.first);
    return;
  }
  auto it = by_queue_.find(binding);
  if (it == by_queue_.end() || --it->second > 0) return;
  const bool shared = queue_shared(it);
  by_queue_.erase(it);
  by_routing_key_.erase({binding.second, binding.first});
  if (!shared) tracker_.DropQueueRef(db_, prefix_, binding.first);
}

// ---- QueueTracker ----

QueueTracker::QueueTracker(Keyspace& keyspace) : keyspace_(keyspace) {
  states_.resize(static_cast<size_t>(keyspace.database_count()));
}

QueueTracker::~QueueTracker() = default;

QueueTracker::DbState& QueueTracker::State(int db) {
  auto& state = states_[static_cast<size_t>(db)];
  if (state == nullptr) state = std::make_unique<DbState>();
  return *state;
}

void QueueTracker::OnKeyWritten(int db, std::string_view key) {
  if (key.empty() || db < 0 || db >= static_cast<int>(states_.size())) return;
  // kombu binding tables (any global_keyprefix in front).
  if (const size_t at = key.find(kKombuBindingPrefix); at != std::string_view::npos) {
    SyncBindingTable(db, key, key.substr(0, at));
    return;
  }
  if (key.size() >= kChannelsPrefix.size() &&
      key.substr(0, kChannelsPrefix.size()) == kChannelsPrefix) {
    SyncChannelKey(db, key);
    return;
  }
  DbState* state = states_[static_cast<size_t>(db)].get();
  if (state == nullptr || state->queues.empty()) return;
  if (auto it = state->queues.find(Absl(key)); it != state->queues.end()) {
    SyncList(*it->second, 0, key, true);
    return;
  }
  // `<queue>\x06\x16<n>`: a priority list.
  const size_t sep = key.rfind(kKombuSeparator);
  if (sep == std::string_view::npos) return;
  const std::string_view digits = key.substr(sep + kKombuSeparator.size());
  if (!AllDigits(digits)) return;
  auto it = state->queues.find(Absl(key.substr(0, sep)));
  if (it == state->queues.end()) return;
  SyncList(*it->second, std::stoi(std::string(digits)), key, true);
}

void QueueTracker::SyncList(TrackedQueue& queue, int priority, std::string_view key,
                            bool counts_as_pushed) {
  List* list = ListAt(keyspace_.db(queue.db), key);
  auto it = queue.lists.find(priority);
  if (list == nullptr) {
    if (it != queue.lists.end()) it->second->Detach();
    return;
  }
  if (it == queue.lists.end()) {
    it = queue.lists
             .emplace(priority,
                      std::make_unique<TrackedList>(*this, queue, priority, std::string(key)))
             .first;
  }
  TrackedList& tracked = *it->second;
  if (tracked.list() == list) return;
  tracked.Attach(*list, keyspace_.now_ms());
  if (counts_as_pushed) queue.published += list->size();
}

void QueueTracker::SyncBindingTable(int db, std::string_view key, std::string_view prefix) {
  DbState& state = State(db);
  Set* set = nullptr;
  if (const Entry* entry = keyspace_.db(db).Peek(key);
      entry != nullptr && entry->value.type() == ValueType::kSet) {
    set = const_cast<Set*>(&entry->value.set());
  }
  auto it = state.bindings.find(Absl(key));
  if (it == state.bindings.end()) {
    if (set == nullptr) return;
    it = state.bindings
             .emplace(std::string(key),
                      std::make_unique<BindingTable>(
                          *this, db, std::string(prefix),
                          std::string(key.substr(prefix.size() + kKombuBindingPrefix.size()))))
             .first;
  } else if (set != nullptr && it->second->set() == set) {
    return;  // observed: its member changes were applied as they happened
  }
  it->second->Resync(set);
  if (set == nullptr) state.bindings.erase(it);
}

void QueueTracker::AddQueueRef(int db, const std::string& prefix, const std::string& name) {
  DbState& state = State(db);
  const std::string key = prefix + name;
  auto& slot = state.queues[key];
  if (slot == nullptr) {
    slot = std::make_unique<TrackedQueue>();
    slot->db = db;
    slot->prefix = prefix;
    slot->name = name;
    BuildMetricLabels(*slot);
    state.ordered.emplace(
        std::make_pair(std::string_view(slot->prefix), std::string_view(slot->name)), slot.get());
    // Lists queued before the declaration: priority 0 and kombu's usual steps 1..9.
    Database& database = keyspace_.db(db);
    if (ListAt(database, key) != nullptr) SyncList(*slot, 0, key, false);
    for (int priority = 1; priority <= 9; ++priority) {
      std::string priority_key = key;
      priority_key += kKombuSeparator;
      priority_key += std::to_string(priority);
      if (ListAt(database, priority_key) != nullptr) {
        SyncList(*slot, priority, priority_key, false);
      }
    }
  }
  ++slot->binding_refs;
}

void QueueTracker::DropQueueRef(int db, const std::string& prefix, const std::string& name) {
  DbState& state = State(db);
  auto it = state.queues.find(Absl(prefix + name));
  if (it == state.queues.end()) return;
  if (--it->second->binding_refs > 0) return;
  state.ordered.erase({it->second->prefix, it->second->name});
  state.queues.erase(it);
}

void QueueTracker::SyncChannelKey(int db, std::string_view key) {
  DbState& state = State(db);
  const Entry* entry = keyspace_.db(db).Peek(key);
  const bool is_zset = entry != nullptr && entry->value.type() == ValueType::kZSet;
  const bool is_group = key.substr(0, kChannelsGroupPrefix.size()) == kChannelsGroupPrefix;
  auto& keys = is_group ? state.channel_groups : state.channel_keys;
  if (is_zset) {
    keys.emplace(std::string(key));
  } else if (auto it = keys.find(Absl(key)); it != keys.end()) {
    keys.erase(it);
  }
}

void QueueTracker::OnDatabaseFlushed(int db) {
  if (db < 0 || db >= static_cast<int>(states_.size())) return;
  states_[static_cast<size_t>(db)].reset();  // detaches every list it observed
}

void QueueTracker::OnDatabasesSwapped(int first, int second) {
  // The contents (and the lists the trackers observe) move whole: so does what we know of them.
  std::swap(states_[static_cast<size_t>(first)], states_[static_cast<size_t>(second)]);
  for (int db : {first, second}) {
    DbState* state = states_[static_cast<size_t>(db)].get();
    if (state == nullptr) continue;
    for (auto& [key, queue] : state->queues) {
      queue->db = db;
      BuildMetricLabels(*queue);
    }
    for (auto& [key, table] : state->bindings) table->set_db(db);
  }
}

void QueueTracker::Rescan() {
  rescan_pending_ = false;
  for (int db = 0; db < keyspace_.database_count(); ++db) {
    std::vector<std::string> binding_keys;
    std::vector<std::string> other_keys;
    keyspace_.db(db).ForEach([&](std::string_view key, const Entry& entry) {
      if (key.find(kKombuBindingPrefix) != std::string_view::npos) {
        binding_keys.emplace_back(key);
      } else if (entry.value.type() == ValueType::kList ||
                 key.substr(0, kChannelsPrefix.size()) == kChannelsPrefix) {
        other_keys.emplace_back(key);
      }
    });
    for (const std::string& key : binding_keys) OnKeyWritten(db, key);
    // Lists of declared queues not attached yet (any priority): their messages count from now.
    DbState* state = states_[static_cast<size_t>(db)].get();
    for (const std::string& key : other_keys) {
      if (key.substr(0, kChannelsPrefix.size()) == kChannelsPrefix) {
        SyncChannelKey(db, key);
        continue;
      }
      if (state == nullptr) continue;
      int priority = 0;
      auto it = state->queues.find(Absl(key));
      if (it == state->queues.end()) {
        const size_t sep = key.rfind(kKombuSeparator);
        if (sep == std::string::npos) continue;
        const std::string_view digits = std::string_view(key).substr(sep + kKombuSeparator.size());
        if (!AllDigits(digits)) continue;
        it = state->queues.find(Absl(std::string_view(key).substr(0, sep)));
        if (it == state->queues.end()) continue;
        priority = std::stoi(std::string(digits));
      }
      SyncList(*it->second, priority, key, false);
    }
  }
}

std::vector<const TrackedQueue*> QueueTracker::Queues() const {
  std::vector<const TrackedQueue*> queues;
  size_t total = 0;
  for (const auto& state : states_) total += state == nullptr ? 0 : state->ordered.size();
  queues.reserve(total);
  for (const auto& state : states_) {
    if (state == nullptr) continue;
    for (const auto& [key, queue] : state->ordered) queues.push_back(queue);
  }
  return queues;
}

const TrackedQueue* QueueTracker::FindQueue(int db, std::string_view name) const {
  if (db < 0 || db >= static_cast<int>(states_.size())) return nullptr;
  const DbState* state = states_[static_cast<size_t>(db)].get();
  if (state == nullptr) return nullptr;
  for (const auto& [key, queue] : state->queues) {
    if (queue->name == name) return queue.get();
  }
  return nullptr;
}

const TrackedQueue* QueueTracker::QueueOfKey(int db, std::string_view key) const {
  if (db < 0 || db >= static_cast<int>(states_.size())) return nullptr;
  const DbState* state = states_[static_cast<size_t>(db)].get();
  if (state == nullptr || state->queues.empty()) return nullptr;
  if (auto it = state->queues.find(Absl(key)); it != state->queues.end()) return it->second.get();
  const size_t sep = key.rfind(kKombuSeparator);
  if (sep == std::string_view::npos || !AllDigits(key.substr(sep + kKombuSeparator.size()))) {
    return nullptr;
  }
  auto it = state->queues.find(Absl(key.substr(0, sep)));
  return it == state->queues.end() ? nullptr : it->second.get();
}

bool QueueTracker::empty() const {
  for (const auto& state : states_) {
    if (state != nullptr && (!state->queues.empty() || !state->channel_groups.empty() ||
                             !state->channel_keys.empty())) {
      return false;
    }
  }
  return true;
}

std::vector<const BindingTable*> QueueTracker::Bindings(int db) const {
  std::vector<const BindingTable*> tables;
  if (db < 0 || db >= static_cast<int>(states_.size())) return tables;
  const DbState* state = states_[static_cast<size_t>(db)].get();
  if (state == nullptr) return tables;
  for (const auto& [key, table] : state->bindings) {
    if (!table->empty()) tables.push_back(table.get());
  }
  std::sort(tables.begin(), tables.end(), [](const BindingTable* a, const BindingTable* b) {
    return std::tie(a->prefix(), a->exchange()) < std::tie(b->prefix(), b->exchange());
  });
  return tables;
}

std::vector<std::string> QueueTracker::KombuPrefixes(int db) const {
  std::vector<std::string> prefixes;
  for (const BindingTable* table : Bindings(db)) {
    if (std::find(prefixes.begin(), prefixes.end(), table->prefix()) == prefixes.end()) {
      prefixes.push_back(table->prefix());
    }
  }
  return prefixes;
}

std::vector<std::string> QueueTracker::ChannelGroupKeys(int db) const {
  std::vector<std::string> keys;
  if (db < 0 || db >= static_cast<int>(states_.size())) return keys;
  const DbState* state = states_[static_cast<size_t>(db)].get();
  if (state == nullptr) return keys;
  keys.assign(state->channel_groups.begin(), state->channel_groups.end());
  std::sort(keys.begin(), keys.end());
  return keys;
}

size_t QueueTracker::ChannelKeyCount(int db) const {
  if (db < 0 || db >= static_cast<int>(states_.size())) return 0;
  const DbState* state = states_[static_cast<size_t>(db)].get();
  return state == nullptr ? 0 : state->channel_keys.size();
}

std::string QueueTracker::QueueForDelivery(int db, std::string_view prefix,
                                           std::string_view exchange,
                                           std::string_view routing_key) const {
  if (db >= 0 && db < static_cast<int>(states_.size()) && states_[static_cast<size_t>(db)]) {
    const DbState& state = *states_[static_cast<size_t>(db)];
    std::string key(prefix);
    key += kKombuBindingPrefix;
    key += exchange;
    if (auto it = state.bindings.find(Absl(key)); it != state.bindings.end()) {
      // A fanout or topic table with no such routing key: its first queue is as good a guess as
      // kombu's own lookup.
      if (const std::string* queue = it->second->QueueForRoutingKey(routing_key)) return *queue;
    }
  }
  return std::string(routing_key);
}

}  // namespace drayman
