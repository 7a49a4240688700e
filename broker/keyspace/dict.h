// ScanDict: a chained hash table keyed by binary strings, with Redis's SCAN guarantees.
//
// Contract: O(1) average find/insert/erase; node addresses (and so keys and values) stay put until
// the entry is erased, so other indexes may hold string_views of keys. Scan() walks buckets in
// reverse-binary order, so a full scan returns every entry that was present from start to end at
// least once even if the table grows or shrinks between calls (the property SCAN, HSCAN and SSCAN
// promise). RandomEntry() picks a random non-empty bucket, then a random entry in its chain, as
// Redis's dictGetFairRandomKey approximates. Resizes rehash the whole table at once; a table of a
// few million entries pauses for tens of milliseconds (see docs/ARCHITECTURE.md).
// Why not absl::flat_hash_map: it has neither stable scan cursors nor random access.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"

namespace drayman {

// The SCAN cursor that follows `cursor` in a table of `mask` + 1 (a power of two) buckets: the
// cursor's bits reversed, incremented, and reversed back. Walking high bits first keeps buckets
// split by a resize adjacent, so a full scan sees every entry present throughout, across resizes
// (Redis's dictScan). Shared by ScanDict and ZSet's member index.
inline uint64_t NextScanCursor(uint64_t cursor, uint64_t mask) {
  auto reverse_bits = [](uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
    v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
    return (v >> 32) | (v << 32);
  };
  cursor |= ~mask;
  return reverse_bits(reverse_bits(cursor) + 1);
}

// Bucket counts of a scan table (ScanDict, and ZSet's member index, which threads the same kind of
// chains through its own nodes): a power of two, allocated at kScanTableMinBuckets by the first
// insert and doubled when an insert would leave more entries than buckets; after an erase, halved
// down to about two buckets per entry once fewer than one bucket in eight would be used, and
// freed (0) when the table empties. Each returns the current count when no resize is due.
inline constexpr size_t kScanTableMinBuckets = 4;

inline size_t ScanTableBucketsForInsert(size_t size, size_t buckets) {
  if (buckets == 0) return kScanTableMinBuckets;
  return size + 1 > buckets ? buckets * 2 : buckets;
}

inline size_t ScanTableBucketsAfterErase(size_t size, size_t buckets) {
  if (size == 0) return 0;
  if (buckets > kScanTableMinBuckets && size * 8 < buckets) {
    return std::max(kScanTableMinBuckets, std::bit_ceil(size * 2));
  }
  return buckets;
}

template <typename V>
class ScanDict {
 public:
  struct Node {
    std::string key;
    V value;
    Node* next = nullptr;
  };

  ScanDict() = default;
  ScanDict(const ScanDict&) = delete;
  ScanDict& operator=(const ScanDict&) = delete;
  ScanDict(ScanDict&& other) noexcept { Swap(other); }
  ScanDict& operator=(ScanDict&& other) noexcept {
    if (this != &other) {
      Clear();
      Swap(other);
    }
    return *this;
  }
  ~ScanDict() { Clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t bucket_count() const { return buckets_.size(); }

  Node* FindNode(std::string_view key) const {
    if (size_ == 0) return nullptr;
    for (Node* node = buckets_[BucketOf(key)]; node != nullptr; node = node->next) {
      if (node->key == key) return node;
    }
    return nullptr;
  }

  V* Find(std::string_view key) const {
    Node* node = FindNode(key);
    return node ? &node->value : nullptr;
  }

  // Returns the node for `key`, inserting a default-constructed value if absent.
  std::pair<Node*, bool> Insert(std::string_view key) {
    if (Node* existing = FindNode(key)) return {existing, false};
    GrowIfNeeded();
    Node* node = new Node{std::string(key), V{}, nullptr};
    size_t bucket = BucketOf(key);
    node->next = buckets_[bucket];
    buckets_[bucket] = node;
    ++size_;
    return {node, true};
  }

  bool Erase(std::string_view key) {
    if (size_ == 0) return false;
    Node** link = &buckets_[BucketOf(key)];
    while (*link != nullptr) {
      if ((*link)->key == key) {
        Node* doomed = *link;
        *link = doomed->next;
        delete doomed;
        --size_;
        ShrinkIfNeeded();
        return true;
      }
      link = &(*link)->next;
    }
    return false;
  }

  void Clear() {
    for (Node*& head : buckets_) {
      while (head != nullptr) {
        Node* next = head->next;
        delete head;
        head = next;
      }
    }
    buckets_.clear();
    buckets_.shrink_to_fit();
    size_ = 0;
  }

  void Swap(ScanDict& other) noexcept {
    buckets_.swap(other.buckets_);
    std::swap(size_, other.size_);
  }

  // Visits every entry; `fn(const Node&)`. The table must not change during the walk.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (Node* head : buckets_) {
      for (Node* node = head; node != nullptr; node = node->next) fn(*node);
    }
  }

  // Visits the entries of the bucket(s) at `cursor` and returns the next cursor (0 when done).
  // Callers loop until they have visited enough entries.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    if (size_ == 0) return 0;
    const uint64_t mask = buckets_.size() - 1;
    for (Node* node = buckets_[cursor & mask]; node != nullptr; node = node->next) fn(*node);
    return NextScanCursor(cursor, mask);
  }

  template <typename Rng>
  Node* RandomNode(Rng& rng) const {
    if (size_ == 0) return nullptr;
    std::uniform_int_distribution<size_t> pick_bucket(0, buckets_.size() - 1);
    Node* head = nullptr;
    while (head == nullptr) head = buckets_[pick_bucket(rng)];
    size_t length = 0;
    for (Node* node = head; node != nullptr; node = node->next) ++length;
    std::uniform_int_distribution<size_t> pick_entry(0, length - 1);
    size_t index = pick_entry(rng);
    Node* node = head;
    while (index-- > 0) node = node->next;
    return node;
  }

  // Up to `count` entries from consecutive buckets starting at a random one (Redis's
  // dictGetSomeKeys): cheap sampling for eviction, cache-friendly where RandomNode's scattered
  // picks miss the cache on every draw. Visits at most 10 * count buckets; fn(Node&).
  template <typename Rng, typename Fn>
  void SampleNodes(Rng& rng, size_t count, Fn&& fn) const {
    if (size_ == 0 || count == 0) return;
    const size_t mask = buckets_.size() - 1;
    size_t bucket = std::uniform_int_distribution<size_t>(0, mask)(rng);
    size_t visited = 0;
    for (size_t steps = 0; steps < buckets_.size() && steps < 10 * count; ++steps) {
      for (Node* node = buckets_[bucket]; node != nullptr; node = node->next) {
        fn(*node);
        if (++visited == count) return;
      }
      bucket = (bucket + 1) & mask;
    }
  }

  // Approximate heap bytes used by the table's own structure (not keys' or values' payloads).
  size_t OverheadBytes() const {
    return buckets_.capacity() * sizeof(Node*) + size_ * sizeof(Node);
  }

 private:
  static size_t HashOf(std::string_view key) { return absl::Hash<std::string_view>{}(key); }

  size_t BucketOf(std::string_view key) const { return HashOf(key) & (buckets_.size() - 1); }

  void GrowIfNeeded() {
    const size_t wanted = ScanTableBucketsForInsert(size_, buckets_.size());
    if (wanted != buckets_.size()) Rehash(wanted);
  }

  void ShrinkIfNeeded() {
    const size_t wanted = ScanTableBucketsAfterErase(size_, buckets_.size());
    if (wanted != buckets_.size()) Rehash(wanted);
  }

  // A count of 0 frees the (then empty) bucket array.
  void Rehash(size_t new_bucket_count) {
    std::vector<Node*> fresh(new_bucket_count, nullptr);
    const size_t mask = new_bucket_count - 1;
    for (Node* head : buckets_) {
      while (head != nullptr) {
        Node* next = head->next;
        size_t bucket = HashOf(head->key) & mask;
        head->next = fresh[bucket];
        fresh[bucket] = head;
        head = next;
      }
    }
    buckets_.swap(fresh);
  }

  std::vector<Node*> buckets_;
  size_t size_ = 0;
};

}  // namespace drayman
