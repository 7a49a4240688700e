// Hash: the value behind HSET/HGET/HGETALL.
//
// Contract: fields are unique binary strings. Small hashes (at most 512 fields, fields and values
// of at most 64 bytes: Redis 7.0's hash-max-listpack-entries / -value defaults) keep insertion
// order in a flat vector, which is what Redis's listpack encoding returns for HGETALL; larger ones
// move to a ScanDict once and for all. Scan() follows SCAN's cursor contract; for small hashes it
// returns everything at once. A save job may watch a large hash while it encodes it in steps
// (save_watch.h): every change then reports to it first.
#pragma once

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

class Hash : public DictSaveWatch<Hash> {
 public:
  static constexpr size_t kMaxSmallEntries = 512;
  static constexpr size_t kMaxSmallValue = 64;

  Hash() = default;
  Hash(const Hash&) = delete;
  Hash& operator=(const Hash&) = delete;
  // With a watcher attached, hands the fields to it (save_watch.h) instead of freeing them.
  ~Hash();

  size_t size() const { return large_ ? dict_.size() : small_.size(); }
  bool empty() const { return size() == 0; }

  // Returns the value of `field`, or nullptr.
  const std::string* Find(std::string_view field) const;
  std::string* FindMutable(std::string_view field);
  // Sets `field` to `value`; returns true when the field is new.
  bool Set(std::string_view field, std::string_view value);
  bool Erase(std::string_view field);

  // Calls fn(std::string_view field, std::string_view value) for every field.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (large_) {
      dict_.ForEach(
          [&](const auto& node) { fn(node.key(), std::string_view(node.value)); });
    } else {
      for (const auto& [field, value] : small_)
        fn(std::string_view(field), std::string_view(value));
    }
  }

  // HSCAN step: visits some fields, returns the next cursor (0 when done).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    if (!large_) {
      ForEach(fn);
      return 0;
    }
    return dict_.Scan(cursor, [&](const auto& node) {
      fn(node.key(), std::string_view(node.value));
    });
  }

  // A uniformly chosen field (large: ScanDict::RandomNode, which may advance a rehash in progress,
  // hence non-const); the hash must not be empty.
  template <typename Rng>
  std::pair<std::string_view, std::string_view> Random(Rng& rng) {
    if (large_) {
      auto* node = dict_.RandomNode(rng);
      return {node->key(), node->value};
    }
    std::uniform_int_distribution<size_t> pick(0, small_.size() - 1);
    const auto& entry = small_[pick(rng)];
    return {entry.first, entry.second};
  }

  std::unique_ptr<Hash> Clone() const;
  size_t MemoryUsage() const;
  std::string_view Encoding() const { return large_ ? "hashtable" : "listpack"; }

  // Save jobs (save_watch.h: watched, Watch, Unwatch, PositionEnd, PositionOf), large hashes
  // only. fn(field, value) for the fields at `position`; returns how many.
  template <typename Fn>
  size_t VisitPosition(uint64_t position, Fn&& fn) const {
    return VisitNodes(position,
                      [&](const auto& node) { fn(node.key(), std::string_view(node.value)); });
  }

 private:
  friend class DictSaveWatch<Hash>;

  void ConvertToLarge();

  bool large_ = false;
  std::vector<std::pair<std::string, std::string>> small_;
  // Mutable: a watching job pins it (Pin/Unpin change no entry).
  mutable ScanDict<std::string> dict_;
};

}  // namespace drayman
