// Set: the value behind SADD/SREM/SMEMBERS and the set algebra commands.
//
// Contract: members are unique binary strings. As in Redis 7.0, a set whose members are all
// integers in canonical form (what string2ll accepts) and that has at most kMaxIntsetEntries
// members is kept as a sorted array of int64 ("intset": iteration is in ascending order, SSCAN
// returns it in one call); the first other member, or one member too many, moves it to a
// ScanDict ("hashtable") for good. Scan() follows SCAN's cursor contract. RandomMember() draws a
// member uniformly under both encodings (a hashtable through ScanDict::RandomNode, which may
// advance a rehash in progress, hence non-const). A save job may watch a large (hashtable) set
// while it encodes it in steps (save_watch.h): every change then reports to it first. A
// SetObserver, when one is set, is told of every member Add/Remove/PopRandom changed (the queue
// tracker follows kombu's binding tables this way); a set without one pays a null test per change.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/keyspace/dict.h"
#include "broker/keyspace/save_watch.h"

namespace drayman {

// Told about every change to one set's members, after it happened.
class SetObserver {
 public:
  virtual ~SetObserver() = default;
  virtual void OnMemberAdded(std::string_view member) = 0;
  virtual void OnMemberRemoved(std::string_view member) = 0;
  // The set is being destroyed (or its observer replaced): forget it.
  virtual void OnDetached() = 0;
};

class Set : public DictSaveWatch<Set> {
 public:
  // Redis's set-max-intset-entries default.
  static constexpr size_t kMaxIntsetEntries = 512;

  Set() = default;
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;
  // Tells the observer, if any (OnDetached); with a watcher attached, hands the members to it
  // (save_watch.h) instead of freeing them.
  ~Set();

  size_t size() const { return is_intset_ ? ints_.size() : dict_.size(); }
  bool empty() const { return size() == 0; }
  bool Contains(std::string_view member) const;
  // Returns true when the member is new.
  bool Add(std::string_view member);
  bool Remove(std::string_view member);

  // Calls fn(std::string_view member) for every member (ascending for an intset).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (is_intset_) {
      char buf[24];
      for (int64_t value : ints_) fn(FormatInt(value, buf));
    } else {
      dict_.ForEach([&](const auto& node) { fn(node.key()); });
    }
  }

  // SSCAN step: visits some members, returns the next cursor (0 when done). An intset is
  // returned whole in one step, as Redis does for its compact encodings.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    if (is_intset_) {
      ForEach(fn);
      return 0;
    }
    return dict_.Scan(cursor, [&](const auto& node) { fn(node.key()); });
  }

  // A random member; the set must not be empty.
  template <typename Rng>
  std::string RandomMember(Rng& rng) {
    if (is_intset_) {
      std::uniform_int_distribution<size_t> pick(0, ints_.size() - 1);
      char buf[24];
      return std::string(FormatInt(ints_[pick(rng)], buf));
    }
    return std::string(dict_.RandomNode(rng)->key());
  }

  // Removes and returns a random member; the set must not be empty.
  template <typename Rng>
  std::string PopRandom(Rng& rng) {
    std::string member = RandomMember(rng);
    Remove(member);
    return member;
  }

  // The members as strings, in iteration order.
  std::vector<std::string> Members() const;

  std::unique_ptr<Set> Clone() const;
  size_t MemoryUsage() const;
  std::string_view Encoding() const { return is_intset_ ? "intset" : "hashtable"; }

  // Save jobs (save_watch.h: watched, Watch, Unwatch, PositionEnd, PositionOf), hashtable sets
  // only. fn(member) for the members at `position`; returns how many.
  template <typename Fn>
  size_t VisitPosition(uint64_t position, Fn&& fn) const {
    return VisitNodes(position, [&](const auto& node) { fn(node.key()); });
  }

  // At most one observer; set_observer(nullptr) detaches without calling OnDetached.
  SetObserver* observer() const { return observer_; }
  void set_observer(SetObserver* observer) { observer_ = observer; }
  // Stops telling the observer (which gets OnDetached): for a set about to be replaced whole by
  // another built from its members, which the observer then reads afresh.
  void DetachObserver() {
    if (SetObserver* observer = std::exchange(observer_, nullptr)) observer->OnDetached();
  }

 private:
  friend class DictSaveWatch<Set>;
  struct Empty {};

  static std::string_view FormatInt(int64_t value, char* buf);
  void ConvertToHashtable();

  bool is_intset_ = true;
  std::vector<int64_t> ints_;  // sorted, while is_intset_
  mutable ScanDict<Empty> dict_;  // mutable: a watching job pins it
  SetObserver* observer_ = nullptr;
};

}  // namespace drayman
