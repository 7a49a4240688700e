// Set: the value behind SADD/SREM/SMEMBERS and the set algebra commands.
//
// Contract: members are unique binary strings. As in Redis 7.0, a set whose members are all
// integers in canonical form (what string2ll accepts) and that has at most kMaxIntsetEntries
// members is kept as a sorted array of int64 ("intset": iteration is in ascending order, SSCAN
// returns it in one call); the first other member, or one member too many, moves it to a
// ScanDict ("hashtable") for good. Scan() follows SCAN's cursor contract. RandomMember() draws a
// member uniformly under both encodings (a hashtable through ScanDict::RandomNode, which may
// advance a rehash in progress, hence non-const).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "broker/keyspace/dict.h"

namespace drayman {

class Set {
 public:
  // Redis's set-max-intset-entries default.
  static constexpr size_t kMaxIntsetEntries = 512;

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

 private:
  struct Empty {};

  static std::string_view FormatInt(int64_t value, char* buf);
  void ConvertToHashtable();

  bool is_intset_ = true;
  std::vector<int64_t> ints_;  // sorted, while is_intset_
  ScanDict<Empty> dict_;
};

}  // namespace drayman
